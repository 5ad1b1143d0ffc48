// Events and action results in Chinese, worded at the viewer from the fields they carry across the
// process boundaries (a node's stdout, the control API): every core event kind, every outcome and
// every refusal has its sentence, and what carries no fields keeps the sentence it came with.
import { describe, expect, it } from 'vitest';
import type { ClusterProblem, ClusterErrorCode } from '../../src/cluster-model/errors.js';
import type { ControlMessage } from '../../src/cluster-model/control-protocol.js';
import { eventTextZh, resultTextZh } from '../../src/cluster-model/event-zh.js';
import type { ClusterEvent } from '../../src/cluster-model/model.js';
import { readControlMessage } from '../../src/cluster-model/model-reader.js';
import type { Outcome, OutcomeCode } from '../../src/cluster-model/outcome.js';
import { presetTiming } from '../../src/cluster-model/timing.js';
import { describeEventZh } from '../../src/raft/events-zh.js';
import { describeEvent } from '../../src/raft/events.js';
import type { ControlCommand } from '../../src/node/control.js';
import type { NodeLifecycleEvent } from '../../src/node/event-stream.js';
import type { TransportEvent } from '../../src/transport/events.js';
import { LiveModel } from '../../src/supervisor/live-model.js';
import { variants } from '../raft/event-samples.js';
import { nodeWrites } from '../supervisor/helpers.js';
import { expectChinese } from '../support/full-width.js';
import { model, node } from './fixtures.js';

/** The events as a control client reads them: through the supervisor's live model and the control API. */
function acrossTheBoundaries(live: LiveModel): ClusterEvent[] {
  const { events, ...state } = live.model;
  const read = readControlMessage(JSON.stringify({ type: 'update', model: state, events } satisfies ControlMessage));
  if (!read.ok || read.value.type !== 'update') throw new Error(read.ok ? 'not an update' : read.problem);
  return read.value.events;
}

/** The result as a control client reads it. */
function resultAcross(outcome: Outcome | undefined, problem?: ClusterProblem): Extract<ControlMessage, { type: 'result' }> {
  const sent = { type: 'result', id: 1, ok: problem === undefined, text: 'the English sentence', outcome, problem } as const;
  const read = readControlMessage(JSON.stringify(sent));
  if (!read.ok || read.value.type !== 'result') throw new Error(read.ok ? 'not a result' : read.problem);
  return read.value;
}

const leader = { leader: 1, left: 1, voters: 3, elects: false, electionMs: { min: 150, max: 300 } };
const timing = presetTiming('slow');

