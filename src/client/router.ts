// Gets a request answered by the leader, whichever node that is now: follows not-leader redirects,
// and retries what a leader change or a dead node leaves unanswered (leadership-lost, timeout,
// unavailable, a refused or broken connection, a node that says nothing) on the next node, with
// capped backoff, until the overall deadline. The request is resent unchanged, so a write keeps its
// (clientId, seq) and the state machine's sessions apply it once however often it is sent.
// `via` sends to one node, once, and reports its answer as it is: how a learner watches a stranded
// leader fail to commit.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientResponse, ErrorResponse } from '../node/client-protocol.js';
import { reconnectDelay, type BackoffOptions } from '../transport/backoff.js';
import type { ConnectionPool } from './connection-pool.js';
import type { Directory } from './directory.js';
import { RaftClientError, seconds } from './errors.js';
import type { RequestBody } from './node-connection.js';

export type OkResponse = Exclude<ClientResponse, ErrorResponse>;

export interface Answer {
  response: OkResponse;
  /** The node that answered. */
  node: { id: number | null; address: string };
}

export interface RouterSettings {
  /** How long one node may take to answer before the request is retried elsewhere. */
  attemptTimeoutMs: number;
  backoff: BackoffOptions;
  random: () => number;
}

/** Redirects followed at once in a row; past this (nodes disagreeing mid-election), back off first. */
const FREE_HOPS = 3;

export class Router {
  constructor(
    private readonly directory: Directory,
    private readonly pool: ConnectionPool,
    private readonly settings: RouterSettings,
    /** Aborted by close(): ends backoff sleeps at once. */
    private readonly signal: AbortSignal,
  ) {}

  /** Sends to the leader, following redirects and retrying until `timeoutMs` has passed. */
  async toLeader(body: RequestBody, timeoutMs: number): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    let target = this.directory.first();
    let failures = 0;
    let hops = 0;
    let last: RaftClientError | null = null;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw giveUp(timeoutMs, last);
      let response: ClientResponse;
      try {
        response = await this.attempt(target, body, Math.min(left, this.settings.attemptTimeoutMs));
      } catch (err) {
        if (!(err instanceof RaftClientError) || !(err.code === 'unreachable' || err.code === 'timeout')) throw err;
        // A dead or silent node: whatever it led, it leads no more for us.
        if (this.directory.leader?.address === target) this.directory.ledBy(null);
        last = err;
        target = this.directory.after(target);
        hops = 0;
        await this.backoff(failures++, deadline);
        continue;
      }
      if (response.ok) {
        this.directory.ledBy(target);
        return { response, node: { id: this.directory.idOf(target), address: target } };
      }
      const err = this.errorOf(response, target);
      const hint = this.directory.resolveHint(response.leader);
      switch (response.error.code) {
        case 'not-leader':
          last = err;
          this.directory.ledBy(hint);
          if (hint !== null && hint !== target && hops < FREE_HOPS) {
            hops++;
            target = hint;
            continue;
          }
          break;
        case 'leadership-lost':
        case 'timeout':
        case 'unavailable':
          last = err;
          this.directory.ledBy(hint);
          break;
        default:
          // The state machine's refusals are final: sending again gets the same answer.
          throw err;
      }
      hops = 0;
      target = hint !== null && hint !== target ? hint : this.directory.after(target);
      await this.backoff(failures++, deadline);
    }
  }

  /** Sends to one node, once; its error answer, or a connection failure, is thrown as it is. */
  async once(address: string, body: RequestBody, timeoutMs: number): Promise<Answer> {
    const response = await this.attempt(address, body, timeoutMs);
    if (!response.ok) {
      this.directory.resolveHint(response.leader);
      throw this.errorOf(response, address);
    }
    return { response, node: { id: this.directory.idOf(address), address } };
  }

  private async attempt(address: string, body: RequestBody, timeoutMs: number): Promise<ClientResponse> {
    const connection = this.pool.get(address);
    const response = await connection.request(body, timeoutMs);
    if (connection.nodeId !== null) this.directory.learn(connection.nodeId, address);
    return response;
  }

  private errorOf(response: ErrorResponse, address: string): RaftClientError {
    return new RaftClientError(
      response.error.code,
      `${this.directory.describe(address)}: ${response.error.message}`,
      address,
      response.leader ?? null,
    );
  }

  private async backoff(failures: number, deadline: number): Promise<void> {
    const delay = Math.min(reconnectDelay(failures, this.settings.backoff, this.settings.random), deadline - Date.now());
    if (delay <= 0) return;
    try {
      await sleep(delay, undefined, { signal: this.signal });
    } catch {
      throw new RaftClientError('closed', 'the client was closed while retrying: outcome unknown');
    }
  }
}

function giveUp(timeoutMs: number, last: RaftClientError | null): RaftClientError {
  const why = last === null ? '' : ` (last: ${last.message})`;
  return new RaftClientError(
    'no-leader',
    `no leader with a majority answered within ${seconds(timeoutMs)}: is a majority of the nodes running?${why}`,
    null,
    last?.leader ?? null,
    timeoutMs,
  );
}
