// The supervisor's reading of a node's stdout: a state line must be NodeRaftState before the model
// and the safety monitor take it; a control line must be an answer; any other line is an event;
// what is not JSON (or too deep) is not.
import { describe, expect, it } from 'vitest';
import { readNodeLine } from '../../src/supervisor/node-line.js';
import { STATE_LINE } from '../node/fixtures.js';

describe('readNodeLine', () => {
  it('takes a state line as the node writes it, and any other event line', () => {
    const { ts: _ts, node: _node, kind: _kind, ...state } = STATE_LINE;
    expect(readNodeLine(JSON.stringify(STATE_LINE))).toEqual({ kind: 'state', ts: 1, state });
    expect(readNodeLine('{"kind":"raft","type":"commit","text":"n2 commits","index":4}')).toEqual({
      kind: 'event',
      event: { ts: expect.any(Number) as number, kind: 'raft', type: 'commit', text: 'n2 commits', data: { index: 4 } },
      answer: null,
    });
  });

  it.each([
    ['a role it does not know', { role: 'king' }, /role must be one of/],
    ['a term as a string', { term: '3' }, /term must be a non-negative integer, got "3"/],
    ['a run that is not a pair', { runs: [[1, 1, 1]] }, /runs\[0\] must be a pair/],
    ['a voter that is not a node id', { membership: { voters: [0], learners: [] } }, /membership\.voters\[0\] must be a node id/],
    ['progress that is not an object', { progress: [] }, /progress must be a JSON object/],
    ['a follower without match', { progress: { 3: { next: 6, state: 'probe' } } }, /progress\.3\.match must be a non-negative integer/],
  ])('refuses a state line with %s', (_, change, problem) => {
    expect(readNodeLine(JSON.stringify({ ...STATE_LINE, ...change }))).toEqual({
      kind: 'bad-state',
      ts: 1,
      problem: expect.stringMatching(problem) as string,
    });
  });

  it('reads a control line as an answer to match to its command, and an event', () => {
    const line = {
      ts: 2,
      node: 1,
      kind: 'control',
      type: 'answer',
      id: 7,
      op: 'conf-change',
      ok: true,
      text: 'n1 proposes add-learner n4 at entry 9',
      index: 9,
    };
    expect(readNodeLine(JSON.stringify(line))).toEqual({
      kind: 'event',
      event: { ts: 2, kind: 'control', type: 'answer', text: line.text, data: { id: 7, op: 'conf-change', ok: true, index: 9 } },
      answer: { id: 7, op: 'conf-change', ok: true, text: line.text, index: 9 },
    });
    expect(readNodeLine(JSON.stringify({ ...line, id: null, op: 'unknown', ok: false, index: undefined }))).toMatchObject({
      answer: { id: null, op: 'unknown', ok: false },
    });
    const bad = JSON.stringify({ ...line, ok: 'yes' });
    expect(readNodeLine(bad)).toEqual({ kind: 'bad-line', problem: `ok must be true or false, got "yes": ${bad}` });
  });

  it('refuses a line that is not a JSON object with a kind and a type, or nested too deep, naming it', () => {
    expect(readNodeLine('Node.js v20.20.2')).toEqual({ kind: 'bad-line', problem: 'the line is not valid JSON: Node.js v20.20.2' });
    expect(readNodeLine('[1]')).toEqual({ kind: 'bad-line', problem: 'the line must be a JSON object, got [1]: [1]' });
    expect(readNodeLine('{"type":"commit"}')).toEqual({
      kind: 'bad-line',
      problem: 'kind must be a string, got nothing: {"type":"commit"}',
    });
    expect(readNodeLine('{"kind":"raft"}')).toEqual({ kind: 'bad-line', problem: 'type must be a string, got nothing: {"kind":"raft"}' });
    const deep = `{"kind":"raft","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(readNodeLine(deep)).toEqual({ kind: 'bad-line', problem: `the line nests objects or arrays deeper than 64 levels: ${deep}` });
  });
});
