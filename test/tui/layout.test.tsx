// The frame at every size from the stated minimum to 200x60: never taller than rows - 1 lines,
// no line wider than the terminal (a wider one would wrap and push the frame apart), the top line
// whole, and the texts that do not fit scrolled rather than cut.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { ExercisePanelView } from '../../src/exercises/types.js';
import { Dashboard } from '../../src/tui/dashboard.js';
import { footerOrder } from '../../src/tui/footer.js';
import { Header } from '../../src/tui/header.js';
import { helpLines } from '../../src/tui/help.js';
import { BINDINGS } from '../../src/tui/keymap.js';
import { initialUi, type UiState } from '../../src/tui/keys.js';
import { labelsFor } from '../../src/tui/labels.js';
import { layout, type Size } from '../../src/tui/layout.js';
import type { Snapshot } from '../../src/tui/store.js';
import { columns } from '../../src/tui/text-width.js';
import type { ClusterModel } from '../../src/cluster-model/index.js';
import { etcdModel, etcdNode } from '../cluster-model/fixtures.js';
import { event, model, node, snapshot } from './fixtures.js';

const en = labelsFor('en');

function frame(
  snap: Snapshot,
  size: Size,
  ui: Partial<UiState> = {},
  exercise: ExercisePanelView | null = null,
  lang: 'en' | 'zh' = 'en',
): string[] {
  const { lastFrame, unmount } = render(
    <Dashboard
      snap={snap}
      ui={{ ...initialUi(1), ...ui }}
      size={size}
      labels={labelsFor(lang)}
      colour={false}
      attached={false}
      exercise={exercise}
    />,
  );
  const out = lastFrame() ?? '';
  unmount();
  return out.split('\n');
}

/** A cluster of `count` nodes led by n1, with a one-way cut and a slow link, and a story long enough to fill any screen. */
function cluster(count: number): ClusterModel {
  const m = model(
    Array.from({ length: count }, (_, i) =>
      node(i + 1, {
        role: i === 0 ? 'leader' : 'follower',
        term: 12,
        vote: 1,
        leader: 1,
        lastIndex: 1234,
        lastTerm: 12,
        commit: 1230,
        applied: 1229,
        runs: [[1, 12]],
        timer:
          i === 0
            ? { kind: 'heartbeat', deadline: 1_000_025, intervalMs: 500 }
            : { kind: 'election', deadline: 1_000_900, timeoutMs: 3000 },
      }),
    ),
  );
  m.links = [
    { from: 2, to: 3, blocked: true, delayMs: 0, loss: 0 },
    { from: 1, to: 4 % count || 1, blocked: false, delayMs: 200, loss: 0.3 },
  ];
  m.events = Array.from({ length: 80 }, (_, i) =>
    event(
      1 + (i % count),
      'election-timeout',
      `n${1 + (i % count)} heard nothing from its leader for a long while and starts an election in term ${i}`,
    ),
  );
  return m;
}

/** Exercise 5's panel as the tracker gives it, with its long texts. */
const EXERCISE: ExercisePanelView = {
  number: 5,
  title: 'Split vote',
  goal: 'Two nodes ask for votes in the same term at the same moment. See why neither wins, and how Raft gets out of it.',
  prediction: 'The leader is paused; of the three other nodes, two ask for votes at the same moment. Who wins?',
  answer: null,
  steps: [
    { text: 'Wait until a leader is elected and every node follows it.', done: true, current: false },
    {
      text: 'Press X: the leader is paused, and two followers start an election at the same moment. Neither wins.',
      done: false,
      current: true,
    },
    {
      text: 'Their random election timeouts differ: the first to time out starts a later term alone and wins it.',
      done: false,
      current: false,
    },
    { text: 'Resume the paused leader: it sees the higher term and becomes a follower.', done: false, current: false },
  ],
  hint: 'Watch both become candidates for the same term and refuse each other ("it already voted in this term"). If one won anyway (its request arrived before the other had started), resume the paused leader (z) and press X again.',
  command: null,
  explanation: null,
  trigger: { label: 'pause the leader n1; n2 and n3 start an election at the same moment' },
  detour: null,
};

function expectFits(lines: string[], size: Size, what: string): void {
  expect(lines.length, `${what}: lines`).toBeLessThanOrEqual(size.rows - 1);
  for (const l of lines) expect(columns(l), `${what}: "${l}"`).toBeLessThanOrEqual(size.cols);
}

const SIZES: Size[] = [
  { cols: 72, rows: 24 },
  { cols: 80, rows: 24 },
  { cols: 100, rows: 30 },
  { cols: 130, rows: 40 },
  { cols: 160, rows: 48 },
  { cols: 200, rows: 60 },
];

