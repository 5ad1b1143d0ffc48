// Step mode in the dashboard: its keys, the messages in flight in the events' place, the header.
import { describe, expect, it } from 'vitest';
import type { ClusterModel, HeldMessage } from '../../src/cluster-model/index.js';
import { initialUi, route, selectedHeld, type KeyContext, type UiState } from '../../src/tui/keys.js';
import { labelsFor } from '../../src/tui/labels.js';
import { listStart } from '../../src/tui/step-panel.js';
import { DashboardStore, type Snapshot } from '../../src/tui/store.js';
import { event, healthy, keyContext, snapshot, sourceOf } from './fixtures.js';
import { frame as dashboardFrame } from './frame.js';

function held(id: string, from: number, to: number, type: string, text: string, detail: HeldMessage['detail'] = {}): HeldMessage {
  return { id, from, to, type, term: 3, detail, text, heldAt: 1_000_000 };
}

const VOTES = [
  held('1.1', 1, 2, 'vote', 'n1 asks n2 for its vote in term 3 (its last entry 5, term 2)', { lastLogIndex: 5, lastLogTerm: 2 }),
  held('1.2', 1, 3, 'vote', 'n1 asks n3 for its vote in term 3 (its last entry 5, term 2)', { lastLogIndex: 5, lastLogTerm: 2 }),
];

function stepping(messages: HeldMessage[], on = true): ClusterModel {
  const m = healthy();
  m.step = { on, since: 1_000_000, held: messages };
  return m;
}

const ctx = (messages: readonly HeldMessage[], on = true): KeyContext => ({ ...keyContext, step: { on, held: messages.map((h) => h.id) } });

function frame(snap: Snapshot, ui: Partial<UiState> = {}, cols = 80, rows = 24, lang: 'en' | 'zh' = 'en'): string {
  return dashboardFrame(snap, { ui, size: { cols, rows }, lang });
}

describe('step mode keys', () => {
  it('S turns step mode on, and off again when it is on', () => {
    expect(route(initialUi(1), 'S', {}, { ...ctx([]), step: undefined }).intents).toEqual([
      { type: 'action', action: { op: 'step', on: true } },
    ]);
    expect(route(initialUi(1), 'S', {}, ctx([])).intents).toEqual([{ type: 'action', action: { op: 'step', on: false } }]);
  });

  it('d delivers the selected message (the oldest at first) and moves the selection to the next', () => {
    const r = route(initialUi(1), 'd', {}, ctx(VOTES));
    expect(r.intents).toEqual([{ type: 'action', action: { op: 'deliver', ids: ['1.1'] } }]);
    expect(r.ui.heldSel).toBe('1.2');
    const last = route(r.ui, 'd', {}, ctx(VOTES));
    expect(last.intents).toEqual([{ type: 'action', action: { op: 'deliver', ids: ['1.2'] } }]);
    // After the last one, the oldest held (the answers that came meanwhile) is selected.
    expect(last.ui.heldSel).toBeNull();
  });

  it('] and [ move the selection within the list; o drops the selected one; D delivers all that are due', () => {
    const down = route(initialUi(1), ']', {}, ctx(VOTES)).ui;
    expect(down.heldSel).toBe('1.2');
    expect(route(down, ']', {}, ctx(VOTES)).ui.heldSel).toBe('1.2');
    expect(route(down, 'o', {}, ctx(VOTES)).intents).toEqual([{ type: 'action', action: { op: 'drop', ids: ['1.2'] } }]);
    expect(route(down, '[', {}, ctx(VOTES)).ui.heldSel).toBe('1.1');
    expect(route(down, 'D', {}, ctx(VOTES)).intents).toEqual([{ type: 'action', action: { op: 'deliver', ids: 'due' } }]);
  });

  it("E and B fire the selected node's election timeout and heartbeat; . advances every clock one tick", () => {
    const on2 = { ...initialUi(1), selected: 2 };
    expect(route(on2, 'E', {}, ctx([])).intents).toEqual([{ type: 'action', action: { op: 'fire', node: 2, timer: 'election' } }]);
    expect(route(on2, 'B', {}, ctx([])).intents).toEqual([{ type: 'action', action: { op: 'fire', node: 2, timer: 'heartbeat' } }]);
    expect(route(on2, '.', {}, ctx([])).intents).toEqual([{ type: 'action', action: { op: 'advance', ticks: 1 } }]);
  });

  it('say what to do instead when step mode is off, or when no message is held', () => {
    expect(route(initialUi(1), 'd', {}, ctx(VOTES, false)).intents).toEqual([{ type: 'note', text: 'step mode is off: S turns it on' }]);
    expect(route(initialUi(1), 'E', {}, { ...ctx([]), step: undefined }).intents).toEqual([
      { type: 'note', text: 'step mode is off: S turns it on' },
    ]);
    expect(route(initialUi(1), 'd', {}, ctx([])).intents[0]).toMatchObject({ type: 'note', text: /^no message is held/ });
  });

  it('say it in Chinese on a Chinese dashboard', () => {
    const words = labelsFor('zh');
    expect(route(initialUi(1), 'd', {}, { ...ctx(VOTES, false), words }).intents).toEqual([
      { type: 'note', text: '单步模式已关闭：按 S 开启' },
    ]);
    expect(route(initialUi(1), 'd', {}, { ...ctx([]), words }).intents[0]).toMatchObject({ type: 'note', text: /^没有被扣住的消息/ });
    const nobody = { ...ctx([]), words, nodes: [] };
    expect(route(initialUi(1), 'E', {}, nobody).intents).toEqual([{ type: 'note', text: '请先选择一个节点（方向键或它的编号）' }]);
  });

  it('select the oldest when the selected message is no longer held', () => {
    expect(selectedHeld(['1.1', '1.2'], '9.9')).toBe(0);
    expect(selectedHeld(['1.1', '1.2'], '1.2')).toBe(1);
    expect(selectedHeld([], null)).toBe(-1);
    expect(listStart(20, 15, 5)).toBe(13);
    expect(listStart(3, 2, 5)).toBe(0);
  });
});

