// The clients of a check: concurrent workers doing random reads, writes and compare-and-sets on a
// few keys through the client library, each recording every operation it starts and how it ended.
//
// Each worker has its own RaftClient and write session, so its retries are exactly-once (the
// session's clientId and seq), and one operation in flight at a time. Every written value is new
// (worker and counter), so a read names the one write it saw. How an error is recorded follows
// from what it tells about the operation:
//   - a write or cas the cluster refused for certain (the state machine's refusal, a command
//     refused before sending): fail;
//   - a cas that did not match: fail (it changed nothing);
//   - a write or cas with no answer (timeout, lost connection, no leader before the deadline,
//     leadership lost after appending): info, it may yet take effect;
//   - a read with no answer: fail, a read changes nothing.
// After an info the worker carries on as a new process (Jepsen's rule): the old one still has its
// operation pending, and a process has one operation at a time.
import { RaftClient, RaftClientError, type ClusterSecret, type NodeSpec, type WriteSession } from '../client/index.js';
import { Random } from '../sim/random.js';
import type { OpInput, OpOutcome } from './history.js';
import type { Recorder } from './recorder.js';

export interface WorkloadOptions {
  clusterId: string;
  secret: ClusterSecret;
  nodes: readonly NodeSpec[];
  clients: number;
  /** Operations per second, all clients together. */
  rate: number;
  keys: readonly string[];
  durationMs: number;
  /** How long one operation may take, retries across leader changes included. */
  opTimeoutMs: number;
  seed: number;
  recorder: Recorder;
  /** Aborted: every worker stops at once, its operation in flight ending as info. */
  signal?: AbortSignal;
}

/** How the reason of a cas that did not match begins. */
const CAS_MISMATCH = 'mismatch';

/** Codes that mean a write was certainly not applied: the state machine or the client refused it. */
const CERTAIN_REFUSALS = new Set(['invalid-command', 'malformed', 'unsupported-version', 'too-large']);

/**
 * How a failed write or cas is recorded. A session-expired or stale-sequence answer can come to a
 * retry whose first attempt did apply, so only the refusals above are certain.
 */
function writeFailure(err: RaftClientError): OpOutcome {
  return CERTAIN_REFUSALS.has(err.code) ? { type: 'fail', reason: err.code } : { type: 'info', reason: err.code };
}

async function read(client: RaftClient, key: string): Promise<OpOutcome> {
  try {
    return { type: 'ok', value: (await client.get(key)).value };
  } catch (err) {
    if (!(err instanceof RaftClientError)) throw err;
    return { type: 'fail', reason: err.code };
  }
}

/** The outcome, and the value the key held as the operation saw it, when it saw one. */
async function perform(client: RaftClient, session: WriteSession, input: OpInput): Promise<{ outcome: OpOutcome; holds?: string | null }> {
  if (input.kind === 'read') {
    const outcome = await read(client, input.key);
    return outcome.type === 'ok' ? { outcome, holds: outcome.value ?? null } : { outcome };
  }
  try {
    if (input.kind === 'write') await session.put(input.key, input.value);
    else {
      const r = await session.cas(input.key, input.expected, input.value);
      if (!r.result.swapped)
        return {
          outcome: {
            type: 'fail',
            reason: `${CAS_MISMATCH}: the key held ${JSON.stringify(r.result.current)}`,
            mismatch: { current: r.result.current },
          },
          holds: r.result.current,
        };
    }
    return { outcome: { type: 'ok' }, holds: input.value };
  } catch (err) {
    if (!(err instanceof RaftClientError)) throw err;
    return { outcome: writeFailure(err) };
  }
}

class Worker {
  private readonly random: Random;
  private readonly client: RaftClient;
  private readonly session: WriteSession;
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
    this.client = new RaftClient({
      clusterId: o.clusterId,
      secret: o.secret,
      nodes: o.nodes,
      timeoutMs: o.opTimeoutMs,
      random: new Random(o.seed, 'client', index).asFunction(),
    });
    this.session = this.client.session();
    o.signal?.addEventListener('abort', () => this.client.close(), { once: true });
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
    const { outcome, holds } = await perform(this.client, this.session, input);
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
  await Promise.all(Array.from({ length: o.clients }, (_, i) => new Worker(i, o).run()));
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
  o: Pick<WorkloadOptions, 'clusterId' | 'secret' | 'nodes' | 'keys' | 'opTimeoutMs' | 'recorder'>,
  process: number,
  deadlineMs: number,
): Promise<FinalRead[]> {
  const client = new RaftClient({ clusterId: o.clusterId, secret: o.secret, nodes: o.nodes, timeoutMs: o.opTimeoutMs });
  const giveUpAt = performance.now() + deadlineMs;
  try {
    const reads: FinalRead[] = [];
    for (const key of o.keys) {
      let final: FinalRead = { key };
      do {
        const id = o.recorder.invoke(process, { kind: 'read', key });
        const outcome = await read(client, key);
        o.recorder.complete(id, outcome);
        if (outcome.type === 'ok') final = { key, value: outcome.value ?? null };
      } while (final.value === undefined && performance.now() < giveUpAt);
      reads.push(final);
    }
    return reads;
  } finally {
    client.close();
  }
}