describe('the frame at every size', () => {
  it('fits from 72x24 to 200x60, in every overlay, with and without an exercise, at 5 and 9 nodes', () => {
    for (const size of SIZES)
      for (const count of [5, 9]) {
        const snap = snapshot(cluster(count), { flash: { ok: false, text: 'x'.repeat(300), ts: 1_000_000 }, results: [] });
        const cases: Array<[string, Partial<UiState>, ExercisePanelView | null]> = [
          ['dashboard', {}, null],
          ['help', { mode: { kind: 'help' } }, null],
          ['exercise', {}, EXERCISE],
          ['exercise text', { hint: true }, { ...EXERCISE }],
          ['help in an exercise', { mode: { kind: 'help' } }, EXERCISE],
          ['partition editor', { mode: { kind: 'partition', groups: {} } }, null],
        ];
        for (const [what, ui, ex] of cases) {
          const lines = frame(snap, size, ui, ex);
          const name = `${what} at ${size.cols}x${size.rows}, ${count} nodes`;
          expectFits(lines, size, name);
          expect(lines[0], name).toMatch(/★ leader n1 · term 12 · commit \d+\s+✔ SAFE$/);
        }
      }
  });

  it('fits an etcd cluster (its note under the table, no log grid) at every size, local and attached, in every overlay', () => {
    // Local in English, attached in Chinese: each wording of the header and the note at every size.
    for (const size of SIZES)
      for (const [remote, lang] of [
        [false, 'en'],
        [true, 'zh'],
      ] as const) {
        const m = etcdModel(
          Array.from({ length: 9 }, (_, i) =>
            etcdNode(i + 1, { role: i === 0 ? 'leader' : 'follower', term: 12, leader: 1, commit: 1230 }),
          ),
          { remote },
        );
        m.events = cluster(9).events;
        m.links = cluster(9).links;
        const snap = snapshot(m, { flash: { ok: false, text: 'x'.repeat(300), ts: 1_000_000 }, results: [] });
        for (const [what, ui, ex] of [
          ['dashboard', {}, null],
          ['help', { mode: { kind: 'help' } }, null],
          ['exercise text', { hint: true }, EXERCISE],
          ['partition editor', { mode: { kind: 'partition', groups: {} } }, null],
        ] as Array<[string, Partial<UiState>, ExercisePanelView | null]>) {
          const name = `etcd ${remote ? 'attached' : 'local'} ${lang} ${what} at ${size.cols}x${size.rows}`;
          const lines = frame(snap, size, ui, ex, lang);
          expectFits(lines, size, name);
          if (what === 'dashboard')
            expect(
              lines.some((l) => l.startsWith('n/a')),
              name,
            ).toBe(true);
        }
      }
  });

  it('fits in Chinese too, whose characters take two columns', () => {
    for (const size of [SIZES[0]!, SIZES[1]!, SIZES[4]!]) {
      const snap = snapshot(cluster(5), { flash: { ok: true, text: '已提交'.repeat(40), ts: 1_000_000 }, results: [] });
      for (const ui of [{}, { mode: { kind: 'help' } as const }, { hint: true }])
        expectFits(frame(snap, size, ui, EXERCISE, 'zh'), size, `zh ${JSON.stringify(ui)} at ${size.cols}x${size.rows}`);
    }
  });

  it('keeps the switches on the second line at 72 columns, the timeouts giving way', () => {
    const m = cluster(5);
    m.switches = { ...m.switches, preVote: false, checkQuorum: false };
    const second = frame(snapshot(m), { cols: 72, rows: 24 })[1]!;
    expect(second).toMatch(/PreVote off · CheckQuorum off$/);
    expect(frame(snapshot(m), { cols: 160, rows: 48 })[1]).toMatch(/\(\d+-\d+ ms, ♥ \d+ ms\)/);
  });

  it('shows every node in one row each, and the link faults under the table when there is no links column', () => {
    const at80 = frame(snapshot(cluster(5)), { cols: 80, rows: 24 });
    expect(at80.filter((l) => /^[ ▸] n\d /.test(l))).toHaveLength(5);
    expect(at80.find((l) => l.startsWith('links: '))).toMatch(/n1 →4 200ms 30% · n2 →3 cut/);
    const at160 = frame(snapshot(cluster(5)), { cols: 160, rows: 48 });
    expect(at160.find((l) => l.startsWith('  n2 '))).toMatch(/→3 cut/);
    expect(at160.some((l) => l.startsWith('links: '))).toBe(false);
    // Faults too many for the column's width are told whole under it too.
    const busy = cluster(5);
    busy.links = [2, 3, 4, 5].map((to) => ({ from: 1, to, blocked: false, delayMs: 1500, loss: 0.25 }));
    const at100 = frame(snapshot(busy), { cols: 100, rows: 30 });
    expect(at100.find((l) => l.startsWith('links: '))).toContain('n1 →2 1500ms 25% →3 1500ms 25% →4 1500ms 25% →5 1500ms 25%');
  });

  it('is true to the minimum it states: at the size it asks for, the whole frame fits, link faults and all', () => {
    for (const count of [1, 3, 5, 9, 15])
      for (const ex of [null, EXERCISE]) {
        const needs = layout({ cols: 1, rows: 1 }, count, ex !== null).tooSmall!;
        expect(layout(needs, count, ex !== null, true).tooSmall).toBeNull();
        const lines = frame(snapshot(cluster(count)), needs, {}, ex);
        expectFits(lines, needs, `${count} nodes at ${needs.cols}x${needs.rows}`);
        expect(
          lines.filter((l) => /^[ ▸] n\d+ /.test(l)),
          `${count} nodes`,
        ).toHaveLength(count);
      }
    const small = frame(snapshot(cluster(5)), { cols: 60, rows: 24 });
    expect(small.join('\n')).toMatch(/too small.*\n.*at least 72x15 for 5 nodes/);
  });
});

