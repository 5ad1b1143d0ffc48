// The transport between node processes: TCP (or mutual TLS), length-prefixed JSON frames, hellos
// and proofs of the cluster secret that keep other clusters and strangers out, validation of
// everything that arrives, bounded queues, and a fault filter below the core. The wire protocol is
// docs/PROTOCOL.md; how a node wires it up is at the top of transport.ts.
export { Transport, DEFAULT_MAX_FRAME_BYTES, type Released, type SendFate, type SentCount, type TransportOptions } from './transport.js';
export { heldDetail, type HeldDetail, type HeldEntry } from './step-hold.js';
export type { PeerAddress } from './peer-link.js';
export type { ClientConnection } from './client-connection.js';
export { FaultFilter, type FaultSettings, type LinkFault } from './fault-filter.js';
export { describeTransportEvent, type Direction, type TransportEvent } from './events.js';
export type { DropCause, LinkStats, TransportStats } from './stats.js';
export type { BackoffOptions } from './backoff.js';
export type { Timers } from './timers.js';
export type { Validation } from '../schema/json-shape.js';
export { PROTOCOL_VERSION, type ErrorCode } from './hello.js';
