// The control client checks every message from the supervisor before its copy of the model takes
// it: what a supervisor sends reads back as it was sent, and a message that is not valid is refused
// with the field that is wrong.
import { describe, expect, it } from 'vitest';
import type { ControlMessage } from '../../src/cluster-model/control-protocol.js';
import { readControlMessage } from '../../src/cluster-model/model-reader.js';
import { model, node } from './fixtures.js';

const demo = model([node(1, { role: 'leader', term: 2, runs: [[1, 2]] }), node(2, null, 'killed'), node(3, { term: 2 }, 'paused')], {
  links: [{ from: 1, to: 3, blocked: true, delayMs: 0, loss: 0 }],
  partition: [[1, 2], [3]],
  events: [{ ts: 5, node: 1, kind: 'raft', type: 'role-change', text: 'n1 becomes leader', data: { to: 'leader' } }],
  safety: { ok: false, property: 'Election Safety', nodes: [1, 3], text: 'two leaders in term 2', ts: 9, checkedReports: 4 },
});

describe('readControlMessage', () => {
  it('reads back every kind of message as the supervisor sent it', () => {
    const { events, ...state } = demo;
    const messages: ControlMessage[] = [
      { type: 'welcome', model: demo },
      { type: 'snapshot', model: demo },
      { type: 'update', model: state, events },
      { type: 'result', id: 3, ok: false, text: 'no such node', data: { node: 9 } },
      { type: 'error', code: 'unauthorized', text: 'bad token' },
    ];
    for (const m of messages) expect(readControlMessage(JSON.stringify(m))).toEqual({ ok: true, value: m });
  });

  it('refuses a node state that is not a state line, naming where it is', () => {
    const bad = JSON.parse(JSON.stringify({ type: 'welcome', model: demo })) as { model: { nodes: Array<{ raft: { term: unknown } }> } };
    bad.model.nodes[0]!.raft.term = 'two';
    const read = readControlMessage(JSON.stringify(bad));
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problem).toMatch(/^model\.nodes\[0\]\.raft: term/);
  });

  it('refuses a message of no known type, a missing field and text that is not JSON', () => {
    expect(readControlMessage('{"type":"gossip"}')).toMatchObject({ ok: false, problem: expect.stringMatching(/type/) as unknown });
    expect(readControlMessage('{"type":"result","id":1,"ok":true}')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/text/) as unknown,
    });
    expect(readControlMessage('{"type":')).toMatchObject({ ok: false });
    expect(readControlMessage('['.repeat(100_000))).toMatchObject({ ok: false });
  });
});
