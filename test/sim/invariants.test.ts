// The checkers themselves: each is fed a hand-made violation and must name it.
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/raft/types.js';
import { Invariants, type LogView } from '../../src/sim/invariants.js';
import { StableStorage } from '../../src/sim/storage.js';

const e = (index: number, term: number, data = `v${index}.${term}`): Entry => ({ type: 'normal', index, term, data });
const noop = (index: number, term: number): Entry => ({ type: 'noop', index, term });

/** A log holding `entries` (from index 1). */
function log(...entries: Entry[]): LogView {
  const s = new StableStorage();
  s.append(entries);
  return s;
}

describe('the safety checks', () => {
  it('accept a correct history', () => {
    const c = new Invariants();
    c.leaderElected(1, 1, log());
    c.logAppended(1, [noop(1, 1), e(2, 1)], 0);
    c.logAppended(2, [noop(1, 1), e(2, 1)], 0);
    c.commitAdvanced(1, 0, 2, log(noop(1, 1), e(2, 1)));
    c.applied(1, noop(1, 1), 2);
    c.applied(1, e(2, 1), 2);
    c.applied(2, e(2, 1), 2);
    c.leaderElected(2, 2, log(noop(1, 1), e(2, 1)));
    expect(c.violation).toBeNull();
    expect(c.elections).toBe(2);
  });

  it('catch two leaders in one term (Election Safety)', () => {
    const c = new Invariants();
    c.leaderElected(1, 3, log());
    c.leaderElected(2, 3, log());
    expect(c.violation).toMatchObject({ property: 'election-safety', node: 2 });
    expect(c.violation?.detail).toContain('n2 and n1 are both leader of term 3');
  });

  it('catch two logs with the same index and term but different entries (Log Matching)', () => {
    const c = new Invariants();
    c.logAppended(1, [e(1, 1, 'x')], 0);
    c.logAppended(2, [e(1, 1, 'y')], 0);
    expect(c.violation?.property).toBe('log-matching');
  });

  it('catch the same entry following different terms (Log Matching, by induction)', () => {
    const c = new Invariants();
    c.logAppended(1, [e(1, 1), e(2, 2), e(3, 3, 'z')], 0);
    c.logAppended(2, [e(3, 3, 'z')], 1); // entry 2 of term 1 on n2, term 2 on n1
    expect(c.violation?.property).toBe('log-matching');
    expect(c.violation?.detail).toContain('follows an entry of term 2');
  });

  it('catch a log whose terms go down or that has a gap', () => {
    const down = new Invariants();
    down.logAppended(1, [e(1, 2), e(2, 1)], 0);
    expect(down.violation?.property).toBe('log-matching');
    const gap = new Invariants();
    gap.logAppended(1, [e(1, 1), e(3, 1)], 0);
    expect(gap.violation?.property).toBe('log-matching');
  });

  it('catch a leader elected without a committed entry (Leader Completeness)', () => {
    const c = new Invariants();
    c.commitAdvanced(1, 0, 2, log(e(1, 1), e(2, 1)));
    c.leaderElected(3, 2, log(e(1, 1)));
    expect(c.violation).toMatchObject({ property: 'leader-completeness', node: 3 });
    const other = new Invariants();
    other.commitAdvanced(1, 0, 2, log(e(1, 1), e(2, 1)));
    other.leaderElected(3, 3, log(e(1, 1), e(2, 2)));
    expect(other.violation?.detail).toContain('it holds an entry of term 2 there');
  });

  it('accept a leader whose snapshot covers the committed entries', () => {
    const c = new Invariants();
    c.commitAdvanced(1, 0, 2, log(e(1, 1), e(2, 1)));
    const s = new StableStorage();
    s.saveSnapshot({ meta: { index: 5, term: 2, membership: { voters: [1, 2, 3], learners: [] } }, data: '' });
    c.leaderElected(2, 3, s);
    expect(c.violation).toBeNull();
  });

  it('catch two nodes applying different entries at one index (State Machine Safety)', () => {
    const c = new Invariants();
    c.applied(1, e(4, 2, 'a'), 4);
    c.applied(2, e(4, 3, 'b'), 4);
    expect(c.violation).toMatchObject({ property: 'state-machine-safety', node: 2 });
  });

  it('catch state machines that hold different values', () => {
    const c = new Invariants();
    expect(c.valueApplied(1, 0, 'a', 1)).toBe(true);
    expect(c.valueApplied(2, 0, 'a', 1)).toBe(false);
    c.valueApplied(2, 1, 'b', 2);
    c.valueApplied(1, 1, 'c', 2);
    expect(c.violation?.property).toBe('state-machine-safety');
  });

  it('catch a snapshot that disagrees with what was applied', () => {
    const c = new Invariants();
    c.applied(1, e(3, 2), 3);
    c.snapshotSaved(2, { index: 3, term: 1, membership: { voters: [], learners: [] } });
    expect(c.violation?.property).toBe('state-machine-safety');
  });

  it('catch a leader that rewrites its log (Leader Append-Only)', () => {
    const c = new Invariants();
    c.leaderTruncated(1, 4, 7, 9);
    expect(c.violation).toMatchObject({ property: 'leader-append-only', node: 1 });
  });

  it('catch a commit index going back, or past the log', () => {
    const back = new Invariants();
    back.commitAdvanced(1, 5, 3, log(e(1, 1), e(2, 1), e(3, 1), e(4, 1), e(5, 1)));
    expect(back.violation?.property).toBe('commit-monotonic');
    const past = new Invariants();
    past.commitAdvanced(1, 0, 3, log(e(1, 1)));
    expect(past.violation?.property).toBe('ready-contract');
  });

  it('catch an entry applied above the commit index', () => {
    const c = new Invariants();
    c.applied(1, e(3, 1), 2);
    expect(c.violation?.property).toBe('applied-within-commit');
  });

  it('catch a read that misses a write acknowledged before it began', () => {
    const c = new Invariants();
    c.valueApplied(1, 0, 'a', 1);
    c.valueApplied(1, 1, 'b', 2);
    c.readInvoked(1);
    c.readCompleted(1, 3, 1); // a stale leader served it with one value
    expect(c.violation).toMatchObject({ property: 'linearizable-reads', node: 3 });
  });

  it('catch a read that goes back in time after another read returned', () => {
    const c = new Invariants();
    c.readInvoked(1);
    c.valueApplied(1, 0, 'a', 1);
    c.readCompleted(1, 1, 1);
    c.readInvoked(2);
    c.readCompleted(2, 2, 0);
    expect(c.violation?.property).toBe('linearizable-reads');
  });

  it('accept reads that see writes concurrent with them, or not', () => {
    const c = new Invariants();
    c.readInvoked(1);
    c.readInvoked(2);
    c.valueApplied(1, 0, 'a', 1);
    c.readCompleted(1, 1, 0);
    c.readCompleted(2, 1, 1);
    expect(c.violation).toBeNull();
  });

  it('keep the first violation', () => {
    const c = new Invariants();
    c.leaderTruncated(1, 1, 1, 1);
    c.leaderElected(1, 1, log());
    c.leaderElected(2, 1, log());
    expect(c.violation?.property).toBe('leader-append-only');
  });
});
