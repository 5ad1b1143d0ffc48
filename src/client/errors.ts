// The one error type a request made with the client library fails with. `code` is for programs
// (what happened to the write, what to show), `message` is one sentence for people. A caller never
// has to parse a message, and a CLI or dashboard can switch on the code exhaustively. (Only a bad
// configuration, e.g. an address without a port, throws a RangeError, from the constructor.)
import type { ClientErrorCode, LeaderHint } from '../node/client-protocol.js';

export type RaftClientErrorCode =
  /** What a node answered (not-leader, leadership-lost, timeout, unavailable, or a KV refusal). */
  | ClientErrorCode
  /** No leader answered before the overall deadline, whatever was retried meanwhile. */
  | 'no-leader'
  /** A node could not be connected to, or the connection broke before the answer (one-node requests). */
  | 'unreachable'
  /** A node refused the connection with an error frame (wrong cluster, a request it did not accept...). */
  | 'refused'
  /** A node answered something that is not a response of the protocol. */
  | 'bad-response'
  /** Refused before sending: the state machine would not run this command (e.g. a value over its limit). */
  | 'invalid-command'
  /** A node given by id that the client has no address for. */
  | 'unknown-node'
  /** close() was called while the request was in flight. */
  | 'closed';

export class RaftClientError extends Error {
  override readonly name = 'RaftClientError';

  constructor(
    readonly code: RaftClientErrorCode,
    message: string,
    /** The node whose answer this is ("host:port"), when one node is to blame. */
    readonly node: string | null = null,
    /** On not-leader and leadership-lost: the leader that node knows of (null: none). */
    readonly leader: LeaderHint | null = null,
    /** On no-leader: how long the client kept trying, in ms. */
    readonly waitedMs: number | null = null,
  ) {
    super(message);
  }
}

/** "5 s", "2.5 s", "0.3 s": deadlines as a person reads them. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
