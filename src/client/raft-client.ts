// The client the CLI and the dashboard use to talk to a running cluster: give it the nodes'
// addresses, and it finds the leader, follows redirects and retries across leader changes, so a
// write is answered once it is committed and applied, and applied exactly once however often it
// had to be resent.
//
//   const client = new RaftClient({ clusterId: 'demo', secret: readSecretFile(`${folder}/secret`), nodes: ['127.0.0.1:7001', { id: 2, address: '127.0.0.1:7002' }] });
//   await client.put('color', 'red');                  // { index, term, leader, result: { ok, op, previous } }
//   await client.get('color');                         // { value: 'red', index }
//   await client.put('x', '1', { via: 3 });            // to n3 only: its not-leader/timeout is the answer
//   await client.status(2); await client.log('127.0.0.1:7001', { from: 1 });
//   const s = client.session(); await Promise.all([s.put('a', '1'), client.put('b', '2')]); // in parallel
//   client.close();
//
// Writes of one session (the client's own, or one from session()) run one at a time: that is the
// state machine's rule for exactly-once. Reads, status and log requests run in parallel.
import { randomInt } from 'node:crypto';
import type { GetResponse, LogResponse, NodeStatus, StatusResponse, WriteResponse } from '../node/client-protocol.js';
import { MAX_TERM_OR_INDEX } from '../raft/types.js';
import type { BackoffOptions } from '../transport/backoff.js';
import type { ClusterSecret } from '../transport/secret.js';
import type { TlsFiles } from '../transport/tls.js';
import { ConnectionPool } from './connection-pool.js';
import { Directory, type NodeRef, type NodeSpec } from './directory.js';
import { RaftClientError } from './errors.js';
import type { RequestBody } from './node-connection.js';
import { Router, type Answer } from './router.js';
import { WriteSession, type CallOptions } from './session.js';

export interface RaftClientOptions {
  /** The cluster's nodes: "host:port", or { id, address }. Any one that answers will do. */
  nodes: readonly NodeSpec[];
  /** Must match the nodes' --cluster-id: a node of another cluster refuses the connection. */
  clusterId: string;
  /**
   * The cluster secret (readSecretFile of the cluster folder's `secret`): the client proves it, and
   * checks that each node does. NO_SECRET only for nodes run with --insecure-no-auth.
   */
  secret: ClusterSecret;
  /** Mutual TLS (readTlsFiles), for nodes started with --cert-file, --key-file and --trusted-ca-file. */
  tls?: TlsFiles;
  /** The default session's clientId (1 to 64 bytes); random when left out. */
  clientId?: string;
  /** Give up on a request after this long, retries included. Default 5000 ms. */
  timeoutMs?: number;
  /** How long one node may take to answer before the request is retried on another. Default 1000 ms. */
  attemptTimeoutMs?: number;
  /** Pause between retries: from baseMs, doubling up to maxMs, with jitter. Default 20 to 500 ms. */
  backoff?: Partial<BackoffOptions>;
  random?: () => number;
}

export interface GetResult {
  /** null: the key is absent. */
  value: string | null;
  /** The commit index the read was served at: every write acknowledged before it is visible. */
  index: number;
}

export type LogPage = Omit<LogResponse, 'id' | 'ok'>;

export class RaftClient {
  private readonly directory: Directory;
  private readonly pool: ConnectionPool;
  private readonly router: Router;
  private readonly aborter = new AbortController();
  private readonly timeoutMs: number;
  private readonly writes: WriteSession;

  constructor(options: RaftClientOptions) {
    this.directory = new Directory(options.nodes);
    this.timeoutMs = options.timeoutMs ?? 5000;
    // The hello's `from` only labels this client in the nodes' events.
    this.pool = new ConnectionPool(options.clusterId, options.secret, options.tls ?? null, randomInt(2 ** 31), this.directory);
    this.router = new Router(
      this.directory,
      this.pool,
      {
        attemptTimeoutMs: options.attemptTimeoutMs ?? 1000,
        backoff: { baseMs: 20, maxMs: 500, ...options.backoff },
        random: options.random ?? Math.random,
      },
      this.aborter.signal,
    );
    this.writes = this.session(options.clientId);
  }

  /** The leader this client last heard from or of, if any. */
  get leader(): { id: number | null; address: string } | null {
    return this.directory.leader;
  }

  /** The default session's clientId. */
  get clientId(): string {
    return this.writes.clientId;
  }

  /** A new write session, with its own clientId (random by default), on this client's connections. */
  session(clientId?: string): WriteSession {
    return new WriteSession(async (body, options) => {
      const { response, node } = await this.send(body, options);
      return { response: response as WriteResponse, node };
    }, clientId);
  }

  submit(text: string, options?: CallOptions): ReturnType<WriteSession['submit']> {
    return this.writes.submit(text, options);
  }

  put(key: string, value: string, options?: CallOptions): ReturnType<WriteSession['put']> {
    return this.writes.put(key, value, options);
  }

  delete(key: string, options?: CallOptions): ReturnType<WriteSession['delete']> {
    return this.writes.delete(key, options);
  }

  cas(key: string, expected: string | null, value: string, options?: CallOptions): ReturnType<WriteSession['cas']> {
    return this.writes.cas(key, expected, value, options);
  }

  /** A linearizable read, served by the leader (ReadIndex). */
  async get(key: string, options: CallOptions = {}): Promise<GetResult> {
    const { response } = await this.send({ type: 'get', key }, options);
    const r = response as GetResponse;
    return { value: r.value, index: r.index };
  }

  /** What one node believes: role, term, leader, log and commit indexes, progress... */
  async status(node: NodeRef, options: Pick<CallOptions, 'timeoutMs'> = {}): Promise<NodeStatus> {
    const { response } = await this.send({ type: 'status' }, { ...options, via: node });
    return (response as StatusResponse).status;
  }

  /** One node's log from `from` to `to` (at most 1000 entries an answer; `firstIndex` says where it starts). */
  async log(node: NodeRef, range: { from?: number; to?: number } = {}, options: Pick<CallOptions, 'timeoutMs'> = {}): Promise<LogPage> {
    const { response } = await this.send(
      { type: 'log', from: range.from ?? 0, to: range.to ?? MAX_TERM_OR_INDEX },
      { ...options, via: node },
    );
    const { firstIndex, commit, entries } = response as LogResponse;
    return { firstIndex, commit, entries };
  }

  /** Closes every connection; requests in flight fail with `closed` (a write's outcome is then unknown). */
  close(): void {
    this.aborter.abort();
    this.pool.close();
  }

  private send(body: RequestBody, options: CallOptions): Promise<Answer> {
    if (this.aborter.signal.aborted) return Promise.reject(new RaftClientError('closed', 'the client is closed'));
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    if (options.via === undefined) return this.router.toLeader(body, timeoutMs);
    let address: string;
    try {
      address = this.directory.resolve(options.via);
    } catch (err) {
      // resolve throws only RaftClientError ('unknown-node').
      return Promise.reject(err instanceof Error ? err : new RaftClientError('unknown-node', String(err)));
    }
    return this.router.once(address, body, timeoutMs);
  }
}
