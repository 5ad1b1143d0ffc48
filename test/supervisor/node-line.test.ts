// The supervisor's reading of a node's stdout: a state line must be NodeRaftState before the model
// and the safety monitor take it; any other line is an event; what is not JSON (or too deep) is not.
import { describe, expect, it } from 'vitest';
import { parseNodeLine } from '../../src/supervisor/node-line.js';

const state = {
  ts: 1,
  node: 2,
  kind: 'state',
  role: 'follower',
  term: 3,
  vote: 1,
  leader: 1,
  commit: 5,
  applied: 5,
  firstIndex: 1,
  lastIndex: 5,
  lastTerm: 3,
  snapshotIndex: 0,
  membership: { voters: [1, 2, 3], learners: [] },
  runs: [[1, 1], [4, 3]],
  timer: { kind: 'election', deadline: 1000, timeoutMs: 300 },
  progress: {},
  digests: [],
};

describe('parseNodeLine', () => {
  it('takes a state line as the node writes it, and any other event line', () => {
    expect(parseNodeLine(JSON.stringify(state))).toEqual({ ok: true, value: state });
    expect(parseNodeLine('{"kind":"raft","type":"commit","text":"n2 commits"}')).toMatchObject({ ok: true });
  });

  it.each([
    ['a role it does not know', { role: 'king' }, /role must be one of/],
    ['a term as a string', { term: '3' }, /term must be a non-negative integer, got "3"/],
    ['a run that is not a pair', { runs: [[1, 1, 1]] }, /runs\[0\] must be a pair/],
    ['a voter that is not a node id', { membership: { voters: [0], learners: [] } }, /membership\.voters\[0\] must be a node id/],
    ['progress that is not an object', { progress: [] }, /progress must be a JSON object/],
    ['a follower without match', { progress: { 3: { next: 6, state: 'probe' } } }, /progress\.3\.match must be a non-negative integer/],
  ])('refuses a state line with %s', (_, change, problem) => {
    const v = parseNodeLine(JSON.stringify({ ...state, ...change }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problem).toMatch(problem);
  });

  it('refuses a line that is not a JSON object, or nested too deep', () => {
    expect(parseNodeLine('Node.js v20.20.2')).toEqual({ ok: false, problem: 'the line is not valid JSON' });
    expect(parseNodeLine('[1]')).toEqual({ ok: false, problem: 'the line must be a JSON object, got [1]' });
    expect(parseNodeLine(`{"kind":"raft","x":${'['.repeat(5000)}${']'.repeat(5000)}}`)).toEqual({
      ok: false,
      problem: 'the line nests objects or arrays deeper than 64 levels',
    });
  });
});