describe('texts longer than the screen', () => {
  it('help at 80x24 gives every description whole, and a legend of the glyphs and abbreviations', () => {
    const text = helpLines(en, true, 80)
      .map((l) => l.map((s) => s.text).join(''))
      .join(' ')
      .replace(/\s+/g, ' ');
    for (const b of BINDINGS) expect(text).toContain(b.help);
    for (const abbr of ['last i/t', 'appl', 'grp', "3'", '♥50ms', '███░', '● ‖ ■ ✗ ☠', '★ ◆ ◇ · ○']) expect(text).toContain(abbr);
    const lines = frame(snapshot(cluster(5)), { cols: 80, rows: 24 }, { mode: { kind: 'help' } });
    expect(lines.at(-3)).toMatch(/more ↓ \(PgUp PgDn\)/);
    // Scrolled to its end, the legend's last line is on screen.
    const end = frame(snapshot(cluster(5)), { cols: 80, rows: 24 }, { mode: { kind: 'help' }, textScroll: 1000 });
    expect(end.join('\n')).toContain('the other side of a partition');
  });

  it("shows exercise 5's whole text on a narrow screen once scrolled: every step and the hint", () => {
    const size = { cols: 80, rows: 24 };
    const top = frame(snapshot(cluster(4)), size, { hint: true }, EXERCISE).join('\n');
    const bottom = frame(snapshot(cluster(4)), size, { hint: true, textScroll: 1000 }, EXERCISE).join('\n');
    const seen = (top + bottom).replace(/[│\s]+/g, ' ');
    for (const s of EXERCISE.steps) expect(seen).toContain(s.text);
    expect(seen).toContain('resume the paused leader (z) and press X again.');
  });

  it('tells when a result is longer than its line, and m shows it whole', () => {
    const long = `killed n2 (SIGKILL): a crash; its disk keeps what it acknowledged; ${'and more '.repeat(10)}the end`;
    const snap = snapshot(cluster(5), {
      flash: { ok: true, text: long, ts: 1_000_000 },
      results: [{ ok: true, text: long, ts: 1_000_000 }],
    });
    const lines = frame(snap, { cols: 80, rows: 24 });
    expect(lines.at(-2)).toMatch(/… \(m: all of it\)$/);
    const all = frame(snap, { cols: 80, rows: 24 }, { mode: { kind: 'results' } })
      .join(' ')
      .replace(/\s+/g, ' ');
    expect(all).toContain(long);
  });

  it('keeps the commit index beside a safety alarm, the alarm taking a shorter word where it must', () => {
    const m = cluster(5);
    m.safety = { ok: false, property: 'Election Safety', nodes: [1, 2], text: 'two leaders in term 12', ts: 1, checkedReports: 3 };
    expect(frame(snapshot(m), { cols: 72, rows: 24 })[0]).toMatch(/commit 1230\s+✘ SAFETY VIOLATED\s*$/);
    // A node in a later term makes the top line longer: the alarm gives way, the commit index stays.
    const ahead = m.nodes[2]!;
    ahead.raft = { ...ahead.raft!, role: 'candidate', term: 15 };
    const { lastFrame, unmount } = render(<Header model={m} labels={en} width={64} attached={false} />);
    const top = (lastFrame() ?? '').split('\n')[0]!;
    unmount();
    expect(top).toMatch(/term 12 \(n3 at term 15\) · commit 1230\s+✘ UNSAFE\s*$/);
  });
});

describe('the footer in an exercise', () => {
  it("offers the set-up and the key of the step's command first", () => {
    expect(footerOrder('resume <id>').slice(0, 2)).toEqual(['trigger', 'pause']);
    expect(footerOrder('submit --via <old leader> lost').slice(0, 2)).toEqual(['trigger', 'submit-via']);
    // + is a plain add: a step that asks for a learner, or a command no key does, offers the command line.
    expect(footerOrder('add --learner').slice(0, 2)).toEqual(['trigger', 'command']);
    expect(footerOrder('promote <id>').slice(0, 2)).toEqual(['trigger', 'command']);
    expect(footerOrder('add').slice(0, 2)).toEqual(['trigger', 'add']);
    const lines = frame(snapshot(cluster(5)), { cols: 80, rows: 24 }, {}, { ...EXERCISE, trigger: null, command: 'stop <id> <id> <id>' });
    expect(lines.at(-1)).toMatch(/^s stop H hint/);
  });
});
