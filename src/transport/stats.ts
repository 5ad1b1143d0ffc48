// The transport's counters: what was sent, received, dropped and refused. Drops are counted by
// cause, since "the filter dropped it" and "the peer was too slow" call for different reactions.
import type { NodeId } from '../raft/types.js';
import { ERROR_CODES, type ErrorCode } from './hello.js';

export type DropCause =
  /** The peer's send queue was full; the oldest message made room. */
  | 'queue-full'
  /** The fault filter: a blocked link, each way. */
  | 'blocked-to'
  | 'blocked-from'
  /** The fault filter: a link's loss probability. */
  | 'loss'
  /** Held by a link's delay while too many others were held. */
  | 'delay-full'
  /** Over the frame limit: it could never be sent. */
  | 'too-large'
  /** Addressed to a node that is not a known peer. */
  | 'no-route';

export const DROP_CAUSES: readonly DropCause[] = [
  'queue-full',
  'blocked-to',
  'blocked-from',
  'loss',
  'delay-full',
  'too-large',
  'no-route',
];

export interface Counters {
  /** Frames written to peer sockets. */
  sent: number;
  /** Messages handed to the core. */
  received: number;
  /** Requests handed to the client handler. */
  clientRequests: number;
  dropped: Record<DropCause, number>;
  /** Connections this node closed for breaking the protocol, by the error code it sent. */
  rejected: Record<ErrorCode, number>;
}

export function newCounters(): Counters {
  return {
    sent: 0,
    received: 0,
    clientRequests: 0,
    dropped: Object.fromEntries(DROP_CAUSES.map((c) => [c, 0])) as Record<DropCause, number>,
    rejected: Object.fromEntries(ERROR_CODES.map((c) => [c, 0])) as Record<ErrorCode, number>,
  };
}

export type LinkState = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';

/** One outbound link, as `stats()` shows it. */
export interface LinkStats {
  peer: NodeId;
  address: string;
  /** idle: not started; connecting: dialing or in the hello; waiting: backing off before a retry. */
  state: LinkState;
  /** Failed attempts since the link was last open. */
  attempts: number;
  queuedMessages: number;
  queuedBytes: number;
  /** Bytes accepted by the socket but not yet handed to the kernel. */
  socketBufferedBytes: number;
  sent: number;
  /** Writes to the socket: each one carries every frame gathered in an event-loop turn. */
  batches: number;
  /** Messages this link's full queue dropped. */
  dropped: number;
}

export interface TransportStats extends Counters {
  links: LinkStats[];
  /** Peers with an inbound connection open (past the hello). */
  inboundPeers: NodeId[];
  clients: number;
  /** Inbound connections still waiting for their hello. */
  pending: number;
  /** Messages held by link delays. */
  delayed: number;
  /** Bytes held for frames not yet whole, by budget (limits.ts). */
  unfinishedFrameBytes: { peers: number; clients: number };
}
