// The dashboard's replay mode: the router's replay keys, the time bar, the store switching between
// a live cluster and a replay of it, and the frame at 80x24, against a fake recording.
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { ClusterError } from '../../src/cluster-model/errors.js';
import { RECORDING_DIR } from '../../src/cluster-model/replay-format.js';
import { afterEach, describe, expect, it } from 'vitest';
import { clock, type ClusterModel } from '../../src/cluster-model/index.js';
import type { Mark } from '../../src/cluster-model/replay.js';
import { App, type Controller } from '../../src/tui/app.js';
import { Dashboard } from '../../src/tui/dashboard.js';
import { initialUi, route, type KeyContext, type UiState } from '../../src/tui/keys.js';
import { labelsFor } from '../../src/tui/labels.js';
import { replaySwitch } from '../../src/tui/replay-switch.js';
import { DashboardStore } from '../../src/tui/store.js';
import { timeBarLine } from '../../src/tui/time-bar.js';
import { columns } from '../../src/tui/text-width.js';
import { waitFor } from '../support/wait.js';
import { FakeLive, FakeReplay } from './fake-replay.js';
import { event, healthy, node } from './fixtures.js';

const T0 = 1_000_000;
const labels = labelsFor('en');

/** n1 leads term 2; at T0+500 it is killed; at T0+2000 n2 leads term 3. */
function recording(): FakeReplay {
  const before = healthy();
  const killed: ClusterModel = {
    ...healthy(),
    nodes: healthy().nodes.map((n) => (n.id === 1 ? node(1, null, 'killed') : n)),
    events: [...before.events, event(null, 'kill', 'killed n1')],
  };
  const after: ClusterModel = {
    ...killed,
    nodes: killed.nodes.map((n) =>
      n.id === 1 || n.raft === null ? n : { ...n, raft: { ...n.raft, term: 3, leader: 2, role: n.id === 2 ? 'leader' : 'follower' } },
    ),
    events: [...killed.events, event(2, 'role-change', 'n2 becomes leader in term 3', { to: 'leader' })],
  };
  const marks: Mark[] = [
    { ts: T0 + 500, kind: 'fault', text: 'n1 killed' },
    { ts: T0 + 2000, kind: 'election', text: 'n2 leads term 3' },
  ];
  return new FakeReplay(
    [
      { ts: T0, model: before },
      { ts: T0 + 500, model: killed },
      { ts: T0 + 2000, model: after },
    ],
    marks,
  );
}

function ctx(replay: KeyContext['replay'], extra: Partial<KeyContext> = {}): KeyContext {
  return {
    nodes: healthy().nodes,
    partition: [],
    speed: 'normal',
    owned: false,
    eventCount: 0,
    exercise: false,
    trigger: false,
    textMax: 0,
    textPage: 1,
    words: labels,
    ...(replay === undefined ? {} : { replay }),
    ...extra,
  };
}

const AT = { at: T0 + 500, speed: 1, playing: false, live: true };

function keys(ui: UiState, c: KeyContext, ...typed: string[]) {
  let state = ui;
  const intents = [];
  for (const k of typed) {
    const r = route(state, k, {}, c);
    state = r.ui;
    intents.push(...r.intents);
  }
  return { ui: state, intents };
}

