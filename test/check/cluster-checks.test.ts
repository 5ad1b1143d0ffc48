// The checks `raft-console check` makes besides linearizability, on hand-made histories and events:
// an acknowledged write missing from the final values, and two leaders in one term.
import { describe, expect, test } from 'vitest';
import { noLostWrites, oneLeaderPerTerm } from '../../src/check/checks.js';
import type { ClusterEvent } from '../../src/cluster-model/index.js';
import { history, read, write } from './histories.js';

describe('no lost writes', () => {
  const h = history(write(0, 'k', 'a', 0, 10), write(1, 'k', 'b', 20, 30), read(2, 'k', 'b', 40, 50));

  test('passes when every key ends with the last acknowledged write', () => {
    expect(noLostWrites(h, [{ key: 'k', value: 'b' }])).toMatchObject({ ok: true });
  });

  test("finds an acknowledged write that began after the final value's write had ended", () => {
    const r = noLostWrites(h, [{ key: 'k', value: 'a' }]);
    expect(r.ok).toBe(false);
    expect(r.text).toContain('op 1 wrote "b"');
    expect(r.text).toContain('it is lost');
  });

  test('accepts a final value from a write that timed out: it may have applied after the others', () => {
    const late = history(write(0, 'k', 'a', 0, 10, 'info'), write(1, 'k', 'b', 20, 30));
    expect(noLostWrites(late, [{ key: 'k', value: 'a' }])).toMatchObject({ ok: true });
  });

  test('accepts a final value from a write that overlapped the others', () => {
    const overlapping = history(write(0, 'k', 'a', 0, 30), write(1, 'k', 'b', 10, 20));
    expect(noLostWrites(overlapping, [{ key: 'k', value: 'a' }])).toMatchObject({ ok: true });
  });

  test('a key that ends absent after an acknowledged write lost it', () => {
    expect(noLostWrites(h, [{ key: 'k', value: null }])).toMatchObject({ ok: false });
  });

  test('a final value that no write which may have happened wrote is a violation', () => {
    const none = history(write(0, 'k', 'a', 0, 10));
    expect(noLostWrites(none, [{ key: 'k', value: 'z' }])).toMatchObject({
      ok: false,
      text: expect.stringContaining('a value no operation that may have happened wrote'),
    });
  });

  test('a final value written only by a write answered as failed names that write', () => {
    const failed = history(write(0, 'k', 'a', 0, 10, 'fail'));
    expect(noLostWrites(failed, [{ key: 'k', value: 'a' }])).toMatchObject({
      ok: false,
      text: expect.stringContaining('k ends as "a", written only by op 0 (client 0), which was answered as failed'),
    });
  });

  test('a key that could not be read at the end leaves the check undecided', () => {
    expect(noLostWrites(h, [{ key: 'k' }])).toMatchObject({ ok: null, text: expect.stringContaining('could not read k') });
  });
});

describe('one leader per term', () => {
  const leader = (node: number, term: number): ClusterEvent => ({
    ts: 0,
    node,
    kind: 'raft',
    type: 'role-change',
    text: '',
    data: { from: 'candidate', to: 'leader', term, cause: 'won-election' },
  });

  test('passes when each term has its own leader, one node leading several terms', () => {
    expect(oneLeaderPerTerm([leader(1, 1), leader(2, 2), leader(1, 3)])).toMatchObject({
      ok: true,
      text: '3 elections won, each by one node in a term of its own',
    });
  });

  test('finds two nodes that became leader in the same term', () => {
    const r = oneLeaderPerTerm([leader(1, 4), leader(3, 4), leader(2, 5)]);
    expect(r).toMatchObject({ ok: false, text: 'term 4 had 2 leaders: n1, n3' });
  });

  test('ignores other role changes', () => {
    const follower: ClusterEvent = { ...leader(2, 4), data: { from: 'leader', to: 'follower', term: 4, cause: 'higher-term' } };
    expect(oneLeaderPerTerm([leader(1, 4), follower])).toMatchObject({ ok: true });
  });
});
