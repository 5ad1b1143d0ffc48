// The two control frames of the protocol (docs/PROTOCOL.md): the hello that opens every
// connection, and the error frame a node sends before it closes a connection it refuses. The
// hello carries the cluster id so that a node of another cluster that now listens on a port this
// cluster used (or a node still configured for an old cluster) is told why and kept out, instead of
// having its votes and entries mixed into the wrong log.
import type { NodeId } from '../raft/types.js';
import { fail, isObject, nodeId, object, oneOf, show, string, uint, validate } from '../schema/json-shape.js';

/** Bump on any change to the frames or messages: a node refuses any other version. */
export const PROTOCOL_VERSION = 1;

/** The limit on a connection's first frame: a hello is small, so a stranger cannot make a node buffer much. */
export const HELLO_MAX_FRAME_BYTES = 4096;

export const MAX_CLUSTER_ID_LENGTH = 128;

export type ConnectionKind = 'peer' | 'client';

export interface Hello {
  type: 'hello';
  version: number;
  clusterId: string;
  /** The sender: a node's id, or a number a client picks for itself (0 when it has none). */
  from: number;
  kind: ConnectionKind;
}

export type ErrorCode =
  /** A frame's length prefix is over the limit. */
  | 'frame-too-large'
  /** A frame's body is not UTF-8 JSON. */
  | 'bad-frame'
  /** The first frame is not a hello, or none came within the hello timeout. */
  | 'expected-hello'
  /** A hello with missing or mistyped fields, or one that claims the receiver's own id. */
  | 'bad-hello'
  | 'wrong-version'
  | 'wrong-cluster'
  /** The dialed address answered with another node's id. */
  | 'wrong-node'
  /** A peer frame after the hello that is not a valid message for this node. */
  | 'invalid-message'
  /** A client frame the node's request validator refused. */
  | 'invalid-request'
  /** The connection's unfinished frame would pass the node's budget for unfinished frames. */
  | 'over-budget'
  /** A frame begun after the hello did not complete within the frame timeout. */
  | 'frame-timeout'
  /** The node has no room for another client (or for another connection in its hello). */
  | 'too-many-connections';

export const ERROR_CODES: readonly ErrorCode[] = [
  'frame-too-large',
  'bad-frame',
  'expected-hello',
  'bad-hello',
  'wrong-version',
  'wrong-cluster',
  'wrong-node',
  'invalid-message',
  'invalid-request',
  'over-budget',
  'frame-timeout',
  'too-many-connections',
];

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  reason: string;
}

/** Checks `clusterId` by the rule every hello is held to; throws for a bad local configuration. */
export function checkClusterId(clusterId: string): void {
  if (clusterId.length === 0 || clusterId.length > MAX_CLUSTER_ID_LENGTH)
    throw new RangeError(`a cluster id must have 1 to ${MAX_CLUSTER_ID_LENGTH} characters, got ${show(clusterId)}`);
}

/** What the receiver of a hello is, and expects. */
export interface HelloExpectation {
  clusterId: string;
  self: NodeId;
  /** Set by the dialing side: the node it dialed, which must be the one that answers. */
  peer?: NodeId;
}

export type HelloCheck = { ok: true; hello: Hello } | { ok: false; code: ErrorCode; reason: string };

/**
 * Checks a connection's first frame. The version is checked before the other fields, since
 * another version may lay them out differently: a newer node is told "wrong version", not "bad hello".
 */
export function checkHello(value: unknown, expect: HelloExpectation): HelloCheck {
  if (!isObject(value) || value.type !== 'hello')
    return { ok: false, code: 'expected-hello', reason: `the first frame must be a hello, got ${show(value)}` };
  if (value.version !== PROTOCOL_VERSION)
    return {
      ok: false,
      code: 'wrong-version',
      reason: `this node speaks protocol version ${PROTOCOL_VERSION}, the hello says ${show(value.version)}`,
    };
  const shape = validate((): Hello => {
    const o = object(value, '', ['type', 'version', 'clusterId', 'from', 'kind']);
    const clusterId = string(o, 'clusterId');
    if (clusterId.length === 0 || clusterId.length > MAX_CLUSTER_ID_LENGTH)
      fail(`clusterId must have 1 to ${MAX_CLUSTER_ID_LENGTH} characters, got ${clusterId.length}`);
    const kind = oneOf(o, 'kind', ['peer', 'client'] as const);
    const from = kind === 'peer' ? nodeId(o, 'from') : uint(o, 'from');
    return { type: 'hello', version: PROTOCOL_VERSION, clusterId, from, kind };
  });
  if (!shape.ok) return { ok: false, code: 'bad-hello', reason: shape.problem };
  const hello = shape.value;
  if (hello.clusterId !== expect.clusterId)
    return {
      ok: false,
      code: 'wrong-cluster',
      reason: `this node belongs to cluster ${show(expect.clusterId)}, the hello from ${sender(hello)} says ${show(hello.clusterId)} (a node of another cluster, or one left over on a reused port?)`,
    };
  if (expect.peer !== undefined && (hello.kind !== 'peer' || hello.from !== expect.peer))
    return {
      ok: false,
      code: 'wrong-node',
      reason: `dialed n${expect.peer}, but ${sender(hello)} answered`,
    };
  if (hello.kind === 'peer' && hello.from === expect.self)
    return { ok: false, code: 'bad-hello', reason: `the hello claims to come from n${expect.self}, this node's own id` };
  return { ok: true, hello };
}

const sender = (hello: Hello): string => (hello.kind === 'peer' ? `n${hello.from}` : `client ${hello.from}`);

export function helloFrame(clusterId: string, from: number, kind: ConnectionKind): Hello {
  return { type: 'hello', version: PROTOCOL_VERSION, clusterId, from, kind };
}

export function errorFrame(code: ErrorCode, reason: string): ErrorFrame {
  return { type: 'error', code, reason };
}

/**
 * The code and reason of an error frame, or null when `value` is not one. Lenient on purpose: the
 * connection is closing whatever it says, and a garbled error frame is still worth showing.
 */
export function readErrorFrame(value: unknown): { code: string; reason: string } | null {
  if (!isObject(value) || value.type !== 'error') return null;
  const text = (v: unknown, fallback: string): string => (typeof v === 'string' ? v.slice(0, 500) : fallback);
  return { code: text(value.code, 'unknown'), reason: text(value.reason, '(no reason given)') };
}
