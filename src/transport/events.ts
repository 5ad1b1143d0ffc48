// What the transport reports, as structured events the node logs and the dashboard shows: peers
// coming and going, connections refused and why, queues overflowing. Per-message drops are only
// counted (stats.ts): one event per dropped message would flood the log exactly when it matters.
import type { MessageType, NodeId } from '../raft/types.js';
import type { ErrorCode } from './hello.js';

/** Outbound: the connection this node dialed to send; inbound: one a peer dialed to send to us. */
export type Direction = 'out' | 'in';

export type TransportEvent =
  | { type: 'listening'; host: string; port: number }
  | { type: 'peer-connected'; peer: NodeId; direction: Direction }
  /** `retryInMs` is set on outbound connections: when the next attempt is. */
  | { type: 'peer-disconnected'; peer: NodeId; direction: Direction; reason: string; retryInMs: number | null }
  /** An outbound connection attempt that never completed its hello. */
  | { type: 'connect-failed'; peer: NodeId; attempt: number; reason: string; retryInMs: number }
  /** This node refused a connection: it sent an error frame with this code and reason, and closed. */
  | { type: 'connection-rejected'; direction: Direction; remote: string; peer: NodeId | null; code: ErrorCode; reason: string }
  /** The send queue to `peer` is full and drops its oldest messages; reported once per episode. */
  | { type: 'queue-overflow'; peer: NodeId }
  /** A message the core produced that is over the frame limit: it cannot be sent. */
  | { type: 'message-too-large'; peer: NodeId; message: MessageType; bytes: number; limit: number }
  | { type: 'client-connected'; client: number; clientId: number; remote: string }
  | { type: 'client-disconnected'; client: number; reason: string }
  /** The listening socket failed (e.g. out of file descriptors while accepting); it keeps listening. */
  | { type: 'server-error'; reason: string };

/** The sentence the node's log and the dashboard show for `e`. */
export function describeTransportEvent(e: TransportEvent): string {
  switch (e.type) {
    case 'listening':
      return `listening on ${e.host}:${e.port}`;
    case 'peer-connected':
      return e.direction === 'out' ? `connected to n${e.peer}` : `n${e.peer} connected`;
    case 'peer-disconnected':
      return e.retryInMs === null
        ? `n${e.peer}'s connection closed: ${e.reason}`
        : `lost the connection to n${e.peer}: ${e.reason}; reconnecting in ${e.retryInMs} ms`;
    case 'connect-failed':
      return `cannot reach n${e.peer} (attempt ${e.attempt}): ${e.reason}; retrying in ${e.retryInMs} ms`;
    case 'connection-rejected': {
      const who = e.peer === null ? e.remote : `n${e.peer} at ${e.remote}`;
      return `${e.direction === 'in' ? 'refused the connection from' : 'closed the connection to'} ${who}: ${e.code}: ${e.reason}`;
    }
    case 'queue-overflow':
      return `the send queue to n${e.peer} is full: dropping its oldest messages (is n${e.peer} slow or stopped?)`;
    case 'message-too-large':
      return `not sent: a ${e.message} message to n${e.peer} is ${e.bytes} bytes, over the ${e.limit}-byte frame limit`;
    case 'client-connected':
      return `client ${e.clientId} connected from ${e.remote} (connection ${e.client})`;
    case 'client-disconnected':
      return `client connection ${e.client} closed: ${e.reason}`;
    case 'server-error':
      return `the listening socket reported an error: ${e.reason}`;
  }
}