describe('the replay keys', () => {
  it('move the cursor: an event, a second, play, the speed within 0.25x..8x, the marks of the chosen kind', () => {
    const c = ctx(AT);
    const ui = initialUi(1);
    expect(keys(ui, c, ',', '.', '<', '>').intents).toEqual([
      { type: 'cursor', move: { op: 'step', dir: -1 } },
      { type: 'cursor', move: { op: 'step', dir: 1 } },
      { type: 'cursor', move: { op: 'jump', ms: -1000 } },
      { type: 'cursor', move: { op: 'jump', ms: 1000 } },
    ]);
    expect(keys(ui, c, ' ').intents).toEqual([{ type: 'cursor', move: { op: 'play' } }]);
    expect(keys(ui, ctx({ ...AT, playing: true }), 'p').intents).toEqual([{ type: 'cursor', move: { op: 'pause' } }]);
    expect(keys(ui, c, '+').intents).toEqual([{ type: 'cursor', move: { op: 'speed', x: 2 } }]);
    expect(keys(ui, ctx({ ...AT, speed: 8 }), '+').intents).toEqual([{ type: 'cursor', move: { op: 'speed', x: 8 } }]);
    expect(keys(ui, ctx({ ...AT, speed: 0.25 }), '-').intents).toEqual([{ type: 'cursor', move: { op: 'speed', x: 0.25 } }]);
    expect(keys(ui, c, ']', '[').intents).toEqual([
      { type: 'cursor', move: { op: 'mark', kind: 'election', dir: 1 } },
      { type: 'cursor', move: { op: 'mark', kind: 'election', dir: -1 } },
    ]);
    const chosen = keys(ui, c, 'c', 'c', ']');
    expect(chosen.ui.markKind).toBe('fault');
    expect(chosen.intents).toEqual([{ type: 'cursor', move: { op: 'mark', kind: 'fault', dir: 1 } }]);
    expect(keys(ui, c, 'c', 'c', 'c', 'c').ui.markKind).toBe('any');
  });

  it('refuse every action with one line saying when the picture is from, and how to go live', () => {
    for (const k of ['x', 'r', 's', 'z', 'i', 'e', 't', 'h', 'n', 'N', 'v', 'f', ':', 'P']) {
      const { ui, intents } = keys(initialUi(1), ctx(AT), k);
      if (k === 'P') {
        expect(intents).toEqual([]);
        continue;
      }
      expect(ui.mode.kind, k).toBe('normal');
      expect(intents, k).toEqual([
        { type: 'note', text: `replay: this is the cluster as it was at ${clock(T0 + 500)}; press L to go live` },
      ]);
    }
    // The partition editor and the remove question never open.
    expect(keys(initialUi(1), ctx(AT), 'p').intents[0]).toEqual({ type: 'cursor', move: { op: 'play' } });
    expect(keys(initialUi(1), ctx({ ...AT, live: false }), 'x').intents).toEqual([
      { type: 'note', text: `replay: a recording of the cluster at ${clock(T0 + 500)} cannot be changed` },
    ]);
  });

  it('keep selection, scrolling, help and quit; L and b go live, and say so where there is no live cluster', () => {
    const c = ctx(AT);
    expect(keys(initialUi(1), c, 'j').ui.selected).toBe(2);
    expect(keys(initialUi(1), c, '3').ui.selected).toBe(3);
    expect(route(initialUi(1), '', { pageUp: true }, c).ui.eventsBack).toBe(5);
    expect(route(initialUi(1), '', { leftArrow: true }, c).ui.logBack).toBe(10);
    expect(keys(initialUi(1), c, '/').ui.filter).toBe(1);
    expect(keys(initialUi(1), c, '?').ui.mode.kind).toBe('help');
    expect(keys(initialUi(1), c, 'q').intents).toEqual([{ type: 'quit' }]);
    expect(keys(initialUi(1), c, 'L').intents).toEqual([{ type: 'replay', on: false }]);
    expect(keys(initialUi(1), c, 'b').intents).toEqual([{ type: 'replay', on: false }]);
    const alone = keys(initialUi(1), ctx({ ...AT, live: false }), 'L').intents;
    expect(alone).toEqual([{ type: 'note', text: 'this is a recording: there is no live cluster to go back to (q quits)' }]);
  });

  it('say so in Chinese on a Chinese dashboard', () => {
    const zh = { words: labelsFor('zh') };
    expect(keys(initialUi(1), ctx(AT, zh), 'x').intents).toEqual([
      { type: 'note', text: `回放：这是集群在 ${clock(T0 + 500)} 时的样子；按 L 回到实时` },
    ]);
    expect(keys(initialUi(1), ctx({ ...AT, live: false }, zh), 'x').intents).toEqual([
      { type: 'note', text: `回放：集群在 ${clock(T0 + 500)} 时的录像不能更改` },
    ]);
    expect(keys(initialUi(1), ctx({ ...AT, live: false }, zh), 'L').intents).toEqual([
      { type: 'note', text: '这是一段录像：没有可以回去的实时集群（按 q 退出）' },
    ]);
  });

  it('are not keys live: b opens the replay, c L , < > do nothing, [ ] . belong to step mode, space still freezes', () => {
    const c = ctx(undefined);
    expect(keys(initialUi(1), c, 'b').intents).toEqual([{ type: 'replay', on: true }]);
    for (const k of ['c', 'L', ',', '<', '>']) expect(keys(initialUi(1), c, k), k).toEqual({ ui: initialUi(1), intents: [] });
    for (const k of ['[', ']', '.'])
      expect(keys(initialUi(1), c, k), k).toEqual({
        ui: initialUi(1),
        intents: [{ type: 'note', text: 'step mode is off: S turns it on' }],
      });
    expect(keys(initialUi(1), { ...c, eventCount: 7 }, ' ').ui.frozenAt).toBe(7);
  });
});