/** One outcome of every code (the type makes the list complete), some twice to show their variants. */
const outcomes: { [C in OutcomeCode]: Extract<Outcome, { code: C }> } = {
  killed: { code: 'killed', nodes: [1], leader },
  stopped: { code: 'stopped', nodes: [2, 3], leader: { ...leader, left: 3, voters: 5, elects: true } },
  restarted: { code: 'restarted', nodes: [2, 3], stoppedFirst: [3] },
  paused: { code: 'paused', nodes: [2], leader: null },
  resumed: { code: 'resumed', nodes: [2] },
  partitioned: {
    code: 'partitioned',
    groups: [
      [1, 2],
      [3, 4, 5],
    ],
    majority: [3, 4, 5],
    cutLeader: 1,
    checkQuorum: true,
  },
  link: {
    code: 'link',
    links: [
      { from: 1, to: 2, blocked: false, delayMs: 200, loss: 0.3 },
      { from: 2, to: 1, blocked: true, delayMs: 0, loss: 0 },
    ],
    oneWay: true,
  },
  healed: { code: 'healed', mended: 4 },
  campaign: { code: 'campaign', node: 2 },
  transferred: { code: 'transferred', from: 1, to: 2, term: 5 },
  transferring: { code: 'transferring', from: 1, to: 2 },
  speed: { code: 'speed', timing },
  added: { code: 'added', node: 4, port: 7004, index: 12, voters: 4 },
  'added-learner': { code: 'added-learner', node: 6, port: 7006, index: 11 },
  promoted: { code: 'promoted', node: 6, index: 13, voters: 6 },
  removed: { code: 'removed', node: 1, index: 14, wasLeader: true, voters: 3 },
  replaced: { code: 'replaced', node: 3, movedTo: '/tmp/demo/n3.replaced-2026', untilIndex: 40, aboveTerm: 5, tookMs: 1234 },
  down: { code: 'down', name: 'demo', nodes: 3, purged: false, folder: '/tmp/demo' },
  submitted: { code: 'submitted', entry: 'hello', at: { index: 7, term: 2, leader: 'n1' } },
  put: { code: 'put', key: 'color', value: 'dark red', previous: null, at: { index: 8, term: 2, leader: 'n1' } },
  read: { code: 'read', key: 'color', value: 'dark red', index: 8 },
  deleted: { code: 'deleted', key: 'color', existed: true, at: { index: 9, term: 2, leader: '127.0.0.1:7001' } },
  cas: {
    code: 'cas',
    key: 'color',
    expected: 'red',
    value: 'blue',
    swapped: false,
    current: 'dark red',
    at: { index: 10, term: 2, leader: 'n1' },
  },

  adding: { code: 'adding', node: 4, port: 7004 },
  learner: { code: 'learner', node: 4, index: 11 },
  'catching-up': { code: 'catching-up', node: 4, holds: 3, of: 11 },
  removing: { code: 'removing', node: 1, index: 14 },
  replacing: { code: 'replacing', node: 3, movedTo: null, untilIndex: 40 },
  up: { code: 'up', name: 'demo', created: true, nodes: [1, 2, 3], failed: 1, timing, fsync: false },
  shutdown: { code: 'shutdown', nodes: 3 },
  crashed: { code: 'crashed', node: 2, signal: null, exitCode: 1, cause: null },
  'start-failed': { code: 'start-failed', node: 2, cause: null },
  'safety-violation': { code: 'safety-violation', property: 'State Machine Safety', nodes: [1, 4] },
  step: { code: 'step', on: false, nodes: [1, 2, 3], released: 2 },
  delivered: { code: 'delivered', ids: ['1.1', '1.2'], lost: ['1.2'] },
  dropped: { code: 'dropped', ids: ['2.4'] },
  fired: { code: 'fired', node: 1, timer: 'election' },
  advanced: { code: 'advanced', ticks: 3, tickMs: 10, nodes: [1, 2, 3] },
  'held-lost': { code: 'held-lost', node: 2, ids: ['2.3', '2.4'] },
  'recording-off': { code: 'recording-off', path: '/tmp/demo/recording/0001733300000000-000.ndjson', cause: 'ENOSPC' },
};

/** One refusal of every code that has words of its own ('failed' has none). */
const problems: { [C in Exclude<ClusterErrorCode, 'failed'>]: Extract<ClusterProblem, { code: C }> } = {
  'not-running': { code: 'not-running' },
  'port-in-use': { code: 'port-in-use', port: 7001, owner: null },
  'bad-file': { code: 'bad-file', path: '/tmp/demo/cluster.json' },
  'too-big': {
    code: 'too-big',
    path: '/tmp/demo/recording/0001733300000000-000.ndjson',
    bytes: 9 * 1024 * 1024 * 1024,
    limit: 16 * 1024 * 1024,
  },
  'not-a-node': { code: 'not-a-node', node: 9, removed: false },
  'node-state': { code: 'node-state', node: 3, op: 'kill', state: 'killed' },
  'listed-twice': { code: 'listed-twice', node: 2 },
  'no-leader': { code: 'no-leader', waitedMs: 3000, running: 1, voters: 3, needed: 2, faults: false },
  'shutting-down': { code: 'shutting-down' },
  'one-group': { code: 'one-group' },
  'same-node': { code: 'same-node', node: 2 },
  'link-unsaid': { code: 'link-unsaid' },
  'already-leader': { code: 'already-leader', node: 1, term: 3 },
  'only-node': { code: 'only-node', node: 1 },
  'not-a-learner': { code: 'not-a-learner', node: 2, voter: true },
  'last-voter': { code: 'last-voter', node: 1 },
  interrupted: { code: 'interrupted', node: 3, by: 'stopped' },
  replay: { code: 'replay' },
  'did-not-start': { code: 'did-not-start', node: 3, cause: 'disk full at /tmp/demo/n3' },
  'read-only': { code: 'read-only', op: 'transfer' },
  'engine-unsupported': { code: 'engine-unsupported', op: 'campaign', engine: 'etcd', remote: false },
  'etcd-missing': { code: 'etcd-missing', bin: 'etcd' },
  'engine-mismatch': { code: 'engine-mismatch', engine: 'etcd', asked: 'raft-console' },
  'etcd-failed': { code: 'etcd-failed', op: 'add', cause: 'etcdserver: unhealthy cluster' },
  'step-off': { code: 'step-off', op: 'deliver' },
  'not-held': { code: 'not-held', ids: ['1.9'] },
  'no-timer': { code: 'no-timer', node: 1, timer: 'heartbeat' },
  'unfit-cluster': { code: 'unfit-cluster', episode: 'conf-change', voters: 3, preVote: true, checkQuorum: true },
};