describe('the dashboard in step mode', () => {
  it('says STEP MODE in the header and lists the messages in flight in the events place, the selected one in full', () => {
    const snap = snapshot(stepping(VOTES), {
      heldNew: ['1.2'],
      events: [event(1, 'election-timeout', 'n1 heard nothing for 0.2 s and starts an election')],
    });
    const out = frame(snap, { heldSel: '1.2' });
    const lines = out.split('\n');
    expect(lines[1]).toMatch(/^ STEP MODE {2}clocks stopped, messages held · fsync on/);
    expect(out).toContain(' STEP MODE  2 messages in flight · + marks what your last key caused');
    expect(out).toContain('  1.1   n1 asks n2 for its vote in term 3 (its last entry 5, term 2)');
    expect(out).toContain('▸+1.2   n1 asks n3 for its vote in term 3 (its last entry 5, term 2)');
    expect(out).toContain('  id 1.2 · vote n1→n3 · term 3 · lastLogIndex 5 · lastLogTerm 2');
    expect(out).toContain('n1 heard nothing for 0.2 s and starts an election');
    // The footer leads with step mode's keys.
    expect(lines.at(-1)).toMatch(/^d deliver \[ \] message o drop D deliver all E timeout/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines.length).toBeLessThanOrEqual(23);
  });

  it('says what to do when no message is held, and speaks Chinese', () => {
    expect(frame(snapshot(stepping([])))).toContain("no message in flight: E fires the selected node's election timeout");
    expect(frame(snapshot(stepping(VOTES)), {}, 80, 24, 'zh')).toContain('单步模式');
  });

  it('keeps the selected message in sight in a long list, and says how many are out of it', () => {
    const many = Array.from({ length: 30 }, (_, i) => held(`2.${i + 1}`, 2, 1, 'append', `n2 sends n1 message ${i + 1}`));
    const out = frame(snapshot(stepping(many)), { heldSel: '2.25' });
    expect(out).toContain('▸ 2.25  n2 sends n1 message 25');
    expect(out).toMatch(/\+\d+ more \(\[ \] moves through them\)/);
    expect(out.split('\n').length).toBeLessThanOrEqual(23);
  });

  it('shows the events as usual once step mode is off', () => {
    const out = frame(snapshot(stepping([], false)));
    expect(out).not.toContain('STEP MODE');
    expect(out).toContain('[events] messages reads members (Tab)');
  });
});

describe('what a step key caused', () => {
  it('is the messages held since the key: the store marks them new', () => {
    let current = stepping([VOTES[0]!]);
    const source = sourceOf(() => current);
    const store = new DashboardStore(source, () => 1_000_000);
    expect(store.getSnapshot().heldNew).toEqual([]);
    store.markHeld();
    current = stepping(VOTES);
    store.publish();
    expect(store.getSnapshot().heldNew).toEqual(['1.2']);
  });
});
