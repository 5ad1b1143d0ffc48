// A node's "state" line (event-stream.ts): its Raft state, written whenever it changed, and read back
// by the supervisor, which puts it in the model and feeds it to the safety monitor. The node's stdout
// is a process boundary like any other, so the reader checks every field; a line that does not have
// the shape is refused with the first problem.
import { DIGEST_PATTERN } from '../kv/digest.js';
import {
  array,
  fail,
  has,
  isNodeId,
  isObject,
  nodeId,
  object,
  oneOf,
  show,
  uint,
  validate,
  type JsonObject,
  type Validation,
} from '../schema/json-shape.js';
import type { ProgressState } from '../raft/progress.js';
import { MESSAGE_TYPES } from '../transport/message-schema.js';
import type { Membership, NodeId, Role } from '../raft/types.js';

/**
 * The running timer, as the wall-clock time (Date.now() base) it fires unless something resets it:
 * a voter's election timer, or the leader's next heartbeat.
 */
export type StateTimer =
  { kind: 'election'; deadline: number; timeoutMs: number } | { kind: 'heartbeat'; deadline: number; intervalMs: number };

/** The leader's view of one follower (RaftStatus.progress, trimmed). */
export interface FollowerProgress {
  match: number;
  next: number;
  state: ProgressState;
}

/** The fields of a state line besides ts, node and kind: the node's state as it last reported it. */
export interface StateLine {
  role: Role;
  term: number;
  /** 0 when it voted for no one in this term. */
  vote: NodeId;
  /** 0 when it knows of no leader. */
  leader: NodeId;
  lastIndex: number;
  lastTerm: number;
  commit: number;
  applied: number;
  firstIndex: number;
  snapshotIndex: number;
  membership: Membership;
  /**
   * Index of the configuration entry `membership` comes from (a node uses its latest one, committed
   * or not: dissertation 4.1); 0 when the bootstrap or a snapshot holds it. At or below `commit`:
   * the configuration is committed. Absent from engines that do not say (etcd).
   */
  configIndex?: number;
  /** The log's term runs, [first index of the run, term], ascending, over at most its last 1,000 entries after the snapshot. */
  runs: Array<[number, number]>;
  /** When the node's election timer fires (a voter) or its next heartbeat is due (the leader); null on a learner or a removed node. */
  timer: StateTimer | null;
  /** On a leader, its view of each follower by id; empty elsewhere. */
  progress: Record<number, FollowerProgress>;
  /**
   * The node's applied-state digest (src/kv/digest.ts) as [index, digest], ascending: at its latest
   * applied indexes that are multiples of 64 and at its applied index. Equal on two nodes at one
   * index only if they applied the same entries up to it.
   */
  digests: Array<[number, string]>;
  /** The term and commit index on the node's disk (the fields above may be ahead of it, in a save under way): what the supervisor records as acknowledged. */
  durable?: { term: number; commit: number };
  /**
   * How many messages of each type the node's core sent to each peer since its process started
   * (held ones counted once sent on), by peer then type: who sends what to whom, for the messages view.
   */
  sent?: Array<{ to: NodeId; type: string; count: number }>;
}

const ROLES: readonly Role[] = ['follower', 'pre-candidate', 'candidate', 'leader'];
const PROGRESS_STATES: readonly ProgressState[] = ['probe', 'replicate', 'snapshot'];
const FIELDS = [
  'role',
  'term',
  'vote',
  'leader',
  'commit',
  'applied',
  'firstIndex',
  'lastIndex',
  'lastTerm',
  'snapshotIndex',
  'membership',
  'configIndex',
  'runs',
  'timer',
  'progress',
  'digests',
  'durable',
  'sent',
];

function ids(o: JsonObject, key: string, path: string): number[] {
  return array(o, key, path).map((v, i) => {
    if (!isNodeId(v)) fail(`${path}.${key}[${i}] must be a node id, got ${show(v)}`);
    return v;
  });
}