describe('the time bar', () => {
  const view = { from: T0, to: T0 + 10_000, at: T0 + 2_500, speed: 0.5, playing: true, marks: recording().marks() };
  const text = (width: number, kind: 'election' | 'fault' | 'any' = 'election') =>
    timeBarLine(view, kind, width, labels)
      .map((s) => s.text)
      .join('');

  it('says REPLAY, playing, the cursor time, the position, the speed and the marks around the cursor, within 80 columns', () => {
    const line = text(80);
    expect(columns(line)).toBeLessThanOrEqual(80);
    expect(line).toContain('REPLAY');
    expect(line).toContain('▶ playing');
    expect(line).toContain(clock(T0 + 2_500));
    expect(line).toContain('0.5x');
    expect(line).toContain('election [ -0.5s · — ]');
    expect(text(80, 'fault')).toContain('fault [ -2.0s · — ]');
    expect(text(80, 'any')).toContain('mark [ -0.5s · — ]');
    const onMark = timeBarLine({ ...view, at: T0 + 500 }, 'fault', 80, labels)
      .map((s) => s.text)
      .join('');
    expect(onMark).toContain('fault [ here · — ]');
    // A quarter of the way: the knob sits a quarter along the bar.
    const bar = /[━●─]+/.exec(line)![0];
    expect(bar.indexOf('●') / (bar.length - 1)).toBeCloseTo(0.25, 1);
  });

  it('gives way on a narrow screen: the marks first, never the time or the speed', () => {
    for (const width of [72, 60, 50]) {
      const line = text(width);
      expect(columns(line), `${width}`).toBeLessThanOrEqual(width);
      expect(line).toContain(clock(T0 + 2_500));
      expect(line).toContain('0.5x');
    }
    expect(text(50)).not.toContain('election');
  });
});

describe('live and replay in one store', () => {
  it('switches sources cleanly: the old one is let go, the story and the picture are the new one', async () => {
    const live = new FakeLive({ ...healthy(), events: [event(null, 'up', 'live event')] });
    const replay = recording();
    const store = new DashboardStore(live, () => 5_000_000);
    expect(live.listeners.size).toBe(1);
    const toggle = replaySwitch(
      live,
      store,
      (target, opts) => {
        expect(target).toEqual({ folder: live.model.folder });
        expect(opts.lastMs).toBe(5 * 60_000);
        return Promise.resolve(replay);
      },
      labels,
    );
    const opened = await toggle(true);
    expect(opened.ok).toBe(true);
    expect(live.listeners.size).toBe(0);
    expect(replay.listeners.size).toBe(1);
    // At the newest moment of the recording, drawn at the cursor's time.
    let snap = store.getSnapshot();
    expect(snap.replay?.at).toBe(T0 + 2000);
    expect(snap.events.map((e) => e.text)).toContain('n2 becomes leader in term 3');
    expect(snap.events.map((e) => e.text)).not.toContain('live event');
    // Stepping back takes the story back with it.
    replay.cursor.stepEvent(-1);
    store.publish();
    snap = store.getSnapshot();
    expect(snap.replay?.at).toBe(T0 + 500);
    expect(snap.events.map((e) => e.text)).not.toContain('n2 becomes leader in term 3');
    // The live cluster goes on meanwhile; back live, the store hears it again.
    replay.play();
    const back = await toggle(false);
    expect(back.ok).toBe(true);
    expect(replay.playing).toBe(false);
    expect(replay.listeners.size).toBe(0);
    expect(live.listeners.size).toBe(1);
    live.emit(event(null, 'heal', 'healed'));
    store.publish();
    snap = store.getSnapshot();
    expect(snap.replay).toBeNull();
    expect(snap.events.map((e) => e.text)).toEqual(['live event', 'healed']);
    store.stop();
    expect(live.listeners.size).toBe(0);
  });

  it('says in one line why an etcd cluster attached from outside has no replay, and passes on why a recording cannot be opened', async () => {
    const remote = new FakeLive({
      ...healthy(),
      engine: { kind: 'etcd', version: '3.5', remote: true, writable: false, clusterIdHex: null },
    } as ClusterModel);
    const store = new DashboardStore(remote);
    const opened: string[] = [];
    const r = await replaySwitch(
      remote,
      store,
      () => {
        opened.push('x');
        return Promise.reject(new Error('unreachable'));
      },
      labels,
    )(true);
    expect(r).toEqual({ ok: false, text: expect.stringContaining('dashboard --etcd') as string });
    expect(opened).toEqual([]);
    const live = new FakeLive(healthy());
    const none = await replaySwitch(
      live,
      new DashboardStore(live),
      () => Promise.reject(new Error('there is no recording in /x')),
      labels,
    )(true);
    expect(none).toEqual({ ok: false, text: 'no replay: there is no recording in /x' });
    const off = await replaySwitch(
      live,
      new DashboardStore(live),
      () => Promise.reject(new ClusterError('none', { code: 'bad-file', path: join(live.model.folder, RECORDING_DIR) })),
      labels,
    )(true);
    expect(off).toEqual({ ok: false, text: 'no replay: this cluster records nothing (recording-cap was 0 when it started)' });
  });

  it('answers b and L in Chinese on a Chinese dashboard', async () => {
    const zh = labelsFor('zh');
    const live = new FakeLive(healthy());
    const toggle = replaySwitch(live, new DashboardStore(live), () => Promise.resolve(recording()), zh);
    expect(await toggle(true)).toEqual({ ok: true, text: '回放最近 5 分钟，从最新的时刻开始；按 L 回到实时' });
    expect(await toggle(true)).toEqual({ ok: true, text: '已经在回放' });
    expect(await toggle(false)).toEqual({ ok: true, text: '回到实时：集群现在的样子' });
    const none = await replaySwitch(
      live,
      new DashboardStore(live),
      () => Promise.reject(new Error('there is no recording in /x')),
      zh,
    )(true);
    expect(none).toEqual({ ok: false, text: '无法回放：there is no recording in /x' });
  });
});

