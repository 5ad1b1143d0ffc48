// Serves client requests on a node. Writes are proposed to the core and answered once their entry is
// applied, and only if the entry applied at that index is the one proposed (same term): otherwise it
// was overwritten by another leader and the client is told the outcome is unknown, so it retries
// with the same (clientId, seq) and the state machine's sessions keep the retry exactly-once.
// A retry of a write this leader has already appended and not yet applied joins that entry instead
// of appending a copy: the leader never drops or replaces its own entries while it leads (Leader
// Append-Only), so the entry commits or the leadership ends, and either answers every waiter. A
// client that keeps resending to a leader stranded in a minority thus adds one entry, not one per
// attempt.
// Reads go through ReadIndex (dissertation 6.4) and are served once the state machine caught up.
// Each get is one core.readIndex(): the core batches the reads that arrive while a round is in
// flight into its next round (src/raft/readindex.ts), so a flood of reads costs one heartbeat
// round per round trip, not one each. Each read answered or refused is told (readTold), with how it
// was confirmed: the read-without-quorum known bug answers at once, unconfirmed.
import { encodeCommand, type ApplyResult, type KvStateMachine } from '../kv/index.js';
import type { ReadState, Role } from '../raft/types.js';
import type { ClientConnection } from '../transport/index.js';
import {
  MAX_LOG_ENTRIES,
  commandOf,
  type ClientErrorCode,
  type ClientRequest,
  type ClientResponse,
  type LeaderHint,
  type NodeStatus,
  type RequestId,
} from './client-protocol.js';
import type { RaftDriver } from './raft-driver.js';
import { cut, type ReadAnswer } from './read-event.js';

export interface ClientServiceContext {
  driver: RaftDriver;
  /** The current state machine (a snapshot from the leader replaces it). */
  kv(): KvStateMachine;
  /** Who this node believes leads, with an address to redirect to. */
  leaderHint(): LeaderHint | null;
  status(): NodeStatus;
  /** A request not answered within this time is answered `timeout` (outcome unknown). */
  requestTimeoutMs: number;
  /** Told each read answered or refused. */
  readTold?: (e: ReadAnswer) => void;
}

interface Pending {
  client: ClientConnection;
  id: RequestId;
  timer: NodeJS.Timeout;
}
/** An entry this leader appended for a client, and every request waiting on it (the first and its retries). */
interface PendingWrite {
  term: number;
  clientId: string;
  seq: number;
  waiters: Pending[];
}
interface PendingRead extends Pending {
  key: string;
  /** The node's term when the read arrived. */
  term: number;
  /** Set once its ReadIndex round confirmed leadership: serve once applied reaches it. */
  index: number | null;
  /** No round confirmed it: the read-without-quorum known bug (ReadState.unconfirmed). */
  unconfirmed: boolean;
}

export class ClientService {
  /** By log index. */
  private readonly writes = new Map<number, PendingWrite>();
  /** The index of each client's latest pending write, by clientId: where a retry finds it. */
  private readonly writeOf = new Map<string, number>();
  /** Every read not yet answered, by the context its ReadState names it by. */
  private readonly reads = new Map<string, PendingRead>();
  private readSerial = 0;
  private closed = false;

  constructor(private readonly ctx: ClientServiceContext) {}

  handle(req: ClientRequest, client: ClientConnection): void {
    if (this.closed) return this.fail(client, req.id, 'unavailable', 'the node is shutting down');
    switch (req.type) {
      case 'submit':
      case 'put':
      case 'delete':
      case 'cas':
        return this.write(req, client);
      case 'get':
        return this.read(req.id, req.key, client);
      case 'status':
        client.reply({ id: req.id, ok: true, status: this.ctx.status() } satisfies ClientResponse);
        return;
      case 'log':
        return this.log(req.id, req.from, req.to, client);
    }
  }

