// The supervisor's pure parts: link faults and the filters they give each node, timing presets,
// action checking, folder resolution, the stale control file, how node lines become the model, and
// how the live model's operations change it and cluster.json.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { claimFolder, findSupervisor, writeControlFile, writeToken } from '../../src/cluster-model/control-files.js';
import { listIds } from '../../src/supervisor/fleet.js';
import { clusterFolder, defaultStateDir } from '../../src/cluster-model/folder.js';
import { changeLink, completeGroups, filterFor, isolateIn, partitionLinks } from '../../src/supervisor/links.js';
import { fromClusterFile, newClusterFile, readClusterFile } from '../../src/supervisor/cluster-file.js';
import { DEFAULT_SWITCHES } from '../../src/cluster-model/switches.js';
import { LiveModel } from '../../src/supervisor/live-model.js';
import { EVENT_HISTORY } from '../../src/cluster-model/model.js';
import type { ClusterModel } from '../../src/cluster-model/model.js';
import { parseAction } from '../../src/cluster-model/parse-action.js';
import { purgeCluster } from '../../src/supervisor/supervisor.js';
import { customTiming, presetTiming, withSpeed } from '../../src/cluster-model/timing.js';
import { model, node } from '../cluster-model/fixtures.js';
import { STATE_LINE } from '../node/fixtures.js';
import { nodeWrites } from './helpers.js';

describe('link faults', () => {
  test('a partition blocks every link between groups, both ways, and keeps delays', () => {
    const groups = completeGroups([[1, 2]], [1, 2, 3, 4, 5]);
    expect(groups).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    const delayed = changeLink([], 1, 2, { delayMs: 100 });
    const links = partitionLinks(delayed, groups);
    expect(links.filter((l) => l.blocked)).toHaveLength(12);
    expect(links.find((l) => l.from === 1 && l.to === 2)).toEqual({ from: 1, to: 2, blocked: false, delayMs: 100, loss: 0 });
    expect(filterFor(1, links)).toEqual({ blockedTo: [3, 4, 5], blockedFrom: [3, 4, 5], links: { 2: { delayMs: 100, loss: 0 } } });
    expect(filterFor(4, links)).toEqual({ blockedTo: [1, 2], blockedFrom: [1, 2], links: {} });
    // A new partition replaces the old cuts.
    expect(partitionLinks(links, [[1], [2, 3, 4, 5]]).filter((l) => l.blocked)).toHaveLength(8);
  });

  test('isolating composes with the faults in force: a second isolate leaves the first node cut off too', () => {
    const first = completeGroups(isolateIn([], 2), [1, 2, 3, 4, 5]);
    expect(first).toEqual([[2], [1, 3, 4, 5]]);
    const second = completeGroups(isolateIn(first, 3), [1, 2, 3, 4, 5]);
    expect(second).toEqual([[2], [1, 4, 5], [3]]);
    const links = partitionLinks([], second);
    expect(filterFor(2, links).blockedTo).toEqual([1, 3, 4, 5]);
    expect(filterFor(3, links).blockedTo).toEqual([1, 2, 4, 5]);
    expect(filterFor(1, links).blockedTo).toEqual([2, 3]);
  });

  test('a one-way cut is set at both ends; a link with no fault left disappears', () => {
    const links = changeLink([], 3, 1, { blocked: true });
    expect(filterFor(3, links)).toEqual({ blockedTo: [1], blockedFrom: [], links: {} });
    expect(filterFor(1, links)).toEqual({ blockedTo: [], blockedFrom: [3], links: {} });
    expect(changeLink(links, 3, 1, { blocked: false })).toEqual([]);
  });
});

describe('timing', () => {
  test('presets keep the timeouts in ticks and change the tick', () => {
    expect(presetTiming('normal')).toEqual({ preset: 'normal', tickMs: 10, electionTimeoutMs: { min: 150, max: 300 }, heartbeatMs: 50 });
    expect(withSpeed(presetTiming('normal'), 'slow')).toEqual(presetTiming('slow'));
    expect(presetTiming('slow').electionTimeoutMs).toEqual({ min: 1500, max: 3000 });
    expect(withSpeed(customTiming({ min: 300, max: 600 }, 100), 'normal')).toEqual({
      preset: 'normal',
      tickMs: 10,
      electionTimeoutMs: { min: 150, max: 300 },
      heartbeatMs: 50,
    });
  });

  test('explicit timing is checked', () => {
    expect(() => customTiming({ min: 100, max: 200 }, 100)).toThrow(
      'the heartbeat (100 ms) must be shorter than the smallest election timeout (100 ms)',
    );
    expect(() => customTiming({ min: 300, max: 200 }, 50)).toThrow('min-max with 1 <= min <= max');
  });
});

