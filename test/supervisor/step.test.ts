// Step mode's pure parts in the supervisor and the model: the actions as the control API takes
// them, the held messages kept from the nodes' step lines (one sentence each, in English and
// Chinese), what a node that ends while holding loses, and the model read back across the API.
import { describe, expect, test } from 'vitest';
import { heldText, heldTextZh } from '../../src/cluster-model/held-text.js';
import { readControlMessage } from '../../src/cluster-model/model-reader.js';
import { readStateLine } from '../../src/node/state-line.js';
import { LiveModel } from '../../src/supervisor/live-model.js';
import { parseAction } from '../../src/cluster-model/parse-action.js';
import { model, node } from '../cluster-model/fixtures.js';
import { STATE_LINE } from '../node/fixtures.js';
import { nodeWrites } from './helpers.js';

const held = (id: string, to: number, message: string, term: number, detail: Record<string, unknown>) => ({
  ts: 5,
  node: Number(id.split('.')[0]),
  kind: 'step',
  type: 'held',
  id,
  to,
  message,
  term,
  detail,
  heldAt: 5,
});

describe('step actions from the control API', () => {
  test('good ones pass as they are', () => {
    for (const a of [
      { op: 'step', on: true },
      { op: 'deliver', ids: ['1.2', '3.1'] },
      { op: 'deliver', ids: 'due' },
      { op: 'drop', ids: ['2.7'] },
      { op: 'fire', node: 2, timer: 'heartbeat' },
      { op: 'advance' },
      { op: 'advance', ticks: 5 },
    ])
      expect(parseAction(a)).toEqual({ ok: true, value: a });
  });

  test('a bad one names the field and a good value', () => {
    const problem = (a: unknown): string => {
      const r = parseAction(a);
      return r.ok ? 'ok' : r.problem;
    };
    expect(problem({ op: 'step' })).toBe('action.on must be true or false, got nothing');
    expect(problem({ op: 'deliver', ids: [] })).toBe(
      'action.ids must be a non-empty list of held message ids, got [] (e.g. ["1.4", "3.2"])',
    );
    expect(problem({ op: 'deliver', ids: 'all' })).toMatch(/^action.ids must be a non-empty list/);
    expect(problem({ op: 'drop', ids: ['1.0'] })).toBe('action.ids must hold message ids such as "1.4" (sender.number), got "1.0"');
    expect(problem({ op: 'drop', ids: ['1.2', '1.2'] })).toBe('action.ids names message 1.2 twice');
    expect(problem({ op: 'drop', ids: 'due' })).toMatch(/^action.ids must be a non-empty list/);
    expect(problem({ op: 'fire', node: 1, timer: 'lunch' })).toBe('action.timer must be one of "election", "heartbeat", got "lunch"');
    expect(problem({ op: 'fire', timer: 'election' })).toMatch(/^action.node must be a node id/);
    expect(problem({ op: 'advance', ticks: 0 })).toBe('action.ticks must be a whole number of ticks from 1 to 1000, got 0');
    expect(problem({ op: 'advance', nodes: [1] })).toBe('action.nodes is not a field of "advance"');
  });
});

