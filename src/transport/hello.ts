// The control frames of the protocol (docs/PROTOCOL.md): the hellos and the proof that open every
// connection, and the error frame a node sends before it closes a connection it refuses. The
// hello carries the cluster id so that a node of another cluster that now listens on a port this
// cluster used (or a node still configured for an old cluster) is told why and kept out, instead of
// having its votes and entries mixed into the wrong log. Then each side proves it holds the cluster
// secret (secret.ts): an HMAC over both sides' fresh nonces, their roles and ids, so a proof seen
// once can neither be replayed on another connection nor reflected back at its sender.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NodeId } from '../raft/types.js';
import { fail, isObject, nodeId, object, oneOf, show, string, uint, validate } from '../schema/json-shape.js';
import type { ClusterSecret } from './secret.js';

/** Bump on any change to the frames or messages: a node refuses any other version. */
export const PROTOCOL_VERSION = 2;

/** Bytes of a hello's nonce (sent as twice as many hex digits), and of a proof (HMAC-SHA256). */
export const NONCE_BYTES = 32;
export const PROOF_BYTES = 32;

/** The limit on the frames of the handshake (hellos, proof): they are small, so a stranger cannot make a node buffer much. */
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
  /** Fresh random bytes, hex: what the other side's proof must cover. */
  nonce: string;
  /** In the listener's answer only: its proof (see proofOf). */
  proof?: string;
}

/** The dialer's third frame: its proof, once it has checked the listener's. */
export interface ProofFrame {
  type: 'proof';
  proof: string;
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
  /** A peer hello from a node id that is not a member this node knows. */
  | 'unknown-peer'
  /** A missing or wrong proof: the other side does not hold the cluster secret. */
  | 'auth-failed'
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
  'unknown-peer',
  'auth-failed',
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
  /** Set by the dialing side: the answer must carry the listener's proof. */
  answer?: boolean;
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
    const answer = expect.answer === true;
    const o = object(value, '', ['type', 'version', 'clusterId', 'from', 'kind', 'nonce', ...(answer ? ['proof'] : [])]);
    const clusterId = string(o, 'clusterId');
    if (clusterId.length === 0 || clusterId.length > MAX_CLUSTER_ID_LENGTH)
      fail(`clusterId must have 1 to ${MAX_CLUSTER_ID_LENGTH} characters, got ${clusterId.length}`);
    const kind = oneOf(o, 'kind', ['peer', 'client'] as const);
    const from = kind === 'peer' ? nodeId(o, 'from') : uint(o, 'from');
    const nonce = hex(string(o, 'nonce'), NONCE_BYTES, 'nonce');
    const hello: Hello = { type: 'hello', version: PROTOCOL_VERSION, clusterId, from, kind, nonce };
    if (answer) hello.proof = hex(string(o, 'proof'), PROOF_BYTES, 'proof');
    return hello;
  });
  if (!shape.ok) return { ok: false, code: 'bad-hello', reason: shape.problem };
  const hello = shape.value;
  if (hello.clusterId !== expect.clusterId)
    return {
      ok: false,
      code: 'wrong-cluster',
      // Without either id: the cluster id is no secret, but nothing is gained by handing it out.
      reason: `the hello from ${sender(hello)} names another cluster than this node's (a node of another cluster, or one left over on a reused port?)`,
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

function hex(text: string, bytes: number, field: string): string {
  if (!new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(text))
    fail(`${field} must be ${bytes * 2} lowercase hex digits, got ${show(text.slice(0, 80))}`);
  return text;
}

/** A fresh nonce for a hello. */
export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('hex');
}

/** The dialer's hello; the listener answers it with answerFrame. */
export function helloFrame(clusterId: string, from: number, kind: ConnectionKind, nonce: string): Hello {
  return { type: 'hello', version: PROTOCOL_VERSION, clusterId, from, kind, nonce };
}

/** Everything a proof covers: both hellos' senders and nonces, in a fixed order. */
export interface Handshake {
  clusterId: string;
  /** The dialer's hello: its kind, `from` and nonce. */
  dialer: { kind: ConnectionKind; from: number; nonce: string };
  /** The listener: its node id and the nonce of its answer. */
  listener: { id: NodeId; nonce: string };
}

export type Role = 'dialer' | 'listener';

/**
 * The proof `role` sends: HMAC-SHA256, keyed with the secret, of these lines joined by "\n":
 * "raft-console hello 2", the role, the cluster id, the dialer's kind, the dialer's from, the
 * listener's id, the dialer's nonce, the listener's nonce. Both nonces make it good for this
 * connection only (no replay); the role makes the listener's proof useless as a dialer's (no
 * reflection); the ids bind it to who claims to speak.
 */
export function proofOf(secret: ClusterSecret, role: Role, h: Handshake): string {
  const text = [
    `raft-console hello ${PROTOCOL_VERSION}`,
    role,
    h.clusterId,
    h.dialer.kind,
    String(h.dialer.from),
    String(h.listener.id),
    h.dialer.nonce,
    h.listener.nonce,
  ].join('\n');
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

export type ProofCheck = { ok: true } | { ok: false; code: ErrorCode; reason: string };

const NO_SECRET_HINT =
  'the two sides do not hold the same cluster secret (a node reads it with --secret-file <cluster folder>/secret; a client from the same file, or its --secret-file)';

/** Whether `proof` (already checked to be hex of PROOF_BYTES) is `role`'s proof; a constant-time comparison. */
export function checkProof(proof: string, secret: ClusterSecret, role: Role, h: Handshake): ProofCheck {
  const expected = Buffer.from(proofOf(secret, role, h), 'hex');
  const given = Buffer.from(proof, 'hex');
  if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  return { ok: false, code: 'auth-failed', reason: `the ${role}'s proof does not match: ${NO_SECRET_HINT}` };
}

/** The listener's side: the dialer's third frame must be its proof; then checkProof. */
export function checkProofFrame(value: unknown, secret: ClusterSecret, h: Handshake): ProofCheck {
  if (!isObject(value) || value.type !== 'proof')
    return { ok: false, code: 'auth-failed', reason: `after the hellos the dialer must send its proof, got ${show(value)}` };
  const shape = validate(() => hex(string(object(value, '', ['type', 'proof']), 'proof'), PROOF_BYTES, 'proof'));
  if (!shape.ok) return { ok: false, code: 'auth-failed', reason: shape.problem };
  return checkProof(shape.value, secret, 'dialer', h);
}

/** The listener's answer to a hello: its own hello, with a nonce and its proof. */
export function answerFrame(secret: ClusterSecret, h: Handshake): Hello {
  return { ...helloFrame(h.clusterId, h.listener.id, 'peer', h.listener.nonce), proof: proofOf(secret, 'listener', h) };
}

export function proofFrame(secret: ClusterSecret, h: Handshake): ProofFrame {
  return { type: 'proof', proof: proofOf(secret, 'dialer', h) };
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