describe('events in Chinese', () => {
  it('a core event of every kind is worded from the fields its line carried through the supervisor and the control API', () => {
    const live = new LiveModel(model([node(1, null)]));
    for (const e of variants) nodeWrites(live, 1, { ts: 1, node: 1, kind: 'raft', ...e, text: describeEvent(1, e) });
    const read = acrossTheBoundaries(live);
    expect(read.map((e) => eventTextZh(e, 100))).toEqual(variants.map((e) => describeEventZh(1, e, 100)));
  });

  it('a core event or a transport event with a field missing keeps the sentence it came with', () => {
    const live = new LiveModel(model([node(1, null)]));
    nodeWrites(live, 1, { ts: 1, node: 1, kind: 'raft', type: 'election-won', term: 2, votes: 2, text: 'n1 wins term 2' });
    nodeWrites(live, 1, { ts: 2, node: 1, kind: 'transport', type: 'peer-connected', peer: 2, text: 'n1: connected to n2' });
    expect(acrossTheBoundaries(live).map((e) => eventTextZh(e))).toEqual(['n1 wins term 2', 'n1: connected to n2']);
  });

  it('a transport event of every kind is worded from its fields', () => {
    const transport: { [T in TransportEvent['type']]: Extract<TransportEvent, { type: T }> } = {
      listening: { type: 'listening', host: '127.0.0.1', port: 7001 },
      'peer-connected': { type: 'peer-connected', peer: 2, direction: 'in' },
      'peer-disconnected': { type: 'peer-disconnected', peer: 2, direction: 'out', reason: 'socket hang up', retryInMs: 200 },
      'connect-failed': { type: 'connect-failed', peer: 5, attempt: 3, reason: 'ECONNREFUSED', retryInMs: 400 },
      'connection-rejected': {
        type: 'connection-rejected',
        direction: 'in',
        remote: '127.0.0.1:40000',
        peer: null,
        code: 'wrong-cluster',
        reason: 'another cluster',
      },
      'queue-overflow': { type: 'queue-overflow', peer: 3 },
      'message-too-large': { type: 'message-too-large', peer: 3, message: 'append', bytes: 9000000, limit: 8388608 },
      'client-connected': { type: 'client-connected', client: 4, clientId: 77, remote: '127.0.0.1:40001' },
      'client-disconnected': { type: 'client-disconnected', client: 4, reason: 'closed by the client' },
      'server-error': { type: 'server-error', reason: 'EMFILE' },
    };
    const live = new LiveModel(model([node(1, null)]));
    for (const e of Object.values(transport)) nodeWrites(live, 1, { ts: 1, node: 1, kind: 'transport', ...e, text: `n1: ${e.type}` });
    const read = acrossTheBoundaries(live);
    expect(read).toHaveLength(Object.keys(transport).length);
    for (const e of read) expectChinese(eventTextZh(e));
  });

  it('a node event of every kind, and its answer to every command, are worded from their fields', () => {
    const lifecycle: { [T in NodeLifecycleEvent['type']]: Extract<NodeLifecycleEvent, { type: T }> } = {
      started: {
        type: 'started',
        address: '127.0.0.1:7001',
        clusterId: 'c1',
        unsafeNoFsync: true,
        insecureNoAuth: false,
        tls: true,
        recovered: { entries: 12, snapshotIndex: 0, term: 3 },
        switches: { preVote: false, checkQuorum: true, bugs: ['vote-not-persisted'] },
        startup: { loadedMs: 120, listeningMs: 150 },
      },
      'storage-repaired': { type: 'storage-repaired', detail: 'torn record' },
      'entry-refused': { type: 'entry-refused', index: 7, term: 2, code: 'not-a-command', reason: 'not JSON' },
      'snapshot-refused': { type: 'snapshot-refused', from: 2, index: 40, reason: 'bad data' },
      'snapshot-saved': {
        type: 'snapshot-saved',
        index: 10_000,
        term: 3,
        bytes: 812_345,
        serializeMs: 21,
        durableMs: 180,
        superseded: false,
      },
      recovering: { type: 'recovering', untilIndex: 40, aboveTerm: 5, lostData: true, found: { term: 2, lastIndex: 10 } },
      stopping: { type: 'stopping', reason: 'SIGTERM' },
      fatal: { type: 'fatal', code: 'disk-full', reason: 'disk full at /tmp/demo/n1' },
      'read-served': {
        type: 'read-served',
        key: 'x',
        value: '1',
        index: 7,
        applied: 7,
        term: 2,
        confirmed: 'unconfirmed',
        untold: 3,
      },
      'read-refused': {
        type: 'read-refused',
        key: 'x',
        code: 'not-leader',
        reason: 'this node is not the leader: n2 is',
        leader: 2,
        untold: 0,
      },
    };
    const ops: Array<ControlCommand['op']> = ['faults', 'heal', 'campaign', 'transfer', 'add-peer', 'remove-peer', 'conf-change', 'tick'];
    const live = new LiveModel(model([node(1, null)]));
    for (const e of Object.values(lifecycle)) nodeWrites(live, 1, { ts: 1, node: 1, kind: 'node', ...e, text: `n1 ${e.type}` });
    ops.forEach((op, id) =>
      nodeWrites(live, 1, { ts: 2, node: 1, kind: 'control', type: 'answer', id, op, ok: true, text: `n1 did ${op}` }),
    );
    const read = acrossTheBoundaries(live);
    expect(read).toHaveLength(Object.keys(lifecycle).length + ops.length);
    for (const e of read) expectChinese(eventTextZh(e));
  });

  it("the supervisor's own events are worded from their outcome, and a refusal from its problem", () => {
    const live = new LiveModel(model([node(1, null)]));
    live.say('kill', 'killed n1 (SIGKILL): ...', { ok: true, outcome: outcomes.killed });
    live.say('kill', 'cannot kill n3: it is killed; ...', { ok: false, problem: problems['node-state'] });
    expect(acrossTheBoundaries(live).map((e) => eventTextZh(e))).toEqual([
      '杀死了 n1（SIGKILL）：相当于崩溃；它的磁盘保留已确认的内容；n1 原是领导者，3 个投票者中只剩 1 个在运行：不足多数，在足够多的节点回来之前没有新的领导者，也无法提交',
      '无法杀死 n3：它已被杀死；用 `raft-console restart 3` 重新启动它',
    ]);
  });
});