describe('held messages in the model', () => {
  test("kept from the nodes' step lines, one sentence each; sent or dropped ones leave; a node that ends loses its own", () => {
    const live = new LiveModel(model([node(1, null), node(2, null), node(3, null)]));
    live.stepSwitched(true);
    nodeWrites(live, 1, held('1.1', 2, 'pre-vote', 2, { lastLogIndex: 4, lastLogTerm: 1 }));
    nodeWrites(live, 1, held('1.2', 3, 'pre-vote', 2, { lastLogIndex: 4, lastLogTerm: 1 }));
    nodeWrites(live, 2, held('2.1', 1, 'vote-response', 3, { granted: true }));
    nodeWrites(
      live,
      3,
      held('3.1', 2, 'append', 3, {
        prevLogIndex: 4,
        prevLogTerm: 2,
        entries: 3,
        firstIndex: 5,
        lastIndex: 7,
        lastTerm: 3,
        leaderCommit: 4,
      }),
    );
    expect(live.model.step!.held.map((h) => h.text)).toEqual([
      'n1 asks n2 for a pre-vote in term 2 (its last entry 4, term 1)',
      'n1 asks n3 for a pre-vote in term 2 (its last entry 4, term 1)',
      'n2 grants n1 its vote in term 3',
      'n3 sends n2 entries 5-7 (term 3) after 4/2, commit 4 (term 3)',
    ]);
    expect(live.model.step!.held.map((h) => heldTextZh(h))).toEqual([
      'n1 请求 n2 在任期 2 预投票（它的最后条目 4，任期 1）',
      'n1 请求 n3 在任期 2 预投票（它的最后条目 4，任期 1）',
      'n2 在任期 3 同意投票给 n1',
      'n3 向 n2 发送条目 5-7（任期 3），接在 4/2 之后，提交到 4（任期 3）',
    ]);
    nodeWrites(live, 2, { ts: 6, node: 2, kind: 'step', type: 'sent', id: '2.1', fate: 'blocked-to' });
    nodeWrites(live, 3, { ts: 6, node: 3, kind: 'step', type: 'dropped', id: '3.1' });
    expect(live.model.step!.held.map((h) => h.id)).toEqual(['1.1', '1.2']);
    expect(live.takeFates(['2.1', '3.1'])).toEqual(new Map([['2.1', 'blocked-to']]));
    live.processExited(1, 'killed', { exitCode: null, signal: 'SIGKILL', stderrTail: [] });
    expect(live.model.step!.held).toEqual([]);
    expect(live.model.events.at(-1)).toMatchObject({
      type: 'held-lost',
      text: 'n1 was killed holding 1.1, 1.2: those messages are lost with it',
      data: { outcome: { code: 'held-lost', node: 1, ids: ['1.1', '1.2'] } },
    });
  });

  test('a step line that is not right is a bad line, named', () => {
    const live = new LiveModel(model([node(1, null)]));
    nodeWrites(live, 1, { ...held('1.1', 2, 'pre-vote', 2, {}), id: 'one' });
    expect(live.model.events.at(-1)?.text).toMatch(/^n1 wrote a line that is not an event: a step line: id must be a held message's id/);
    expect(live.model.step).toBeUndefined();
  });

  test('each message type has its sentence', () => {
    const m = (type: string, detail: Record<string, number | string | boolean>) => heldText({ from: 1, to: 2, type, term: 3, detail });
    expect(m('vote-response', { granted: false, reason: 'log-not-up-to-date' })).toBe(
      'n1 refuses n2 its vote in term 3 (log not up to date)',
    );
    expect(m('heartbeat', { commit: 7 })).toBe('n1 sends n2 a heartbeat in term 3, commit 7');
    expect(m('append-response', { success: true, index: 7 })).toBe('n1 tells n2 it holds the log up to 7 (term 3)');
    expect(m('append', { prevLogIndex: 7, prevLogTerm: 3, entries: 0, leaderCommit: 7 })).toBe(
      'n1 sends n2 no entries after 7/3, commit 7 (term 3)',
    );
    expect(m('timeout-now', {})).toBe('n1 tells n2 to start an election now (a leadership transfer, term 3)');
  });

  test('the step model and per-link counts cross the control API, checked', () => {
    const m = model([node(1, null)], {
      step: {
        on: true,
        since: 4,
        held: [{ id: '1.1', from: 1, to: 2, type: 'vote', term: 2, detail: { lastLogIndex: 0 }, text: 'x', heldAt: 5 }],
      },
    });
    const read = readControlMessage(JSON.stringify({ type: 'snapshot', model: m }));
    expect(read.ok && read.value.type === 'snapshot' && read.value.model.step).toEqual(m.step);
    const bad = readControlMessage(
      JSON.stringify({ type: 'snapshot', model: { ...m, step: { ...m.step, held: [{ ...m.step!.held[0], detail: { a: [] } }] } } }),
    );
    expect(bad).toEqual({ ok: false, problem: 'model.step.held[0].detail.a must be a number, a string or true/false, got []' });
    const { ts: _ts, node: _node, kind: _kind, ...state } = STATE_LINE;
    const sent = [{ to: 2, type: 'heartbeat', count: 40 }];
    expect(readStateLine({ ...state, sent })).toMatchObject({ ok: true, value: { sent } });
    expect(readStateLine({ ...state, sent: [{ to: 2, type: 'gossip', count: 1 }] })).toMatchObject({ ok: false });
  });
});
