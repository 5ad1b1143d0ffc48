// Readers for the cluster model where it crosses a process boundary: the supervisor's messages to
// a control client (control-protocol.ts) and, for its timing, switches and snapshot threshold, cluster.json. The
// supervisor is our own program, but a message on its WebSocket is still input from another
// process, read with the depth limit and checked field by field like every other boundary; a
// node's Raft state inside it is checked by the node's own state-line reader.
import { readStateLine } from '../node/state-line.js';
import { readHeldDetail } from '../node/step-line.js';
import { KNOWN_BUG_NAMES } from '../raft/config.js';
import {
  array,
  at,
  boolean,
  fail,
  field,
  has,
  intAtLeast,
  isNodeId,
  isObject,
  nodeId,
  object,
  oneOf,
  parseJson,
  show,
  string,
  stringOrNull,
  uint,
  validate,
  type JsonObject,
  type Validation,
} from '../schema/json-shape.js';
import type { ControlMessage } from './control-protocol.js';
import { ClusterError, readClusterProblem } from './errors.js';
import type {
  ClusterEvent,
  ClusterModel,
  HeldMessage,
  LinkFaultModel,
  NodeModel,
  NodeProcess,
  RaftSwitches,
  SafetyVerdict,
  StepModel,
  Timing,
} from './model.js';
import { HELD_ID, PROCESS_STATES } from './model.js';
import { readOutcome } from './outcome.js';
import { SPEED_PRESETS } from './timing.js';
import { ENGINE_KINDS, type EngineInfo, type EtcdNodeInfo, type StateField } from './engine.js';

const STATE_FIELDS: readonly StateField[] = [
  'vote',
  'lastIndex',
  'lastTerm',
  'firstIndex',
  'snapshotIndex',
  'runs',
  'timer',
  'progress',
  'digests',
];

function readEngine(o: JsonObject, path: string): EngineInfo {
  const kind = oneOf(o, 'kind', ENGINE_KINDS, path);
  if (kind === 'raft-console') return { kind };
  const unreported = array(o, 'unreported', path);
  return {
    kind,
    version: stringOrNull(o, 'version', path),
    clusterIdHex: stringOrNull(o, 'clusterIdHex', path),
    remote: boolean(o, 'remote', path),
    writable: boolean(o, 'writable', path),
    unreported: unreported.map((_, i) => oneOf(unreported, i, STATE_FIELDS, at(path, 'unreported'))),
    ...(has(o, 'timingKnown') ? { timingKnown: boolean(o, 'timingKnown', path) } : {}),
  };
}

function readEtcdNode(o: JsonObject, path: string): EtcdNodeInfo {
  const dbSize = field(o, 'dbSize');
  if (dbSize !== null && (typeof dbSize !== 'number' || !Number.isSafeInteger(dbSize) || dbSize < 0))
    fail(`${at(path, 'dbSize')} must be a size in bytes or null, got ${show(dbSize)}`);
  const memberId = string(o, 'memberId', path);
  if (!/^(|[0-9a-f]{1,16})$/.test(memberId)) fail(`${at(path, 'memberId')} must be a member id in hex, got ${show(memberId)}`);
  return {
    memberId,
    name: string(o, 'name', path),
    clientUrl: string(o, 'clientUrl', path),
    peerUrl: string(o, 'peerUrl', path),
    learner: boolean(o, 'learner', path),
    dbSize,
  };
}

const PROPERTIES = ['Election Safety', 'Log Matching', 'Leader Completeness', 'State Machine Safety'] as const;
const ERROR_CODES = ['unauthorized', 'bad-request', 'shutting-down'] as const;

export function readTiming(t: JsonObject, path: string): Timing {
  const where = at(path, 'electionTimeoutMs');
  const range = object(field(t, 'electionTimeoutMs'), where);
  return {
    preset: oneOf(t, 'preset', [...SPEED_PRESETS, 'custom'], path),
    electionTimeoutMs: { min: uint(range, 'min', where), max: uint(range, 'max', where) },
    heartbeatMs: uint(t, 'heartbeatMs', path),
    tickMs: uint(t, 'tickMs', path),
  };
}