describe('actions from the control API', () => {
  test('good actions pass as they are', () => {
    for (const a of [
      { op: 'kill', nodes: [1, 3] },
      { op: 'partition', groups: [[1, 2], [3]] },
      { op: 'link', from: 1, to: 2, drop: 0.3, delayMs: 200, oneWay: true },
      { op: 'speed', preset: 'slow' },
      { op: 'down', purge: true },
      { op: 'add' },
      { op: 'add', learner: true },
      { op: 'promote', node: 6 },
    ])
      expect(parseAction(a)).toEqual({ ok: true, value: a });
  });

  test('a bad one names the field and a good value', () => {
    expect(parseAction({ op: 'explode' })).toMatchObject({
      ok: false,
      problem: expect.stringContaining('action.op must be one of "kill"') as string,
    });
    expect(parseAction({ op: 'link', from: 1, to: 2, drop: 30 })).toEqual({
      ok: false,
      problem: 'action.drop must be a probability from 0 to 1 (0.3 drops 30%), got 30',
    });
    expect(parseAction({ op: 'isolate', nodes: [1] })).toEqual({ ok: false, problem: 'action.nodes is not a field of "isolate"' });
    expect(parseAction({ op: 'partition', groups: [[1], [0]] })).toEqual({
      ok: false,
      problem: 'action.groups[1] must hold node ids (integers from 1), got 0',
    });
    expect(parseAction('kill')).toEqual({ ok: false, problem: 'action must be a JSON object, got "kill"' });
    expect(parseAction({ op: 'promote' })).toMatchObject({ ok: false, problem: expect.stringContaining('action.node') as string });
    expect(parseAction({ op: 'add', node: 6 })).toEqual({ ok: false, problem: 'action.node is not a field of "add"' });
    expect(parseAction({ op: 'add', learner: 'yes' })).toMatchObject({
      ok: false,
      problem: expect.stringContaining('action.learner') as string,
    });
  });

  test('node lists read well in messages', () => {
    expect(listIds([3, 1, 2, 4, 5])).toBe('1-5');
    expect(listIds([1, 2, 4])).toBe('1, 2, 4');
  });
});

describe('the cluster folder', () => {
  test('lives under XDG_STATE_HOME by name, or where --data-dir says', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/x/state' })).toBe('/x/state/raft-console');
    expect(defaultStateDir({ XDG_STATE_HOME: 'relative' })).toMatch(/\/\.local\/state\/raft-console$/);
    expect(clusterFolder({ name: 'demo', stateDir: '/s' })).toEqual({ name: 'demo', folder: '/s/demo' });
    expect(clusterFolder({ dataDir: '/d/mine' })).toEqual({ name: 'default', folder: '/d/mine' });
    expect(() => clusterFolder({ name: '../etc' })).toThrow('a cluster name is 1-64 letters');
  });

  test('down --purge without a supervisor deletes the folder', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'raft-console-state-'));
    await mkdir(join(stateDir, 'old', 'n1'), { recursive: true });
    expect(await purgeCluster({ name: 'old', stateDir })).toBe(join(stateDir, 'old'));
    expect(existsSync(join(stateDir, 'old'))).toBe(false);
    expect(await purgeCluster({ name: 'old', stateDir })).toBeNull();
    await rm(stateDir, { recursive: true });
  });

  test('a stale control file of a dead supervisor is cleared; a live one refuses', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'raft-console-folder-'));
    const token = await writeToken(folder);
    expect((await stat(join(folder, 'token'))).mode & 0o777).toBe(0o600);
    // A pid that cannot be running: beyond the kernel's pid_max.
    await writeControlFile(folder, { name: 'x', clusterId: 'c', url: 'ws://127.0.0.1:1/', port: 1, supervisorPid: 2 ** 30, startedAt: 0 });
    await expect(findSupervisor(folder, 'x')).rejects.toThrow(`no cluster named x is running (its supervisor, pid ${2 ** 30}, is gone)`);
    await claimFolder(folder, 'x');
    await expect(readFile(join(folder, 'control.json'))).rejects.toThrow('ENOENT');

    await writeFile(join(folder, 'token'), `${token}\n`);
    await writeControlFile(folder, {
      name: 'x',
      clusterId: 'c',
      url: 'ws://127.0.0.1:1/',
      port: 1,
      supervisorPid: process.ppid,
      startedAt: 0,
    });
    await expect(claimFolder(folder, 'x')).rejects.toThrow(`a cluster named x is already running (pid ${process.ppid})`);
    expect((await findSupervisor(folder, 'x')).token).toBe(token);
    await rm(folder, { recursive: true });
  });
});

