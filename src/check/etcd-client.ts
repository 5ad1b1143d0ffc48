// The check's client for an etcd cluster: etcd's JSON gateway (src/etcd/gateway.ts), one per
// worker, over every member's client URL. A worker keeps to one member and moves to the next when
// an attempt there goes wrong. Reads are linearizable (etcd's default: a ReadIndex through the
// leader), never serializable.
//
// etcd has no client sessions: a write sent twice may be applied twice. So a write or cas is
// retried inside one operation only after an attempt that certainly did not take effect (nothing
// reached etcd, or etcd refused it before proposing it to raft); then at most the last attempt can
// apply. After any other failure the operation is indeterminate (info) at once.
//
// Which etcd errors are certain refusals is src/etcd/errors.ts's writeNotApplied: `fail` is given
// only to those, and anything else is `info`, which can only cost the checker some power, never
// raise an alarm.
import { EtcdError, writeNotApplied, type EtcdProblem } from '../etcd/errors.js';
import { EtcdGateway } from '../etcd/gateway.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { casMismatch, type CheckClient, type ConnectClient, type Performed } from './clients.js';
import type { OpInput } from './history.js';

/** How the check's clients read from etcd: linearizable (the check), or serializable (to see the check catch stale reads). */
export type EtcdReads = 'linearizable' | 'serializable';

/** What the check uses of the gateway (a test passes a stand-in). */
export type EtcdKv = Pick<EtcdGateway, 'get' | 'put' | 'cas' | 'close'>;

/** What an error tells about a write or cas: whether it certainly did not apply, and in a few words why. */
export interface EtcdWriteFailure {
  /** true: certainly not applied (recorded fail, and may be retried); false: it may have applied (info). */
  notApplied: boolean;
  reason: string;
}

function problemReason(p: EtcdProblem): string {
  switch (p.code) {
    case 'unreachable':
    case 'tls':
    case 'auth':
      return `${p.code}: ${p.cause}`;
    case 'timeout':
      return `timeout: no answer within ${p.ms} ms`;
    case 'server':
      return p.cause;
    case 'bad-answer':
      return `bad-answer: ${p.problem}`;
  }
}

/** How a write or cas that ended in this error is recorded (see the top of this file). */
export function classifyEtcdWriteError(err: EtcdError): EtcdWriteFailure {
  return { notApplied: writeNotApplied(err.problem), reason: problemReason(err.problem) };
}

export interface EtcdCheckClientOptions {
  /** Every member's client URL; the worker starts at `first` (modulo their number). */
  endpoints: readonly string[];
  first: number;
  /** How long an operation may take: no attempt starts after that (a write attempt may run up to this long itself). */
  opTimeoutMs: number;
  /** How long one read attempt may wait before the next member is tried; default a third of opTimeoutMs (at least 500 ms). */
  readAttemptMs?: number;
  /** The wait before a retry, doubled each time up to 8 times; default 50 ms. */
  retryMs?: number;
  /**
   * 'serializable' (for experiments only): each member answers reads from its own store, which
   * etcd documents as possibly stale; the check should then find stale reads. Default 'linearizable'.
   */
  reads?: EtcdReads;
  /** Opens a gateway whose requests time out after `timeoutMs`; default the real one. */
  open?: (endpoints: readonly string[], timeoutMs: number) => EtcdKv;
}

export class EtcdCheckClient implements CheckClient {
  /** For writes: one attempt may take the whole operation's time. */
  private readonly writer: EtcdKv;
  /** For reads: a shorter attempt, so that a paused or cut-off member is left in time to ask another. */
  private readonly reader: EtcdKv;
  private current: number;
  private closed = false;

  constructor(private readonly o: EtcdCheckClientOptions) {
    if (o.endpoints.length === 0) throw new Error('an etcd check client needs at least one endpoint');
    const open = o.open ?? ((endpoints, timeoutMs) => new EtcdGateway({ endpoints, timeoutMs }));
    this.writer = open(o.endpoints, o.opTimeoutMs);
    this.reader = open(o.endpoints, o.readAttemptMs ?? Math.max(500, Math.round(o.opTimeoutMs / 3)));
    this.current = o.first % o.endpoints.length;
  }

  /** The member this worker sends to now. */
  get endpoint(): string {
    return this.o.endpoints[this.current]!;
  }

  async perform(input: OpInput): Promise<Performed> {
    return input.kind === 'read' ? this.read(input.key) : this.write(input);
  }

  close(): void {
    this.closed = true;
    this.writer.close();
    this.reader.close();
  }

  /** A read changes nothing: tried on member after member until the time is up, then failed. */
  private async read(key: string): Promise<Performed> {
    const deadline = performance.now() + this.o.opTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const { value } = await this.reader.get(key, {
          endpoint: this.endpoint,
          ...(this.o.reads === 'serializable' ? { serializable: true } : {}),
        });
        return { outcome: { type: 'ok', value }, holds: value };
      } catch (err) {
        if (!(err instanceof EtcdError)) throw err;
        this.moveOn();
        if (this.closed || !(await this.backOff(attempt, deadline)))
          return { outcome: { type: 'fail', reason: problemReason(err.problem) } };
      }
    }
  }

  /** At most once: retried only after an attempt that certainly did not apply. */
  private async write(input: Extract<OpInput, { kind: 'write' | 'cas' }>): Promise<Performed> {
    const deadline = performance.now() + this.o.opTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        if (input.kind === 'write') await this.writer.put(input.key, input.value, this.endpoint);
        else {
          const r = await this.writer.cas(input.key, input.expected, input.value, this.endpoint);
          if (!r.swapped) return casMismatch(r.current);
        }
        return { outcome: { type: 'ok' }, holds: input.value };
      } catch (err) {
        if (!(err instanceof EtcdError)) throw err;
        const failure = classifyEtcdWriteError(err);
        this.moveOn();
        if (!failure.notApplied) return { outcome: { type: 'info', reason: failure.reason } };
        if (this.closed || !(await this.backOff(attempt, deadline))) return { outcome: { type: 'fail', reason: failure.reason } };
      }
    }
  }

  /** Another member for the next attempt: the one that failed may be down, paused or cut off. */
  private moveOn(): void {
    this.current = (this.current + 1) % this.o.endpoints.length;
  }

  /** Waits before the next attempt; false when there is no time left for one. */
  private async backOff(attempt: number, deadline: number): Promise<boolean> {
    // A round over every member goes at once; after that, wait a little longer each round.
    const round = Math.floor(attempt / this.o.endpoints.length);
    const waitMs = attempt % this.o.endpoints.length === this.o.endpoints.length - 1 ? (this.o.retryMs ?? 50) * 2 ** Math.min(round, 3) : 0;
    if (performance.now() + waitMs >= deadline) return false;
    if (waitMs > 0) await sleep(waitMs);
    return true;
  }
}

/** etcd clients for a check: worker i starts at member i (modulo their number). */
export function etcdClients(o: Omit<EtcdCheckClientOptions, 'first'>): ConnectClient {
  return (index) => new EtcdCheckClient({ ...o, first: index });
}