export function readSwitches(s: JsonObject, path: string): RaftSwitches {
  const bugs = array(s, 'bugs', path);
  return {
    preVote: boolean(s, 'preVote', path),
    checkQuorum: boolean(s, 'checkQuorum', path),
    bugs: bugs.map((_, i) => oneOf(bugs, i, KNOWN_BUG_NAMES, at(path, 'bugs'))),
  };
}

export function readSnapshotEvery(o: JsonObject, path: string): number {
  return intAtLeast(o, 'snapshotEvery', 1, path);
}

function ids(list: unknown[], path: string): number[] {
  return list.map((_, i) => nodeId(list, i, path));
}

/** A number that may be null (a pid before the process started, an exit code before it exited). */
function intOrNull(o: JsonObject, key: string, path: string): number | null {
  const v = field(o, key);
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(`${at(path, key)} must be an integer or null, got ${show(v)}`);
  return v;
}

function readProcess(o: JsonObject, path: string): NodeProcess {
  const tail = array(o, 'stderrTail', path);
  return {
    state: oneOf(o, 'state', PROCESS_STATES, path),
    pid: intOrNull(o, 'pid', path),
    exitCode: intOrNull(o, 'exitCode', path),
    signal: stringOrNull(o, 'signal', path),
    stderrTail: tail.map((_, i) => string(tail, i, at(path, 'stderrTail'))),
    startedAt: intOrNull(o, 'startedAt', path),
    restarts: uint(o, 'restarts', path),
  };
}

function readNode(v: unknown, path: string): NodeModel {
  const o = object(v, path);
  const raft = field(o, 'raft');
  let state: NodeModel['raft'] = null;
  if (raft !== null) {
    const read = readStateLine(object(raft, at(path, 'raft')));
    if (!read.ok) fail(`${at(path, 'raft')}: ${read.problem}`);
    state = read.value;
  }
  return {
    id: nodeId(o, 'id', path),
    address: string(o, 'address', path),
    dataDir: string(o, 'dataDir', path),
    process: readProcess(object(field(o, 'process'), at(path, 'process')), at(path, 'process')),
    raft: state,
    removed: boolean(o, 'removed', path),
    ...(has(o, 'etcd') ? { etcd: readEtcdNode(object(field(o, 'etcd'), at(path, 'etcd')), at(path, 'etcd')) } : {}),
  };
}

function readLink(v: unknown, path: string): LinkFaultModel {
  const o = object(v, path);
  const loss = field(o, 'loss');
  if (typeof loss !== 'number' || !(loss >= 0 && loss <= 1)) fail(`${at(path, 'loss')} must be a probability, got ${show(loss)}`);
  return {
    from: nodeId(o, 'from', path),
    to: nodeId(o, 'to', path),
    blocked: boolean(o, 'blocked', path),
    delayMs: uint(o, 'delayMs', path),
    loss,
  };
}

function readEvent(v: unknown, path: string): ClusterEvent {
  const o = object(v, path);
  const node = field(o, 'node');
  if (node !== null && !isNodeId(node)) fail(`${at(path, 'node')} must be a node id or null, got ${show(node)}`);
  const data = field(o, 'data');
  if (data !== undefined && !isObject(data)) fail(`${at(path, 'data')} must be an object, got ${show(data)}`);
  return {
    ts: uint(o, 'ts', path),
    node,
    kind: string(o, 'kind', path),
    type: string(o, 'type', path),
    text: string(o, 'text', path),
    ...(data === undefined ? {} : { data }),
  };
}

function readSafety(o: JsonObject, path: string): SafetyVerdict {
  const checkedReports = uint(o, 'checkedReports', path);
  if (boolean(o, 'ok', path)) return { ok: true, checkedReports };
  const nodes = array(o, 'nodes', path);
  return {
    ok: false,
    property: oneOf(o, 'property', PROPERTIES, path),
    nodes: ids(nodes, at(path, 'nodes')),
    text: string(o, 'text', path),
    ts: uint(o, 'ts', path),
    checkedReports,
  };
}

function readHeld(v: unknown, path: string): HeldMessage {
  const o = object(v, path);
  const id = string(o, 'id', path);
  if (!HELD_ID.test(id)) fail(`${at(path, 'id')} must be a message id such as "1.4", got ${show(id)}`);
  return {
    id,
    from: nodeId(o, 'from', path),
    to: nodeId(o, 'to', path),
    type: string(o, 'type', path),
    term: uint(o, 'term', path),
    detail: readHeldDetail(field(o, 'detail'), at(path, 'detail')),
    text: string(o, 'text', path),
    heldAt: uint(o, 'heldAt', path),
  };
}

