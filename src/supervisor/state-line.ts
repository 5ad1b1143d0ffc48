// Checks a node's "state" line (src/node/event-stream.ts) before the supervisor puts it in the model
// and feeds it to the safety monitor: a node's stdout is a process boundary like any other. A line
// that does not have the shape is refused with the first problem, and the node's last good state
// stays in the model.
import { DIGEST_PATTERN } from '../kv/index.js';
import { array, fail, has, isNodeId, isObject, nodeId, object, oneOf, show, uint, validate, type JsonObject, type Validation } from '../schema/json-shape.js';
import type { Role } from '../raft/types.js';
import type { FollowerProgress, NodeRaftState, StateTimer } from '../cluster-model/model.js';

const ROLES: readonly Role[] = ['follower', 'pre-candidate', 'candidate', 'leader'];
const FIELDS = ['role', 'term', 'vote', 'leader', 'commit', 'applied', 'firstIndex', 'lastIndex', 'lastTerm', 'snapshotIndex', 'membership', 'runs', 'timer', 'progress', 'digests', 'durable'];

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
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) fail(`${path}[0] must be a non-negative integer, got ${show(index)}`);
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
    out[Number(id)] = { match: uint(o, 'match', path), next: uint(o, 'next', path), state: oneOf(o, 'state', ['probe', 'replicate', 'snapshot'], path) };
  }
  return out;
}

function durable(v: unknown): { term: number; commit: number } {
  const o = object(v, 'durable', ['term', 'commit']);
  return { term: uint(o, 'term', 'durable'), commit: uint(o, 'commit', 'durable') };
}

/** The fields of a state line (without ts, node and kind) as the model's NodeRaftState. */
export function readStateLine(data: JsonObject): Validation<NodeRaftState> {
  return validate((): NodeRaftState => {
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
      runs: pairs(o, 'runs', term),
      timer: timer(o.timer),
      progress: progress(o.progress),
      digests: pairs(o, 'digests', digest),
      ...(has(o, 'durable') ? { durable: durable(o.durable) } : {}),
    };
  });
}