describe('the live model', () => {
  const empty = (): ClusterModel => model([node(1, null)]);

  test('state lines set the node state; other lines become events; the history is bounded', () => {
    const live = new LiveModel(empty());
    const seen: number[] = [];
    live.onChange((events) => seen.push(events.length));
    const { ts: _ts, node: _node, kind: _kind, ...state } = STATE_LINE;
    nodeWrites(live, 1, STATE_LINE);
    expect(live.model.nodes[0]!.raft).toEqual(state);
    nodeWrites(live, 1, { ts: 6, node: 1, kind: 'raft', type: 'campaign', round: 'pre-vote', term: 3, text: 'n1 asks' });
    expect(live.model.events).toEqual([
      { ts: 6, node: 1, kind: 'raft', type: 'campaign', text: 'n1 asks', data: { round: 'pre-vote', term: 3 } },
    ]);
    expect(seen).toEqual([0, 1]);
    for (let i = 0; i < EVENT_HISTORY + 10; i++) live.say('x', `event ${i}`);
    expect(live.model.events).toHaveLength(EVENT_HISTORY);
    expect(live.model.events.at(-1)!.text).toBe(`event ${EVENT_HISTORY + 9}`);
  });

  test('its operations change the model, tell the listeners, and write cluster.json as derived from the model', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'raft-console-live-'));
    const file = newClusterFile('made-as', [7001, 7002, 7003], 7001, true, presetTiming('normal'), DEFAULT_SWITCHES, 10_000);
    const { model: m, setup } = fromClusterFile(file, { name: 'default', folder, supervisorPid: 1, startedAt: 0 });
    const live = new LiveModel(m, setup);
    expect(live.file()).toEqual(file);
    const seen: string[] = [];
    live.onChange((events) => seen.push(events.map((e) => e.type).join() || 'change'));

    live.processStarting(3, 42);
    live.processRunning(3, '127.0.0.1:7003');
    expect(live.node(3)!.process).toMatchObject({ state: 'running', pid: 42 });
    live.linksChanged(partitionLinks([], [[1], [2, 3]]), [[1], [2, 3]]);
    await live.nodeAdded({ id: 4, port: 7004, dataDir: 'n4', joined: true });
    expect(live.node(4)).toMatchObject({
      address: '127.0.0.1:7004',
      dataDir: join(folder, 'n4'),
      removed: false,
      raft: null,
      process: { state: 'stopped' },
    });
    await live.nodeRemoved(1);
    expect(live.model.links).toEqual([]);
    expect(live.model.partition).toEqual([[2, 3]]);
    await live.timingChanged(presetTiming('slow'));
    live.say('speed', 'slower');
    expect(seen).toEqual(['change', 'change', 'change', 'change', 'change', 'change', 'speed']);

    const saved = await readClusterFile(folder);
    expect(saved).toEqual({
      ...file,
      timing: presetTiming('slow'),
      nodes: [
        { ...file.nodes[0]!, removed: true },
        file.nodes[1],
        file.nodes[2],
        { id: 4, port: 7004, dataDir: 'n4', joined: true, removed: false },
      ],
    });
    // The model runs under the name it was started with; the file keeps the one it was made with.
    expect(live.model.name).toBe('default');
    expect(saved!.name).toBe('made-as');
    await rm(folder, { recursive: true });
  });
});
