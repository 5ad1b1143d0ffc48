// The clients of a check: concurrent workers doing random reads, writes and compare-and-sets on a
// few keys through the cluster's client (clients.ts: raft-console's or etcd's), each recording every
// operation it starts and how it ended.
//
// Each worker has its own client and one operation in flight at a time. Every written value is new
// (worker and counter), so a read names the one write it saw. The client says how an operation
// ended (ok; fail: it certainly did not take effect; info: it may have, at any time after it
// began). After an info the worker carries on as a new process (Jepsen's rule): the old one still
// has its operation pending, and a process has one operation at a time.
import { Random } from '../sim/random.js';
import type { CheckClient, ConnectClient } from './clients.js';
import type { OpInput } from './history.js';
import type { Recorder } from './recorder.js';

export interface WorkloadOptions {
  /** Opens worker i's client. */
  connect: ConnectClient;
  clients: number;
  /** Operations per second, all clients together. */
  rate: number;
  keys: readonly string[];
  durationMs: number;
  seed: number;
  recorder: Recorder;
  /** Aborted: every worker stops at once, its operation in flight ending as info. */
  signal?: AbortSignal;
}

class Worker {
  private readonly random: Random;
  private readonly client: CheckClient;
  /** The process id in the history; a new one after each indeterminate operation. */
  private process: number;
  private written = 0;
  /** The value this worker last saw in each key: what its cas expects. */
  private readonly seen = new Map<string, string | null>();

  constructor(
    private readonly index: number,
    private readonly o: WorkloadOptions,
  ) {
    this.random = new Random(o.seed, 'workload', index);
    this.process = index;
    this.client = o.connect(index);
  }

  /** Ends the operation in flight (as info) and the client. */
  close(): void {
    this.client.close();
  }

  async run(): Promise<void> {
    const { recorder, durationMs, signal } = this.o;
    const meanGapMs = (this.o.clients / this.o.rate) * 1000;
    // Workers start spread over one gap, not all at once.
    let next = this.random.next() * meanGapMs;
    const over = (): boolean => signal?.aborted === true || recorder.now() >= durationMs;
    try {
      while (!over()) {
        const wait = next - recorder.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (over()) return;
        await this.step();
        // Exponential gaps: requests arrive as a Poisson process at the given rate. An operation
        // slower than its gap delays the next; the schedule may fall behind by one mean gap, made
        // up by starting at once, but an operation that waited through a fault is not followed by
        // a burst.
        next = Math.max(next + -Math.log(1 - this.random.next()) * meanGapMs, recorder.now() - meanGapMs);
      }
    } finally {
      this.client.close();
    }
  }

  private async step(): Promise<void> {
    const input = this.choose();
    const id = this.o.recorder.invoke(this.process, input);
    const { outcome, holds } = await this.client.perform(input);
    this.o.recorder.complete(id, outcome);
    if (outcome.type === 'info') this.process += this.o.clients;
    if (holds !== undefined) this.seen.set(input.key, holds);
  }

  private choose(): OpInput {
    const key = this.random.pick(this.o.keys);
    const roll = this.random.next();
    if (roll < 1 / 3) return { kind: 'read', key };
    const value = `${this.index + 1}.${++this.written}`;
    if (roll < 2 / 3) return { kind: 'write', key, value };
    return { kind: 'cas', key, expected: this.seen.get(key) ?? null, value };
  }
}

/** Runs the clients for `durationMs`; resolves once the last one's last operation has ended. */
export async function runWorkload(o: WorkloadOptions): Promise<void> {
  const workers = Array.from({ length: o.clients }, (_, i) => new Worker(i, o));
  // One listener for all workers: one each made Node warn of a leak past 10 clients.
  const abort = (): void => {
    for (const w of workers) w.close();
  };
  o.signal?.addEventListener('abort', abort, { once: true });
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    o.signal?.removeEventListener('abort', abort);
  }
}

export interface FinalRead {
  key: string;
  /** The value read, or undefined when no read succeeded before the deadline. */
  value?: string | null;
}

/**
 * After the faults are healed and the cluster has settled: one linearizable read of every key,
 * recorded in the history as a process of its own (so the checker holds it to every write before
 * it), retried until `deadlineMs`.
 */
export async function readFinalValues(
  o: { client: CheckClient; keys: readonly string[]; recorder: Recorder },
  process: number,
  deadlineMs: number,
): Promise<FinalRead[]> {
  const giveUpAt = performance.now() + deadlineMs;
  try {
    const reads: FinalRead[] = [];
    for (const key of o.keys) {
      let final: FinalRead = { key };
      do {
        const id = o.recorder.invoke(process, { kind: 'read', key });
        const { outcome } = await o.client.perform({ kind: 'read', key });
        o.recorder.complete(id, outcome);
        if (outcome.type === 'ok') final = { key, value: outcome.value ?? null };
      } while (final.value === undefined && performance.now() < giveUpAt);
      reads.push(final);
    }
    return reads;
  } finally {
    o.client.close();
  }
}
