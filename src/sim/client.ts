// Simulated clients: writes (proposals of unique values) and linearizable reads (ReadIndex, section
// 6.4 of the dissertation), each retried through whichever node claims to lead until it is done.
// The state machine ignores a value it already holds, so a retried write is applied once.
// A client never asks the same leader twice in the same term: a leader never drops an entry of
// its own term (Leader Append-Only), so asking again would only fill the log with copies.
import type { NodeId } from '../raft/types.js';
import type { Invariants } from './invariants.js';
import type { SimNode } from './node.js';
import type { Random } from './random.js';

export interface WriteOp {
  readonly value: string;
  readonly invokedAt: number;
  /** Tick when some node first applied it (the write is acknowledged), or -1. */
  appliedAt: number;
  /** Log index where it was first applied, or -1. */
  index: number;
  attempts: number;
  nextTry: number;
  /** (node, term) pairs that accepted the request, flattened. */
  readonly askedLeaders: number[];
}

export interface ReadOp {
  readonly id: number;
  readonly invokedAt: number;
  /** Tick when a leader served it, or -1. */
  completedAt: number;
  /** How many values the read saw (the first `observed` acknowledged values), or -1. */
  observed: number;
  servedBy: NodeId;
  attempts: number;
  nextTry: number;
  readonly askedLeaders: number[];
}

export interface ClientHost {
  readonly now: number;
  readonly checks: Invariants | null;
  /** Nodes that are up and believe they lead. */
  leaders(): SimNode[];
  /** Whether notes are kept: when not, the client does not even format them. */
  readonly tracing: boolean;
  note(text: string): void;
}

export class Clients {
  private nextWrite = 1;
  private nextRead = 1;
  readonly writes = new Map<string, WriteOp>();
  readonly pendingWrites = new Map<string, WriteOp>();
  readonly reads = new Map<number, ReadOp>();
  readonly pendingReads = new Map<number, ReadOp>();

  constructor(
    private readonly host: ClientHost,
    private readonly random: Random,
    /** A client waits this many ticks for an accepted request before looking for another leader. */
    public retryTicks: number,
  ) {}

  /** Starts a write of `value` (a fresh unique value by default); it is retried until applied. */
  write(value = `w${this.nextWrite++}`): WriteOp {
    const existing = this.writes.get(value);
    if (existing !== undefined) return existing;
    const op: WriteOp = {
      value,
      invokedAt: this.host.now,
      appliedAt: -1,
      index: -1,
      attempts: 0,
      nextTry: this.host.now,
      askedLeaders: [],
    };
    this.writes.set(value, op);
    this.pendingWrites.set(value, op);
    this.tryWrite(op);
    return op;
  }

  /** Starts a linearizable read; it is retried until a leader serves it. */
  read(): ReadOp {
    const op: ReadOp = {
      id: this.nextRead++,
      invokedAt: this.host.now,
      completedAt: -1,
      observed: -1,
      servedBy: 0,
      attempts: 0,
      nextTry: this.host.now,
      askedLeaders: [],
    };
    this.reads.set(op.id, op);
    this.pendingReads.set(op.id, op);
    this.host.checks?.readInvoked(op.id);
    this.tryRead(op);
    return op;
  }

  /** Asks again for every request whose answer is overdue. */
  retry(now: number): void {
    if (this.pendingWrites.size > 0) for (const op of this.pendingWrites.values()) if (op.nextTry <= now) this.tryWrite(op);
    if (this.pendingReads.size > 0) for (const op of this.pendingReads.values()) if (op.nextTry <= now) this.tryRead(op);
  }

  /** Some node applied `value` for the first time anywhere: the write is acknowledged. */
  acknowledged(value: string, index: number): void {
    const op = this.pendingWrites.get(value);
    if (op === undefined) return;
    op.appliedAt = this.host.now;
    op.index = index;
    this.pendingWrites.delete(value);
  }

  /** A leader served ReadIndex round `context` with `size` values applied. */
  served(context: string, node: NodeId, size: number): void {
    const id = Number(context.slice(1, context.indexOf('.')));
    const op = this.pendingReads.get(id);
    if (op === undefined) return;
    op.completedAt = this.host.now;
    op.observed = size;
    op.servedBy = node;
    this.pendingReads.delete(id);
    this.host.checks?.readCompleted(id, node, size);
    if (this.host.tracing) this.host.note(`client read r${id} served by n${node}: ${size} values`);
  }

  /** A leader to ask: one that believes it leads and has not accepted this request in its term. */
  private pickLeader(asked: readonly number[]): SimNode | undefined {
    const fresh = this.host.leaders().filter((n) => !wasAsked(asked, n));
    return fresh.length === 0 ? undefined : fresh.length === 1 ? fresh[0] : this.random.pick(fresh);
  }

  private tryWrite(op: WriteOp): void {
    op.nextTry = this.host.now + 1;
    const node = this.pickLeader(op.askedLeaders);
    const core = node?.core;
    if (node === undefined || core == null) return;
    op.attempts++;
    const r = core.propose(op.value);
    if (!r.ok) return;
    op.askedLeaders.push(node.id, r.term);
    op.nextTry = this.host.now + this.retryTicks;
    if (this.host.tracing) this.host.note(`client proposes ${op.value} to n${node.id} (entry ${r.index}, term ${r.term})`);
  }

  private tryRead(op: ReadOp): void {
    op.nextTry = this.host.now + 1;
    const node = this.pickLeader(op.askedLeaders);
    const core = node?.core;
    if (node === undefined || core == null) return;
    op.attempts++;
    const context = `r${op.id}.${op.attempts}`;
    if (!core.readIndex(context).ok) return;
    op.askedLeaders.push(node.id, node.term);
    op.nextTry = this.host.now + this.retryTicks;
    if (this.host.tracing) this.host.note(`client asks n${node.id} for read ${context}`);
  }
}

function wasAsked(asked: readonly number[], node: SimNode): boolean {
  for (let i = 0; i < asked.length; i += 2) if (asked[i] === node.id && asked[i + 1] === node.term) return true;
  return false;
}