describe('action results in Chinese', () => {
  it('every outcome reads as a Chinese sentence with full-width punctuation, after crossing the control API', () => {
    for (const o of Object.values(outcomes)) {
      const r = resultAcross(o);
      expect(r.outcome).toEqual(o);
      expectChinese(resultTextZh(r));
    }
  });

  it('every refusal with a code reads as a Chinese sentence; one without keeps its English after 失败', () => {
    for (const p of Object.values(problems)) {
      const r = resultAcross(undefined, p);
      expect(r.problem).toEqual(p);
      expectChinese(resultTextZh(r));
    }
    expect(resultTextZh(resultAcross(undefined, { code: 'failed' }))).toBe('失败：the English sentence');
  });

  it('a learner added, promoted, or refused promotion reads in Chinese with the command to run next', () => {
    expect(resultTextZh(resultAcross(outcomes['added-learner']))).toBe(
      '添加了 n6，地址 127.0.0.1:7006，身份是学习者（条目 11）：它接收日志但不投票；它追上进度后，`raft-console promote 6` 会把它提升为投票者',
    );
    expect(resultTextZh(resultAcross(outcomes.promoted))).toBe('把 n6 提升为投票者（条目 13）；现在有 6 个投票者，多数为 4');
    const refusals: ClusterProblem[] = [
      { code: 'not-a-learner', node: 2, voter: false },
      { code: 'node-state', node: 6, op: 'promote', state: 'paused' },
    ];
    expect(refusals.map((p) => resultTextZh(resultAcross(undefined, p)))).toEqual([
      'n2 不是学习者：它的加入没有完成，不在任何配置中（`raft-console remove 2` 把它移出，`raft-console add --learner` 添加一个新的）',
      '无法提升 n6：它已暂停；先恢复它',
    ]);
    for (const t of refusals.map((p) => resultTextZh(resultAcross(undefined, p)))) expectChinese(t);
  });

  it('a partition that cuts the leader off says it steps down only where CheckQuorum is on', () => {
    const on = resultTextZh(resultAcross(outcomes.partitioned));
    const off = resultTextZh(resultAcross({ ...outcomes.partitioned, checkQuorum: false }));
    expect(on).toContain('一旦得不到多数回应就会下台');
    expect(off).not.toContain('下台');
    expect(off).toContain('CheckQuorum 已关闭，它会一直以为自己是领导者');
    expectChinese(off);
  });

  it('a result whose outcome this build does not know keeps its English sentence', () => {
    const read = readControlMessage(JSON.stringify({ type: 'result', id: 1, ok: true, text: 'did it', outcome: { code: 'teleported' } }));
    expect(read.ok && read.value.type === 'result' && resultTextZh(read.value)).toBe('did it');
  });
});
