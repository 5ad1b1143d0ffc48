// The messages panel: what each link carried lately, from the nodes' cumulative counts, and how it
// is drawn.
import { describe, expect, it } from 'vitest';
import type { ClusterModel } from '../../src/cluster-model/index.js';
import { messageRows } from '../../src/tui/messages-panel.js';
import { DashboardStore, type Snapshot } from '../../src/tui/store.js';
import { TRAFFIC_WINDOW_MS, keepSamples, trafficOf, type SentSample } from '../../src/tui/traffic.js';
import { healthy, snapshot, sourceOf } from './fixtures.js';
import { frame as dashboardFrame } from './frame.js';

function sample(ts: number, counts: Array<[number, number, string, number]>): SentSample {
  return { ts, counts: new Map(counts.map(([from, to, type, count]) => [`${from}>${to}>${type}`, { from, to, type, count }])) };
}

/** The healthy cluster with each node's cumulative `sent` counts. */
function sending(sent: Record<number, Array<[number, string, number]>>): ClusterModel {
  const m = healthy();
  for (const n of m.nodes) if (n.raft !== null) n.raft.sent = (sent[n.id] ?? []).map(([to, type, count]) => ({ to, type, count }));
  return m;
}

function frame(snap: Snapshot, cols = 80, rows = 24, lang: 'en' | 'zh' = 'en'): string {
  return dashboardFrame(snap, { ui: { panel: 'messages' }, size: { cols, rows }, lang });
}

describe('the traffic on each link', () => {
  it('is the difference between the counts now and at the start of the window, per link and type', () => {
    const t = trafficOf([
      sample(0, [
        [1, 2, 'heartbeat', 10],
        [1, 2, 'append', 3],
        [2, 1, 'heartbeat-response', 10],
      ]),
      sample(4000, [
        [1, 2, 'heartbeat', 90],
        [1, 2, 'append', 3],
        [2, 1, 'heartbeat-response', 88],
        [1, 3, 'vote', 1],
      ]),
    ]);
    expect(t).toEqual({
      ms: 4000,
      reported: true,
      links: [
        { from: 1, to: 2, counts: { heartbeat: 80 } },
        { from: 1, to: 3, counts: { vote: 1 } },
        { from: 2, to: 1, counts: { 'heartbeat-response': 78 } },
      ],
    });
  });

  it("counts all of a restarted node's counts as new (they began again at zero)", () => {
    const t = trafficOf([sample(0, [[3, 1, 'vote', 40]]), sample(2000, [[3, 1, 'vote', 2]])]);
    expect(t.links).toEqual([{ from: 3, to: 1, counts: { vote: 2 } }]);
  });

  it('keeps the samples back to the first at or before the start of the window', () => {
    const kept = keepSamples([sample(0, []), sample(1000, []), sample(3000, []), sample(7000, [])], 7000);
    expect(kept.map((s) => s.ts)).toEqual([1000, 3000, 7000].filter((ts) => ts >= 7000 - TRAFFIC_WINDOW_MS - 1000));
    expect(kept[0]!.ts).toBeLessThanOrEqual(7000 - TRAFFIC_WINDOW_MS);
  });

  it('is sampled by the store at each snapshot, on its clock', () => {
    let now = 1_000_000;
    let current = sending({ 1: [[2, 'heartbeat', 5]] });
    const source = sourceOf(() => current);
    const store = new DashboardStore(source, () => now);
    now += 1000;
    current = sending({ 1: [[2, 'heartbeat', 25]], 2: [[1, 'heartbeat-response', 20]] });
    store.publish();
    expect(store.getSnapshot().traffic).toEqual({
      ms: 1000,
      reported: true,
      links: [
        { from: 1, to: 2, counts: { heartbeat: 20 } },
        { from: 2, to: 1, counts: { 'heartbeat-response': 20 } },
      ],
    });
  });
  it("starts afresh on another source: a replay's counts are not compared with the live ones", () => {
    const now = 1_000_000;
    const live = sourceOf(() => sending({ 1: [[2, 'heartbeat', 500]] }));
    const store = new DashboardStore(live, () => now);
    store.switchTo(sourceOf(() => sending({ 1: [[2, 'heartbeat', 5]] })));
    expect(store.getSnapshot().traffic).toMatchObject({ ms: 0, reported: true });
    expect(store.getSnapshot().traffic.links.every((l) => Object.keys(l.counts).length === 0)).toBe(true);
  });
});

describe('the messages panel', () => {
  it('lists the links that carried messages first, then the quiet ones, and says how many did not fit', () => {
    const traffic = trafficOf([sample(0, []), sample(1000, [[3, 1, 'append', 4]])]);
    const all = messageRows([1, 2, 3], traffic, 10);
    expect(all.rows.map((r) => `${r.from}>${r.to}`)).toEqual(['3>1', '1>2', '1>3', '2>1', '2>3', '3>2']);
    expect(all.rows[0]!.cells.filter((c) => c > 0)).toEqual([4]);
    const some = messageRows([1, 2, 3], traffic, 3);
    expect(some).toMatchObject({ hidden: 4 });
    expect(some.rows).toHaveLength(2);
  });

  it('draws one row per directed link with a count per kind, within 80 columns', () => {
    const snap = snapshot(healthy(), {
      traffic: trafficOf([
        sample(0, []),
        sample(5000, [
          [1, 2, 'heartbeat', 100],
          [1, 3, 'append', 7],
          [2, 1, 'heartbeat-response', 99],
          [3, 1, 'append-response', 7],
        ]),
      ]),
    });
    const out = frame(snap);
    expect(out).toContain('events [messages] reads members (Tab) · messages sent in the last 5 s');
    expect(out).toMatch(/link\s+pvote\s+pv-r\s+vote\s+vt-r\s+app\s+app-r\s+hb\s+hb-r\s+snap\s+tnow/);
    expect(out).toMatch(/n1→n2 +(· +){6}100 +· +· +·/);
    expect(out).toMatch(/n2→n3 +(· +){9}·/);
    for (const l of out.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    expect(frame(snap, 80, 24, 'zh')).toContain('最近 5 秒发送的消息');
  });

  it('says so when the nodes do not report what they send', () => {
    expect(frame(snapshot(healthy()))).toContain('the nodes do not report the messages they send');
  });
});