function readStep(o: JsonObject, path: string): StepModel {
  return {
    on: boolean(o, 'on', path),
    since: uint(o, 'since', path),
    held: array(o, 'held', path).map((h, i) => readHeld(h, `${at(path, 'held')}[${i}]`)),
  };
}

function readEvents(o: JsonObject, path: string): ClusterEvent[] {
  return array(o, 'events', path).map((e, i) => readEvent(e, `${at(path, 'events')}[${i}]`));
}

/** The model without its event history, as an update carries it. */
function readModelState(o: JsonObject, path: string): Omit<ClusterModel, 'events'> {
  const partition = array(o, 'partition', path);
  return {
    name: string(o, 'name', path),
    clusterId: string(o, 'clusterId', path),
    engine: readEngine(object(field(o, 'engine'), at(path, 'engine')), at(path, 'engine')),
    folder: string(o, 'folder', path),
    supervisorPid: uint(o, 'supervisorPid', path),
    startedAt: uint(o, 'startedAt', path),
    timing: readTiming(object(field(o, 'timing'), at(path, 'timing')), at(path, 'timing')),
    fsync: boolean(o, 'fsync', path),
    switches: readSwitches(object(field(o, 'switches'), at(path, 'switches')), at(path, 'switches')),
    snapshotEvery: readSnapshotEvery(o, path),
    nodes: array(o, 'nodes', path).map((n, i) => readNode(n, `${at(path, 'nodes')}[${i}]`)),
    links: array(o, 'links', path).map((l, i) => readLink(l, `${at(path, 'links')}[${i}]`)),
    partition: partition.map((_, i) => ids(array(partition, i, at(path, 'partition')), `${at(path, 'partition')}[${i}]`)),
    safety: readSafety(object(field(o, 'safety'), at(path, 'safety')), at(path, 'safety')),
    ...(has(o, 'step') ? { step: readStep(object(field(o, 'step'), at(path, 'step')), at(path, 'step')) } : {}),
  };
}

function readModel(o: JsonObject, path: string): ClusterModel {
  return { ...readModelState(o, path), events: readEvents(o, path) };
}

/** One message from the supervisor's control API, checked, or the first problem found in it. */
export function readControlMessage(text: string): Validation<ControlMessage> {
  return validate((): ControlMessage => {
    const o = object(parseJson(text, 'the message'), 'the message');
    const type = oneOf(o, 'type', ['welcome', 'snapshot', 'update', 'result', 'error']);
    switch (type) {
      case 'welcome':
      case 'snapshot':
        return { type, model: readModel(object(field(o, 'model'), 'model'), 'model') };
      case 'update':
        return { type, model: readModelState(object(field(o, 'model'), 'model'), 'model'), events: readEvents(o, '') };
      case 'result': {
        const data = field(o, 'data');
        if (data !== undefined && !isObject(data)) fail(`data must be an object, got ${show(data)}`);
        const outcome = readOutcome(o);
        // A refusal this build cannot word is still a refusal: its sentence stands alone.
        const problem = has(o, 'problem') ? validate(() => readClusterProblem(o, 'problem')) : null;
        return {
          type,
          id: uint(o, 'id'),
          ok: boolean(o, 'ok'),
          text: string(o, 'text'),
          ...(data === undefined ? {} : { data }),
          ...(outcome === null ? {} : { outcome }),
          ...(problem?.ok === true ? { problem: problem.value } : {}),
        };
      }
      case 'error':
        return { type, code: oneOf(o, 'code', ERROR_CODES), text: string(o, 'text') };
    }
  });
}

/**
 * The model in the supervisor's first answer (its welcome, over the WebSocket or `GET /model`), or
 * the ClusterError saying why there is none: the message is not valid, or it is the supervisor's refusal.
 */
export function welcomeModel(text: string, name: string): ClusterModel {
  const read = readControlMessage(text);
  if (!read.ok) throw new ClusterError(`the supervisor of ${name} sent a message that is not valid: ${read.problem}`);
  const m = read.value;
  if (m.type === 'welcome') return m.model;
  throw new ClusterError(m.type === 'error' ? m.text : `unexpected first message "${m.type}" from the supervisor`);
}