const mounted: Array<() => void> = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m();
});

describe('the dashboard on a replay', () => {
  it('draws the header, the time bar and the replay keys at 80x24', () => {
    const replay = recording();
    const store = new DashboardStore(replay, () => 5_000_000);
    const { lastFrame, unmount } = render(
      <Dashboard
        snap={store.getSnapshot()}
        ui={initialUi(1)}
        size={{ cols: 80, rows: 24 }}
        labels={labels}
        colour={false}
        attached={false}
        exercise={null}
      />,
    );
    const lines = (lastFrame() ?? '').split('\n');
    unmount();
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(columns(l)).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^ REPLAY .*leader n1/);
    expect(lines[2]).toContain(clock(T0));
    expect(lines[lines.length - 1]).toContain('L live , . step < > ±1s space p play');
    expect(lines[lines.length - 1]).toContain('q quit');
  });

  it('fits every size from the minimum up: never taller than rows - 1, no line wider than the screen, the time bar whole', () => {
    const store = new DashboardStore(recording(), () => 5_000_000);
    const snap = store.getSnapshot();
    for (const size of [
      { cols: 72, rows: 16 },
      { cols: 80, rows: 24 },
      { cols: 100, rows: 30 },
      { cols: 160, rows: 48 },
    ]) {
      const { lastFrame, unmount } = render(
        <Dashboard snap={snap} ui={initialUi(1)} size={size} labels={labels} colour={false} attached={false} exercise={null} />,
      );
      const lines = (lastFrame() ?? '').split('\n');
      unmount();
      expect(lines.length, `${size.cols}x${size.rows}`).toBeLessThanOrEqual(size.rows - 1);
      for (const l of lines) expect(columns(l), `${size.cols}x${size.rows}`).toBeLessThanOrEqual(size.cols);
      expect(lines[2], `${size.cols}x${size.rows}`).toContain('1x');
    }
  });

  it('steps with the keys: back before the kill shows the old leader, forward the new one; q quits without asking', async () => {
    const replay = recording();
    replay.seek(replay.to);
    const store = new DashboardStore(replay, () => 5_000_000);
    let quits = 0;
    const controller: Controller = {
      act: replay.act,
      submit: () => Promise.reject(new Error('no')),
      put: () => Promise.reject(new Error('no')),
      request: () => Promise.reject(new Error('no')),
      trigger: () => Promise.reject(new Error('no')),
      quit: () => {
        quits++;
      },
      exercise: () => null,
    };
    const app = render(
      <App
        store={store}
        controller={controller}
        labels={labels}
        colour={false}
        owned={false}
        attached={false}
        size={{ cols: 80, rows: 24 }}
      />,
    );
    mounted.push(() => app.unmount());
    const top = (): string => (app.lastFrame() ?? '').split('\n')[0] ?? '';
    await waitFor('n2 leads', () => top().includes('leader n2'));
    // A recording alone: no way to live in the footer.
    expect(app.lastFrame()).not.toContain('L live');
    app.stdin.write(',');
    await waitFor('no leader', () => top().includes('no leader'));
    app.stdin.write(',');
    await waitFor('n1 leads', () => top().includes('leader n1'));
    app.stdin.write(']');
    await waitFor('the election', () => top().includes('leader n2'));
    app.stdin.write('x');
    await waitFor('the refusal', () => (app.lastFrame() ?? '').includes('cannot be changed'));
    expect(replay.acted).toEqual([]);
    app.stdin.write('q');
    await waitFor('quit', () => quits === 1);
  });
});