  /** Called with what the state machine returned for each applied entry, in log order. */
  applied(results: readonly ApplyResult[]): void {
    for (const r of results) {
      const w = this.take(r.index);
      if (!w) continue;
      for (const waiter of w.waiters) {
        clearTimeout(waiter.timer);
        if (r.term !== w.term) {
          this.fail(
            waiter.client,
            waiter.id,
            'leadership-lost',
            `entry ${r.index} was replaced by another leader's: retry with the same seq`,
          );
        } else if (r.result.ok) {
          waiter.client.reply({ id: waiter.id, ok: true, index: r.index, term: r.term, result: r.result } satisfies ClientResponse);
        } else {
          this.fail(waiter.client, waiter.id, r.result.code, r.result.message);
        }
      }
    }
    this.serveReads();
  }

  /** Entries a snapshot from the leader replaced: any write waiting on them has an unknown outcome. */
  snapshotInstalled(index: number): void {
    for (const at of [...this.writes.keys()]) {
      if (at > index) continue;
      this.failAll(this.take(at)!, 'leadership-lost', 'a snapshot replaced the log here: retry with the same seq');
    }
    this.serveReads();
  }

  readStates(states: readonly ReadState[]): void {
    for (const s of states) {
      const r = this.reads.get(s.context);
      if (r === undefined) continue;
      r.index = s.index;
      r.unconfirmed = s.unconfirmed === true;
    }
    this.serveReads();
  }

  /** Role or leader changed: requests waiting on this node's leadership cannot complete here. */
  roleChanged(role: Role): void {
    if (role === 'leader') return;
    for (const index of [...this.writes.keys()])
      this.failAll(
        this.take(index)!,
        'leadership-lost',
        'this node lost the leadership before the write was applied: retry with the same seq',
      );
    for (const [context, r] of this.reads) {
      // A read whose round completed stays linearizable at its index: serve it when applied.
      if (r.index !== null) continue;
      this.reads.delete(context);
      clearTimeout(r.timer);
      this.refuseRead(r, 'leadership-lost', 'this node lost the leadership before the read was confirmed: retry');
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.writes.values())
      this.failAll(w, 'unavailable', 'the node is shutting down: outcome unknown, retry with the same seq');
    for (const r of this.reads.values()) {
      clearTimeout(r.timer);
      this.refuseRead(r, 'unavailable', 'the node is shutting down');
    }
    this.writes.clear();
    this.writeOf.clear();
    this.reads.clear();
  }

  private write(req: Extract<ClientRequest, { clientId: string }>, client: ClientConnection): void {
    const pendingAt = this.writeOf.get(req.clientId);
    const pending = pendingAt === undefined ? undefined : this.writes.get(pendingAt);
    if (pendingAt !== undefined && pending?.seq === req.seq) return this.wait(pending, pendingAt, req.id, client);
    let data: string;
    try {
      data = encodeCommand(commandOf(req));
    } catch (err) {
      // Refused before it reaches the log: the seq is not used up. Only a limit can be the cause:
      // validateClientRequest refused anything malformed.
      return this.fail(client, req.id, 'too-large', (err as Error).message);
    }
    const proposed = this.ctx.driver.run((core) => core.propose(data));
    if (!proposed.ok) {
      if (proposed.reason === 'not-leader') {
        this.redirect(client, req.id);
        return;
      }
      return this.fail(
        client,
        req.id,
        'unavailable',
        `${proposed.reason.replace(/-/g, ' ')}${proposed.detail ? `: ${proposed.detail}` : ''}; retry shortly`,
      );
    }
    const w: PendingWrite = { term: proposed.term, clientId: req.clientId, seq: req.seq, waiters: [] };
    this.writes.set(proposed.index, w);
    this.writeOf.set(req.clientId, proposed.index);
    this.wait(w, proposed.index, req.id, client);
  }

  /**
   * Answers the request once the entry at `index` is applied, or `timeout` after requestTimeoutMs.
   * The entry stays pending after a timeout: a retry of it still joins it.
   */
  private wait(w: PendingWrite, index: number, id: RequestId, client: ClientConnection): void {
    const waiter: Pending = {
      client,
      id,
      timer: setTimeout(() => {
        const at = w.waiters.indexOf(waiter);
        if (at < 0) return;
        w.waiters.splice(at, 1);
        this.fail(
          client,
          id,
          'timeout',
          `entry ${index} was not committed within ${this.ctx.requestTimeoutMs} ms (no majority reachable?): outcome unknown, retry with the same seq`,
        );
      }, this.ctx.requestTimeoutMs),
    };
    w.waiters.push(waiter);
  }

