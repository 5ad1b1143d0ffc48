// The schema of the Raft messages peers exchange (src/raft/types.ts), checked by hand on every
// inbound frame before it reaches the core. The core trusts its input: a negative term, an entry
// out of place or a stray field would be persisted and replicated, so anything that is not exactly
// a message of types.ts, addressed to this node by the peer that said hello, is refused.
import { MAX_TERM_OR_INDEX, type ConfChangeType, type Message, type MessageType, type NodeId, type VoteRefusal } from '../raft/types.js';
import {
  array,
  boolean,
  fail,
  has,
  isNodeId,
  isObject,
  nodeId,
  object,
  oneOf,
  show,
  string,
  uintAtMost,
  validate,
  type JsonObject,
  type Validation,
} from '../schema/json-shape.js';

/** Who may send a message on a connection, and to whom. */
export interface Route {
  /** This node: every message must be addressed to it. */
  self: NodeId;
  /** The peer named by the connection's hello: every message must come from it. */
  sender: NodeId;
}

/**
 * Every integer of a message is a term or an index (or a count of them): refused beyond
 * MAX_TERM_OR_INDEX, so that no peer can move a node's term where term + 1 is no longer exact.
 */
const count = (o: JsonObject, key: string, path = ''): number => uintAtMost(o, key, MAX_TERM_OR_INDEX, path);

const BASE_FIELDS = ['type', 'from', 'to', 'term'] as const;

/** The fields of each message type besides the base ones; optional fields included. */
const FIELDS: Record<MessageType, readonly string[]> = {
  'pre-vote': ['lastLogIndex', 'lastLogTerm', 'transfer'],
  vote: ['lastLogIndex', 'lastLogTerm', 'transfer'],
  'pre-vote-response': ['granted', 'reason'],
  'vote-response': ['granted', 'reason'],
  append: ['prevLogIndex', 'prevLogTerm', 'entries', 'leaderCommit'],
  'append-response': ['success', 'index', 'conflictTerm', 'conflictIndex'],
  heartbeat: ['commit', 'context'],
  'heartbeat-response': ['context'],
  snapshot: ['snapshot'],
  'timeout-now': [],
};

export const MESSAGE_TYPES = Object.keys(FIELDS) as MessageType[];

const VOTE_REFUSALS: readonly VoteRefusal[] = ['stale-term', 'already-voted', 'log-not-up-to-date', 'leader-alive', 'recovering'];
const CONF_CHANGE_TYPES: readonly ConfChangeType[] = ['add-learner', 'promote', 'remove'];

/** `value` as a Message of types.ts sent by `route.sender` to `route.self`, or the first problem. */
export function validateMessage(value: unknown, route: Route): Validation<Message> {
  return validate(() => readMessage(value, route));
}

function readMessage(value: unknown, route: Route): Message {
  if (!isObject(value)) fail(`a message must be a JSON object, got ${show(value)}`);
  const type = value.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) fail(`unknown message type ${show(type)}`);
  const t = type as MessageType;
  const o = object(value, '', [...BASE_FIELDS, ...FIELDS[t]]);
  const from = nodeId(o, 'from');
  if (from !== route.sender) fail(`from is n${from}, but this connection's hello came from n${route.sender}`);
  const to = nodeId(o, 'to');
  if (to !== route.self) fail(`to is n${to}, but this is n${route.self}`);
  const term = count(o, 'term');
  switch (t) {
    case 'pre-vote':
    case 'vote':
      count(o, 'lastLogIndex');
      count(o, 'lastLogTerm');
      if (has(o, 'transfer')) boolean(o, 'transfer');
      break;
    case 'pre-vote-response':
    case 'vote-response':
      boolean(o, 'granted');
      if (has(o, 'reason')) oneOf(o, 'reason', VOTE_REFUSALS);
      break;
    case 'append':
      readAppend(o, term);
      break;
    case 'append-response':
      boolean(o, 'success');
      count(o, 'index');
      count(o, 'conflictTerm');
      count(o, 'conflictIndex');
      break;
    case 'heartbeat':
      count(o, 'commit');
      if (has(o, 'context')) string(o, 'context');
      break;
    case 'heartbeat-response':
      if (has(o, 'context')) string(o, 'context');
      break;
    case 'snapshot':
      readSnapshot(o);
      break;
    case 'timeout-now':
      break;
  }
  return o as unknown as Message;
}

