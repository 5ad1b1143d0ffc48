// What the supervisor reads from a node's stdout: one NDJSON line per event (src/node/event-stream.ts).
// The node is our own program, but a line is still input from another process: it is parsed with
// the depth limit, and a "state" line, which the model stores and the safety monitor reasons on, is
// checked field by field before the model takes it. A line that fails is reported as the node's
// bad output.
import { array, fail, isNodeId, isObject, object, oneOf, show, uint, validate, type JsonObject, type Validation } from '../schema/json-shape.js';
import { parseUntrustedJson } from '../schema/untrusted-json.js';

const ROLES = ['follower', 'pre-candidate', 'candidate', 'leader'] as const;
const COUNTS = ['term', 'vote', 'leader', 'lastIndex', 'lastTerm', 'commit', 'applied', 'firstIndex', 'snapshotIndex'];

/** One line of a node's stdout as a JSON object (a state line checked as NodeRaftState), or why not. */
export function parseNodeLine(text: string): Validation<JsonObject> {
  const json = parseUntrustedJson(text, 'the line');
  if (!json.ok) return { ok: false, problem: json.problem };
  const value = json.value;
  if (!isObject(value)) return { ok: false, problem: `the line must be a JSON object, got ${show(value)}` };
  if (value.kind !== 'state') return { ok: true, value };
  return validate(() => {
    checkState(value);
    return value;
  });
}

/**
 * The fields of NodeRaftState (model.ts) that the model and the safety monitor use. Other fields
 * pass as they are: a newer node may report more.
 */
function checkState(o: JsonObject): void {
  oneOf(o, 'role', ROLES);
  for (const key of COUNTS) uint(o, key);
  const membership = object(o.membership, 'membership', ['voters', 'learners']);
  for (const key of ['voters', 'learners'])
    array(membership, key, 'membership').forEach((id, i) => {
      if (!isNodeId(id)) fail(`membership.${key}[${i}] must be a node id, got ${show(id)}`);
    });
  array(o, 'runs').forEach((run, i) => {
    if (!Array.isArray(run) || run.length !== 2 || !run.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0))
      fail(`runs[${i}] must be [first index, term], got ${show(run)}`);
  });
  if (o.timer !== null) {
    const timer = object(o.timer, 'timer', ['kind', 'deadline', 'timeoutMs', 'intervalMs']);
    oneOf(timer, 'kind', ['election', 'heartbeat'] as const, 'timer');
    uint(timer, 'deadline', 'timer');
  }
  if (!isObject(o.progress)) fail(`progress must be an object of follower id -> { match, next, state }, got ${show(o.progress)}`);
  for (const [id, p] of Object.entries(o.progress)) {
    const f = object(p, `progress.${id}`, ['match', 'next', 'state']);
    uint(f, 'match', `progress.${id}`);
    uint(f, 'next', `progress.${id}`);
  }
}
