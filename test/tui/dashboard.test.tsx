// The frame, rendered with ink-testing-library from models of the test's choosing.
import { describe, expect, it } from 'vitest';
import { LiveModel } from '../../src/supervisor/live-model.js';
import { nodeWrites } from '../supervisor/helpers.js';
import { SafetyMonitor } from '../../src/supervisor/safety.js';
import { columns } from '../../src/tui/text-width.js';
import type { ClusterEvent } from '../../src/cluster-model/index.js';
import { event, healthy, model, node, snapshot } from './fixtures.js';
import { frame } from './frame.js';

function line(out: string, start: RegExp): string {
  return out.split('\n').find((l) => start.test(l)) ?? '';
}

describe('the dashboard frame', () => {
  it('shows each node with its role glyph, term, vote, leader, last index/term, commit and applied', () => {
    const out = frame(snapshot(healthy()));
    expect(out).toContain('★ leader n1');
    expect(line(out, /^▸ n1 /)).toMatch(/running\s+★ leader\s+T2\s+n1\s+n1\s+5\/2\s+4\s+4/);
    expect(line(out, /^ {2}n3 /)).toMatch(/· follower\s+T2\s+n1\s+n1\s+4\/2\s+3\s+3/);
  });

  it('pairs the leader with its own term, and names a node that is already in a later term beside it', () => {
    const m = healthy();
    expect(frame(snapshot(m)).split('\n')[0]).toMatch(/★ leader n1 · term 2 · commit/);
    const cutOff = m.nodes.find((n) => n.id === 3)!;
    cutOff.raft = { ...cutOff.raft!, role: 'candidate', term: 5 };
    expect(frame(snapshot(m)).split('\n')[0]).toMatch(/★ leader n1 · term 2 \(n3 at term 5\) · commit/);
    // At 80 columns the line still ends with the commit index and the badge.
    expect(frame(snapshot(m), { size: { cols: 80, rows: 24 } }).split('\n')[0]).toMatch(/\(n3 at term 5\) · commit \d+\s+✔ SAFE$/);
  });

  it('shows the election timer left on followers and the heartbeat on the leader', () => {
    const out = frame(snapshot(healthy()));
    // n2: 100 of 200 ms left; n3: 150 of 200.
    expect(line(out, /^ {2}n2 /)).toContain('0.10s');
    expect(line(out, /^ {2}n3 /)).toContain('0.15s');
    expect(line(out, /^▸ n1 /)).toContain('♥50ms');
  });

  it('draws the log grid with the term of each entry, committed and uncommitted apart without colour', () => {
    const out = frame(snapshot(healthy()));
    // n3 has committed 1-3 and holds 4 uncommitted; entries 1-2 are of term 1, 3-5 of term 2.
    expect(line(out, /^n3 /)).toMatch(/^n3\s+1 1 2 2' *$/);
    expect(line(out, /^n1 /)).toMatch(/^n1\s+1 1 2 2 2' *$/);
  });

  it('marks the cells a truncation removed', () => {
    const m = healthy();
    const out = frame(snapshot(m, { truncations: [{ node: 3, from: 5, to: 6, terms: [1, 1], ts: 999_000 }] }));
    expect(line(out, /^n3 /)).toContain('✗1');
    expect(line(out, /^n2 /)).not.toContain('✗');
  });

  it('raises the safety alarm for two leaders in one term', () => {
    const m = model([node(1, { role: 'leader', term: 3 }), node(2, { role: 'leader', term: 3 }), node(3, { role: 'follower', term: 3 })]);
    // The verdict as the supervisor's monitor gives it, from what these nodes report.
    const monitor = new SafetyMonitor();
    for (const n of m.nodes) monitor.report(n.id, n.raft!, 1);
    m.safety = monitor.verdict;
    const out = frame(snapshot(m));
    expect(out).toContain('SAFETY VIOLATED');
    expect(out).toMatch(/Election Safety \(n1, n2\)/);
  });

  it('turns the safety badge red when two nodes report different applied-state digests at one index', () => {
    // Three nodes whose logs agree on every term, as after a forged append at a follower's tail:
    // their state lines go through the supervisor's live model, as the nodes' stdout does.
    const live = new LiveModel(model([node(1, null), node(2, null), node(3, null)]));
    const report = (id: number, digests: Array<[number, string]>): void => {
      const applied = digests.at(-1)![0];
      const raft = node(id, {
        role: id === 1 ? 'leader' : 'follower',
        term: 2,
        leader: 1,
        lastIndex: applied,
        lastTerm: 2,
        commit: applied,
        applied,
        runs: [[1, 2]],
        digests,
      }).raft!;
      nodeWrites(live, id, { ts: 1_000_000, node: id, kind: 'state', ...raft });
    };
    report(1, [
      [64, 'aaaaaaaaaaaaaaaa'],
      [70, '1111111111111111'],
    ]);
    report(2, [
      [64, 'aaaaaaaaaaaaaaaa'],
      [66, '2222222222222222'],
    ]);
    const wide = { cols: 160, rows: 30 };
    expect(frame(snapshot(live.model), { size: wide })).toContain('✔ SAFE');
    report(3, [
      [64, 'aaaaaaaaaaaaaaaa'],
      [70, '9999999999999999'],
    ]);
    const out = frame(snapshot(live.model), { size: wide });
    expect(out).not.toContain('✔ SAFE');
    expect(out).toMatch(
      /State Machine Safety \(n1, n3\): the entries applied up to 70 differ: digest 1111111111111111 on n1 but 9999999999999999 on n3/,
    );
    // The badge itself (drawn white on red), at the end of the first line.
    expect(out.split('\n')[0]).toMatch(/✘ SAFETY VIOLATED\s*$/);
  });

  it("shows the supervisor's safety verdict: OK, or the broken property and the nodes", () => {
    expect(frame(snapshot(model([node(1, { role: 'leader' })], { safety: { ok: true, checkedReports: 3 } })))).toContain('✔ SAFE');
    const broken = model([node(1, { role: 'leader' })], {
      safety: {
        ok: false,
        property: 'State Machine Safety',
        nodes: [1, 4],
        text: 'entry 7 is committed with term 2 on n1 but term 3 on n4',
        ts: 1,
        checkedReports: 9,
      },
    });
    expect(frame(snapshot(broken))).toMatch(/State Machine Safety \(n1, n4\): entry 7 is committed with term 2/);
  });

  it('tells the story with times and filters it by node', () => {
    const m = healthy();
    m.events = [
      event(2, 'election-timeout', 'n2 heard nothing from n1 for 0.2 s and starts an election'),
      event(3, 'vote-cast', 'n3 votes for n2 in term 3', { granted: true }),
    ];
    expect(frame(snapshot(m))).toContain('n3 votes for n2 in term 3');
    const only2 = frame(snapshot(m), { ui: { filter: 2 } });
    expect(only2).toContain('n2 heard nothing from n1');
    expect(only2).not.toContain('n3 votes for n2');
  });

  it('shows processes that are not running and their partition group', () => {
    const m = healthy();
    m.nodes[2]!.process.state = 'killed';
    m.partition = [[1, 2], [3]];
    const out = frame(snapshot(m));
    expect(line(out, /^ {2}n3 /)).toMatch(/✗ killed/);
    expect(line(out, /^ {2}n2 /)).toMatch(/ A\s*$/);
    expect(out).toContain('partition A{1,2} B{3}');
  });

  it('puts nodes in no listed partition group in one more group', () => {
    const m = healthy();
    m.partition = [[2]];
    const out = frame(snapshot(m));
    expect(line(out, /^ {2}n2 /)).toMatch(/ A\s*$/);
    expect(line(out, /^▸ n1 /)).toMatch(/ B\s*$/);
    expect(line(out, /^ {2}n3 /)).toMatch(/ B\s*$/);
  });

  it('fits 80x24 and says how large it must be below the minimum', () => {
    const out = frame(snapshot(healthy()), { size: { cols: 80, rows: 24 } });
    expect(out.split('\n').length).toBeLessThanOrEqual(23);
    for (const l of out.split('\n')) expect(l, l).toSatisfy((x: string) => x.length <= 80);
    expect(frame(snapshot(healthy()), { size: { cols: 50, rows: 10 } })).toMatch(/too small.*\n.*at least 72x/);
  });

  it('names the lower panels above the shown one, and draws the one chosen', () => {
    const out = frame(snapshot(healthy()));
    expect(out).toContain('[events] messages reads members (Tab)');
    const reads = frame(snapshot(healthy()), { ui: { panel: 'reads' } });
    expect(reads).toContain('events messages [reads] members (Tab)');
    expect(reads).toContain('no reads yet: select a node and press g');
    expect(frame(snapshot(healthy()), { ui: { panel: 'members' } })).toContain('events messages reads [members] (Tab)');
  });

  it('shows the help overlay with every key and its command line', () => {
    const out = frame(snapshot(healthy()), { ui: { mode: { kind: 'help' } }, size: { cols: 120, rows: 40 } });
    expect(out).toMatch(/x\s+kill the node/);
    expect(out).toContain('raft-console partition 1,2 3,4,5');
  });

  it('speaks Chinese when asked', () => {
    expect(frame(snapshot(healthy()), { lang: 'zh' })).toContain('领导者');
  });
});

describe('the event list', () => {
  it('stays where it was frozen while new events arrive, and counts them', async () => {
    const { visibleEvents } = await import('../../src/tui/view.js');
    const events = Array.from({ length: 10 }, (_, i) => event(1, 'commit', `entry ${i + 1} committed`));
    const frozen = visibleEvents(events, 10, { rows: 3, back: 0, filter: null, frozenAt: 7 });
    expect(frozen.lines.map((e) => e.text)).toEqual(['entry 5 committed', 'entry 6 committed', 'entry 7 committed']);
    expect(frozen.hiddenBelow).toBe(3);
  });
});

describe('the story', () => {
  it('is told in the order things happened, though lines from different nodes arrive out of order', async () => {
    const { DashboardStore } = await import('../../src/tui/store.js');
    let listener: (events: readonly ClusterEvent[]) => void = () => undefined;
    const m = healthy();
    const store = new DashboardStore({
      model: m,
      subscribe: (l) => {
        listener = l;
        return () => undefined;
      },
      act: async () => ({ ok: true, text: '' }),
      onGone: () => () => undefined,
    });
    listener([{ ...event(1, 'vote-received', 'n1 got a vote from n2'), ts: 20 }]);
    listener([{ ...event(2, 'vote-cast', 'n2 votes for n1'), ts: 10 }]);
    store.publish();
    expect(store.getSnapshot().events.map((e) => e.text)).toEqual(['n2 votes for n1', 'n1 got a vote from n2']);
  });
});

describe('in Chinese', () => {
  it('the help, the footer and the questions speak Chinese too', () => {
    const help = frame(snapshot(healthy()), { lang: 'zh', ui: { mode: { kind: 'help' } }, size: { cols: 120, rows: 40 } });
    expect(help).toContain('杀死节点：SIGKILL');
    const asking = frame(snapshot(healthy()), {
      lang: 'zh',
      ui: { mode: { kind: 'confirm', ask: 'remove', node: 3, then: { type: 'quit' } } },
    });
    expect(asking).toContain('把 n3 从集群中移除？（y/n）');
    expect(asking).toContain('x 杀死');
  });

  it('the help keeps a gap between its columns, with Chinese text as wide as it takes on a terminal', () => {
    /** The character drawn at terminal column `col` of the line (a CJK character takes two). */
    const drawnAt = (l: string, col: number): string => {
      let at = 0;
      for (const ch of l) {
        at += columns(ch);
        if (at > col) return ch;
      }
      return ' ';
    };
    // The keys take 12 columns and the text follows a column later; at 120 the command starts its own column.
    for (const size of [
      { cols: 80, rows: 24 },
      { cols: 120, rows: 40 },
    ]) {
      const out = frame(snapshot(healthy()), { lang: 'zh', ui: { mode: { kind: 'help' } }, size });
      const lines = out.split('\n');
      const start = lines.findIndex((l) => l.startsWith('按键')) + 1;
      // The keys: up to the empty line before the legend, or the line that says there is more.
      const end = lines.findIndex((l, i) => i >= start && (l.trim() === '' || l.startsWith('↑ 0')));
      const keys = lines.slice(start, end);
      expect(keys.length).toBeGreaterThan(10);
      for (const l of keys.filter((k) => /^\S/.test(k))) {
        expect(columns(l), l).toBeLessThanOrEqual(size.cols);
        expect(drawnAt(l, 11), `column 11 of ${l}`).toBe(' ');
        expect(l, l).not.toMatch(/\Sraft-console /);
      }
    }
  });

  it('tells the events in Chinese, worded from their fields', () => {
    const m = healthy();
    m.events = [
      event(1, 'role-change', 'n1 becomes leader in term 2: it won the election', {
        from: 'candidate',
        to: 'leader',
        term: 2,
        cause: 'won-election',
      }),
      event(null, 'kill', 'killed n2 (SIGKILL): a crash; its disk keeps what it acknowledged', {
        ok: true,
        outcome: { code: 'killed', nodes: [2], leader: null },
      }),
    ];
    const out = frame(snapshot(m), { lang: 'zh' });
    expect(out).toContain('★ n1 在任期 2 成为领导者：它赢得了选举');
    expect(out).toContain('▸ 杀死了 n2（SIGKILL）：相当于崩溃；它的磁盘保留已确认的内容');
    expect(frame(snapshot(m))).toContain('★ n1 becomes leader in term 2: it won the election');
  });
});
