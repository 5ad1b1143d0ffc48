// The Ready steps SimNode and the core's test harness share (src/sim/node.ts): they write the disk
// as the contract says and report a core that breaks the contract.
import { describe, expect, it } from 'vitest';
import type { Ready } from '../../src/raft/ready.js';
import type { Entry, HardState } from '../../src/raft/types.js';
import { Invariants } from '../../src/sim/invariants.js';
import { checkApply, persist } from '../../src/sim/node.js';
import { StableStorage } from '../../src/sim/storage.js';

const e = (index: number, term: number): Entry => ({ type: 'normal', index, term, data: `v${index}.${term}` });

function ready(entries: Entry[], hardState: HardState | null, mustSync = true): Ready {
  return {
    softState: null,
    hardState,
    entries,
    snapshot: null,
    mustSync,
    messagesBeforePersist: [],
    messages: [],
    committedEntries: [],
    readStates: [],
    events: [],
  };
}

describe('persist', () => {
  it('writes entries, replacing a conflicting suffix, then the hard state', () => {
    const s = new StableStorage();
    const checks = new Invariants();
    persist(1, s, ready([e(1, 1), e(2, 1), e(3, 1)], { term: 1, vote: 1, commit: 1 }), checks);
    persist(1, s, ready([e(3, 2)], { term: 2, vote: 2, commit: 2 }), checks);
    expect(s.entries).toEqual([e(1, 1), e(2, 1), e(3, 2)]);
    expect(s.hardState).toEqual({ term: 2, vote: 2, commit: 2 });
    expect(checks.violation).toBeNull();
  });

  it('a commit index written without an fsync is lost at a crash, unless a synced write followed', () => {
    const s = new StableStorage();
    persist(1, s, ready([e(1, 1), e(2, 1), e(3, 1)], { term: 1, vote: 1, commit: 1 }), null);
    persist(1, s, ready([], { term: 1, vote: 1, commit: 2 }, false), null);
    s.loseUnsynced();
    expect(s.hardState).toEqual({ term: 1, vote: 1, commit: 1 });
    persist(1, s, ready([], { term: 1, vote: 1, commit: 3 }, false), null);
    persist(1, s, ready([e(4, 1)], null), null);
    s.loseUnsynced();
    expect(s.hardState).toEqual({ term: 1, vote: 1, commit: 3 });
    expect(s.lastIndex).toBe(4);
  });

  it('reports a vote that changes within its term', () => {
    const s = new StableStorage();
    const checks = new Invariants();
    persist(3, s, ready([], { term: 2, vote: 1, commit: 0 }), checks);
    persist(3, s, ready([], { term: 2, vote: 2, commit: 0 }), checks);
    expect(checks.violation).toMatchObject({ property: 'ready-contract', node: 3 });
    expect(checks.violation?.detail).toContain('vote in term 2 changes from n1 to n2');
  });

  it('reports a log cut back under a commit index that did not move', () => {
    const s = new StableStorage();
    const checks = new Invariants();
    persist(1, s, ready([e(1, 1), e(2, 1), e(3, 1)], { term: 1, vote: 1, commit: 3 }), checks);
    s.entries.length = 1; // the suffix is lost, the hard state still says 3 is committed
    persist(1, s, ready([e(2, 1)], null), checks);
    expect(checks.violation?.detail).toContain('commit index 3 is beyond its log (last 2)');
  });
});

describe('checkApply', () => {
  it('reports a committed entry that is not on disk', () => {
    const s = new StableStorage();
    const checks = new Invariants();
    persist(1, s, ready([e(1, 1)], { term: 2, vote: 1, commit: 1 }), checks);
    checkApply(1, s, 0, e(1, 2), checks);
    expect(checks.violation).toMatchObject({ property: 'ready-contract', node: 1 });
    expect(checks.violation?.detail).toContain('entry 1 of term 2 to apply, which is not in its persisted log');
  });

  it('reports an entry handed out of order', () => {
    const s = new StableStorage();
    const checks = new Invariants();
    persist(1, s, ready([e(1, 1), e(2, 1)], { term: 1, vote: 1, commit: 2 }), checks);
    checkApply(1, s, 0, e(2, 1), checks);
    expect(checks.violation?.detail).toContain('handed entry 2 to apply after entry 0');
  });
});