/** An array of [index, x] pairs, the index a non-negative integer and x read by `second`. */
function pairs<T>(o: JsonObject, key: string, second: (v: unknown, path: string) => T): Array<[number, T]> {
  return array(o, key).map((p, i) => {
    const path = `${key}[${i}]`;
    if (!Array.isArray(p) || p.length !== 2) fail(`${path} must be a pair, got ${show(p)}`);
    const [index, x] = p as [unknown, unknown];
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0)
      fail(`${path}[0] must be a non-negative integer, got ${show(index)}`);
    return [index, second(x, `${path}[1]`)];
  });
}

function term(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${path} must be a non-negative integer, got ${show(v)}`);
  return v;
}

function digest(v: unknown, path: string): string {
  if (typeof v !== 'string' || !DIGEST_PATTERN.test(v)) fail(`${path} must be a digest of 16 hex digits, got ${show(v)}`);
  return v;
}

function timer(v: unknown): StateTimer | null {
  if (v === null) return null;
  const kind = oneOf(object(v, 'timer', ['kind', 'deadline', 'timeoutMs', 'intervalMs']), 'kind', ['election', 'heartbeat'], 'timer');
  if (kind === 'election') {
    const t = object(v, 'timer', ['kind', 'deadline', 'timeoutMs']);
    return { kind, deadline: uint(t, 'deadline', 'timer'), timeoutMs: uint(t, 'timeoutMs', 'timer') };
  }
  const t = object(v, 'timer', ['kind', 'deadline', 'intervalMs']);
  return { kind, deadline: uint(t, 'deadline', 'timer'), intervalMs: uint(t, 'intervalMs', 'timer') };
}

function progress(v: unknown): Record<number, FollowerProgress> {
  if (!isObject(v)) fail(`progress must be a JSON object, got ${show(v)}`);
  const out: Record<number, FollowerProgress> = {};
  for (const [id, p] of Object.entries(v)) {
    const path = `progress.${id}`;
    if (!isNodeId(Number(id)) || String(Number(id)) !== id) fail(`${path}: progress is keyed by node id`);
    const o = object(p, path, ['match', 'next', 'state']);
    out[Number(id)] = { match: uint(o, 'match', path), next: uint(o, 'next', path), state: oneOf(o, 'state', PROGRESS_STATES, path) };
  }
  return out;
}

function sent(v: unknown): NonNullable<StateLine['sent']> {
  if (!Array.isArray(v)) fail(`sent must be an array, got ${show(v)}`);
  return v.map((x, i) => {
    const path = `sent[${i}]`;
    const o = object(x, path, ['to', 'type', 'count']);
    return { to: nodeId(o, 'to', path), type: oneOf(o, 'type', MESSAGE_TYPES, path), count: uint(o, 'count', path) };
  });
}

function durable(v: unknown): { term: number; commit: number } {
  const o = object(v, 'durable', ['term', 'commit']);
  return { term: uint(o, 'term', 'durable'), commit: uint(o, 'commit', 'durable') };
}

/** The fields of a state line (without ts, node and kind), checked. */
export function readStateLine(data: JsonObject): Validation<StateLine> {
  return validate((): StateLine => {
    const o = object(data, 'state', FIELDS);
    const membership = object(o.membership, 'membership', ['voters', 'learners']);
    const vote = uint(o, 'vote');
    const leader = uint(o, 'leader');
    return {
      role: oneOf(o, 'role', ROLES),
      term: uint(o, 'term'),
      // 0 means none.
      vote: vote === 0 ? 0 : nodeId(o, 'vote'),
      leader: leader === 0 ? 0 : nodeId(o, 'leader'),
      commit: uint(o, 'commit'),
      applied: uint(o, 'applied'),
      firstIndex: uint(o, 'firstIndex'),
      lastIndex: uint(o, 'lastIndex'),
      lastTerm: uint(o, 'lastTerm'),
      snapshotIndex: uint(o, 'snapshotIndex'),
      membership: { voters: ids(membership, 'voters', 'membership'), learners: ids(membership, 'learners', 'membership') },
      ...(has(o, 'configIndex') ? { configIndex: uint(o, 'configIndex') } : {}),
      runs: pairs(o, 'runs', term),
      timer: timer(o.timer),
      progress: progress(o.progress),
      digests: pairs(o, 'digests', digest),
      ...(has(o, 'durable') ? { durable: durable(o.durable) } : {}),
      ...(has(o, 'sent') ? { sent: sent(o.sent) } : {}),
    };
  });
}
