// Records a check's history as it happens: each operation when a client invokes it and again when
// it completes, with times in milliseconds since the run began (one monotonic clock for the
// operations and the fault timeline alike, so a failing window can show both).
import type { History, OpInput, OpOutcome, Operation } from './history.js';

export class Recorder {
  /** performance.now() at the start of the run: time 0 of the history. */
  private readonly origin = performance.now();
  /** Date.now() at the same moment, to place the run on the wall clock (the node events' clock). */
  readonly startedAt = Date.now();
  private readonly operations: Operation[] = [];
  private readonly open = new Set<number>();

  /** Milliseconds since the run began. */
  now(): number {
    return performance.now() - this.origin;
  }

  /** The wall-clock time (Date.now()) as milliseconds since the run began. */
  fromWallClock(ts: number): number {
    return ts - this.startedAt;
  }

  /** Operations recorded so far. */
  get size(): number {
    return this.operations.length;
  }

  /** A client number no operation so far has used. */
  unusedClient(): number {
    return this.operations.reduce((max, op) => Math.max(max, op.client + 1), 0);
  }

  /** A client starts an operation; returns its id. */
  invoke(client: number, input: OpInput): number {
    const id = this.operations.length;
    const at = this.now();
    this.operations.push({ id, client, input, invokedAt: at, completedAt: at, outcome: { type: 'info', reason: 'still running' } });
    this.open.add(id);
    return id;
  }

  complete(id: number, outcome: OpOutcome): void {
    const op = this.operations[id];
    if (op === undefined || !this.open.delete(id)) throw new Error(`operation ${id} is not in flight`);
    op.completedAt = this.now();
    op.outcome = outcome;
  }

  /**
   * The history so far. An operation still in flight is indeterminate: it may take effect at any
   * time, so it is recorded as info, given up on now.
   */
  history(): History {
    const now = this.now();
    return {
      operations: this.operations.map((op) =>
        this.open.has(op.id)
          ? { ...op, completedAt: now, outcome: { type: 'info', reason: 'still in flight when the run ended' } }
          : { ...op },
      ),
    };
  }
}