  /** Removes the pending write at `index`, if any. */
  private take(index: number): PendingWrite | undefined {
    const w = this.writes.get(index);
    if (w === undefined) return undefined;
    this.writes.delete(index);
    if (this.writeOf.get(w.clientId) === index) this.writeOf.delete(w.clientId);
    return w;
  }

  private failAll(w: PendingWrite, code: ClientErrorCode, message: string): void {
    for (const waiter of w.waiters) {
      clearTimeout(waiter.timer);
      this.fail(waiter.client, waiter.id, code, message);
    }
  }

  private read(id: RequestId, key: string, client: ClientConnection): void {
    const context = `read-${++this.readSerial}`;
    const r: PendingRead = {
      client,
      id,
      key,
      term: this.ctx.driver.core.status().term,
      index: null,
      unconfirmed: false,
      timer: setTimeout(() => {
        if (!this.reads.delete(context)) return;
        this.refuseRead(r, 'timeout', `the read was not confirmed by a majority within ${this.ctx.requestTimeoutMs} ms: retry`);
      }, this.ctx.requestTimeoutMs),
    };
    // Added first: the driver may hand over the core's Ready, with this read's ReadState (a single
    // voter confirms at once), before run() returns.
    this.reads.set(context, r);
    const started = this.ctx.driver.run((core) => core.readIndex(context));
    if (started.ok) return;
    this.reads.delete(context);
    clearTimeout(r.timer);
    const message = this.redirect(client, id);
    this.toldRefused(key, 'not-leader', message);
  }

  private refuseRead(r: PendingRead, code: ClientErrorCode, message: string): void {
    this.fail(r.client, r.id, code, message);
    this.toldRefused(r.key, code, message);
  }

  private toldRefused(key: string, code: ClientErrorCode, reason: string): void {
    this.ctx.readTold?.({ type: 'read-refused', key: cut(key), code, reason, leader: this.ctx.leaderHint()?.id ?? 0 });
  }

  private serveReads(): void {
    const kv = this.ctx.kv();
    for (const [context, r] of this.reads) {
      if (r.index === null || kv.appliedIndex < r.index) continue;
      this.reads.delete(context);
      clearTimeout(r.timer);
      const value = kv.get(r.key);
      r.client.reply({ id: r.id, ok: true, key: r.key, value, index: r.index } satisfies ClientResponse);
      this.ctx.readTold?.({
        type: 'read-served',
        key: cut(r.key),
        value: value === null ? null : cut(value),
        index: r.index,
        applied: kv.appliedIndex,
        term: r.term,
        confirmed: r.unconfirmed ? 'unconfirmed' : 'read-index',
      });
    }
  }

  private log(id: RequestId, from: number, to: number, client: ClientConnection): void {
    const core = this.ctx.driver.core;
    const status = core.status();
    const lo = Math.max(from, status.firstIndex);
    const hi = Math.min(to, lo + MAX_LOG_ENTRIES - 1);
    const entries = core.entries(lo, hi).map((e) => ({ ...e, committed: e.index <= status.commit }));
    client.reply({ id, ok: true, firstIndex: status.firstIndex, commit: status.commit, entries } satisfies ClientResponse);
  }

  /** Answers not-leader, naming the leader when known; returns the message. */
  private redirect(client: ClientConnection, id: RequestId): string {
    const leader = this.ctx.leaderHint();
    const message =
      leader === null
        ? 'this node is not the leader and knows of none (an election may be under way): retry shortly'
        : `this node is not the leader: n${leader.id} is`;
    client.reply({ id, ok: false, error: { code: 'not-leader', message }, leader } satisfies ClientResponse);
    return message;
  }

  private fail(client: ClientConnection, id: RequestId, code: ClientErrorCode, message: string): void {
    const response: ClientResponse = { id, ok: false, error: { code, message } };
    if (code === 'leadership-lost') response.leader = this.ctx.leaderHint();
    client.reply(response);
  }
}