/**
 * AppendEntries: beyond each entry's shape, the entries must be the slice of a Raft log that
 * follows prevLogIndex, as the core's arithmetic assumes (`entries[i].index = prevLogIndex + 1 + i`),
 * with terms that never decrease (a log's terms do not) and none above the leader's term.
 */
function readAppend(o: JsonObject, term: number): void {
  const prevLogIndex = count(o, 'prevLogIndex');
  let lastTerm = count(o, 'prevLogTerm');
  count(o, 'leaderCommit');
  array(o, 'entries').forEach((value, i) => {
    const path = `entries[${i}]`;
    const e = readEntry(value, path);
    if (e.index !== prevLogIndex + 1 + i)
      fail(`${path}.index must be ${prevLogIndex + 1 + i} (the entries follow prevLogIndex ${prevLogIndex} in order), got ${e.index}`);
    if (e.term < lastTerm) fail(`${path}.term is ${e.term}, below the term ${lastTerm} before it: a log's terms never decrease`);
    if (e.term > term) fail(`${path}.term is ${e.term}, above the leader's term ${term}`);
    lastTerm = e.term;
  });
}

function readEntry(value: unknown, path: string): { index: number; term: number } {
  if (!isObject(value)) fail(`${path} must be a JSON object, got ${show(value)}`);
  const type = oneOf(value, 'type', ['normal', 'noop', 'config'] as const, path);
  const fields = { normal: ['data'], noop: [], config: ['change', 'membership'] }[type];
  const e = object(value, path, ['type', 'term', 'index', ...fields]);
  const index = count(e, 'index', path);
  if (index < 1) fail(`${path}.index must be at least 1 (the log starts at 1), got 0`);
  const term = count(e, 'term', path);
  if (type === 'normal') string(e, 'data', path);
  if (type === 'config') {
    const change = object(e.change, `${path}.change`, ['type', 'node']);
    oneOf(change, 'type', CONF_CHANGE_TYPES, `${path}.change`);
    nodeId(change, 'node', `${path}.change`);
    readMembership(e.membership, `${path}.membership`);
  }
  return { index, term };
}

function readSnapshot(o: JsonObject): void {
  const snapshot = object(o.snapshot, 'snapshot', ['meta', 'data']);
  const meta = object(snapshot.meta, 'snapshot.meta', ['index', 'term', 'membership']);
  count(meta, 'index', 'snapshot.meta');
  count(meta, 'term', 'snapshot.meta');
  readMembership(meta.membership, 'snapshot.meta.membership');
  string(snapshot, 'data', 'snapshot');
}

/** Voters and learners: node ids in ascending order without repeats (as the core keeps them), no id in both. */
function readMembership(value: unknown, path: string): void {
  const m = object(value, path, ['voters', 'learners']);
  const ids = (key: string): Set<NodeId> => {
    const list = array(m, key, path);
    list.forEach((id, i) => {
      if (!isNodeId(id)) fail(`${path}.${key}[${i}] must be a node id (an integer from 1), got ${show(id)}`);
      if (i > 0 && id <= (list[i - 1] as number)) fail(`${path}.${key} must be in ascending order without repeats, got ${show(list)}`);
    });
    return new Set(list as NodeId[]);
  };
  const voters = ids('voters');
  for (const id of ids('learners')) if (voters.has(id)) fail(`${path}: n${id} is both a voter and a learner`);
}
