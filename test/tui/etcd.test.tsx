// The dashboard on an etcd cluster, local (up --engine etcd) and attached (dashboard --etcd): the
// header names the engine, every field etcd does not report reads "n/a" (never a number), and a
// line under the table says what etcd does not expose, at every size and in both languages.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { unsupportedOps, type ClusterModel } from '../../src/cluster-model/index.js';
import { Dashboard } from '../../src/tui/dashboard.js';
import { helpLines } from '../../src/tui/help.js';
import { initialUi, type UiState } from '../../src/tui/keys.js';
import { labelsFor } from '../../src/tui/labels.js';
import { layout, rowRegions, type Size } from '../../src/tui/layout.js';
import { columns } from '../../src/tui/text-width.js';
import { etcdModel, etcdNode } from '../cluster-model/fixtures.js';
import { event, snapshot } from './fixtures.js';

/**
 * Numbers etcd never gives, planted in the fields it does not report: were the view to show one of
 * them, it would be inventing data. (The model of a real etcd cluster holds zeros there.)
 */
const PLANTED = { lastIndex: 987_654, lastTerm: 4321, firstIndex: 97_531, snapshotIndex: 86_420 };

function etcdCluster(count: number, o: { remote?: boolean; writable?: boolean } = {}): ClusterModel {
  const m = etcdModel(
    Array.from({ length: count }, (_, i) =>
      etcdNode(i + 1, {
        role: i === 0 ? 'leader' : 'follower',
        term: 7,
        vote: 0,
        leader: 1,
        commit: 1230 - i,
        applied: 1229 - i,
        membership: { voters: Array.from({ length: count }, (_, j) => j + 1), learners: [] },
        ...PLANTED,
        runs: [[97_531, 4321]],
        timer:
          i === 0
            ? { kind: 'heartbeat', deadline: 1_000_025, intervalMs: 777 }
            : { kind: 'election', deadline: 1_000_900, timeoutMs: 3000 },
        progress: { 2: { match: 55_555, next: 55_556, state: 'replicate' } },
      }),
    ),
    o,
  );
  m.events = Array.from({ length: 40 }, (_, i) =>
    event(1 + (i % count), 'became-leader', `n${1 + (i % count)} became leader at term ${i}`),
  );
  return m;
}

function frame(m: ClusterModel, size: Size, lang: 'en' | 'zh' = 'en', ui: Partial<UiState> = {}): string[] {
  const { lastFrame, unmount } = render(
    <Dashboard
      snap={snapshot(m)}
      ui={{ ...initialUi(1), ...ui }}
      size={size}
      labels={labelsFor(lang)}
      colour={false}
      attached={m.engine.kind === 'etcd' && m.engine.remote}
      exercise={null}
    />,
  );
  const out = lastFrame() ?? '';
  unmount();
  return out.split('\n');
}

const SIZES: Size[] = [
  { cols: 72, rows: 24 },
  { cols: 80, rows: 24 },
  { cols: 160, rows: 48 },
];

function expectFits(lines: string[], size: Size, what: string): void {
  expect(lines.length, `${what}: lines`).toBeLessThanOrEqual(size.rows - 1);
  for (const l of lines) expect(columns(l), `${what}: "${l}"`).toBeLessThanOrEqual(size.cols);
}

describe('the dashboard on an etcd cluster', () => {
  it('fits at 72x24, 80x24 and 160x48, in English and Chinese, local and attached, with the help open too', () => {
    for (const size of SIZES)
      for (const lang of ['en', 'zh'] as const)
        for (const remote of [false, true])
          for (const count of [3, 5, 9])
            for (const ui of [{}, { mode: { kind: 'help' } as const }]) {
              const what = `${lang} ${remote ? 'attached' : 'local'} ${count} nodes ${JSON.stringify(ui)} at ${size.cols}x${size.rows}`;
              expectFits(frame(etcdCluster(count, { remote }), size, lang, ui), size, what);
            }
  });

  it('never shows a number etcd does not report: the log, the timer and the progress read n/a', () => {
    for (const size of SIZES)
      for (const lang of ['en', 'zh'] as const) {
        const text = frame(etcdCluster(5), size, lang).join('\n');
        for (const n of ['987654', '4321', '97531', '86420', '55555', '777', '0.90s', '♥777'])
          expect(text, `${lang} at ${size.cols}x${size.rows}`).not.toContain(n);
        // What etcd does give: term, leader, commit and applied.
        expect(text).toMatch(/T7/);
        expect(text).toContain('1230');
        expect(text).toContain('1229');
      }
    const rows = frame(etcdCluster(3), { cols: 160, rows: 48 }).filter((l) => /^[ ▸] n\d /.test(l));
    expect(rows).toHaveLength(3);
    // last i/t and the timer: n/a on every row.
    for (const r of rows) expect(r.match(/n\/a/g)?.length, r).toBe(2);
  });

  it('says under the table what etcd does not expose, the longest wording that fits, and draws no log grid', () => {
    const at160 = frame(etcdCluster(3), { cols: 160, rows: 48 });
    expect(at160).toContain('n/a: etcd does not expose its log entries or timers; commit and applied come from its own status');
    expect(at160.join('\n')).not.toContain('log (term per entry');
    const at72 = frame(etcdCluster(3), { cols: 72, rows: 24 });
    expect(at72).toContain('n/a: etcd does not expose its log entries or timers');
    // The note is the line right under the node rows.
    const last = at72.findLastIndex((l) => /^[ ▸] n\d /.test(l));
    expect(at72[last + 1]).toMatch(/^n\/a: etcd/);
    const zh = frame(etcdCluster(3), { cols: 80, rows: 24 }, 'zh');
    expect(zh.some((l) => l.startsWith('n/a：etcd 不公开其日志条目'))).toBe(true);
  });

  it('names the engine in the header, and for an attached cluster whether changes are allowed', () => {
    const local = frame(etcdCluster(3), { cols: 160, rows: 48 });
    expect(local[0]).toMatch(/^raft-console demo · 3 nodes · ★ leader n1 · term 7 · commit 1230\s+✔ SAFE$/);
    expect(local[1]).toMatch(/^etcd 3\.4\.23 · speed normal \(150-300 ms, ♥ 50 ms\) · fsync on/);
    const ro = frame(etcdCluster(3, { remote: true }), { cols: 72, rows: 24 });
    expect(ro[1]).toBe('etcd 3.4.23 · cluster cdf818194e3a8c32 · attached, read-only');
    const rw = frame(etcdCluster(3, { remote: true, writable: true }), { cols: 80, rows: 24 }, 'zh');
    expect(rw[1]).toBe('etcd 3.4.23 · 集群 cdf818194e3a8c32 · 已连接，允许更改');
  });

  it('explains n/a in the help legend, only on a cluster that has it', () => {
    const text = (etcd: boolean): string =>
      helpLines(labelsFor('en'), false, 80, etcd)
        .map((l) => l.map((s) => s.text).join(''))
        .join(' ');
    expect(text(true)).toMatch(/n\/a\s+not exposed by etcd/);
    expect(text(false)).not.toContain('n/a');
  });

  it("offers only the keys the cluster's engine serves: the footer leaves the others out, the help lists them dimmed with why", () => {
    const footer = (m: ClusterModel): string => frame(m, { cols: 160, rows: 48 }).at(-1)!;
    expect(footer(etcdCluster(3))).toMatch(/x kill .*z pause/);
    // Attached read-only, no key acts on the cluster: kill, partition and pause give way.
    const attached = footer(etcdCluster(3, { remote: true }));
    expect(attached).not.toMatch(/x kill|p partition|z pause/);
    expect(attached).toMatch(/n submit .*\? help/);
    const help = (m: ClusterModel, lang: 'en' | 'zh' = 'en'): string[] =>
      helpLines(labelsFor(lang), false, 80, true, false, unsupportedOps(m.engine)).map((l) => l.map((x) => x.text).join(''));
    const local = help(etcdCluster(3)).join(' ').replace(/\s+/g, ' ');
    expect(local).toContain('make the node start an election now (not on this etcd cluster: the key says why)');
    expect(local).not.toMatch(/kill the node[^(]*\(not on this/);
    expect(help(etcdCluster(3), 'zh').join(' ')).toContain('此 etcd 集群不支持');
  });

  it('counts the note in the layout: the mouse finds the events below it, and the minimum size holds', () => {
    const l = layout({ cols: 80, rows: 24 }, 3, false, false, true);
    expect(l.grid).toBe(false);
    expect(rowRegions(l, 3)!.events!.top).toBe(2 + 1 + 3 + 1);
    for (const count of [3, 5, 9]) {
      const needs = layout({ cols: 1, rows: 1 }, count, false, false, true).tooSmall!;
      expectFits(frame(etcdCluster(count), needs), needs, `${count} nodes at ${needs.cols}x${needs.rows}`);
    }
  });

  it('shows a member etcd could not reach as unreachable, its last report dim', () => {
    const m = etcdCluster(3, { remote: true });
    m.nodes[2] = { ...m.nodes[2]!, process: { ...m.nodes[2]!.process, state: 'unreachable', pid: null } };
    const row = frame(m, { cols: 160, rows: 48 }).find((l) => l.startsWith('  n3 '))!;
    expect(row).toMatch(/\? unreachable /);
    expect(row).not.toMatch(/4321|987654/);
  });
});
