// The commit rule (Raft paper section 5.4.2 and Figure 8): a leader commits only entries of its
// own term by counting replicas; earlier entries commit indirectly beneath them.
import { describe, expect, it } from 'vitest';
import { NO_BUGS, type KnownBugs } from '../../src/raft/config.js';
import type { Entry } from '../../src/raft/types.js';
import { newCluster, normal, restoredLog } from './harness.js';

describe('no-op on election', () => {
  it('a new leader appends a no-op entry of its term at once', () => {
    const at1 = () => restoredLog([1, 1], { term: 1, commit: 2 });
    const c = newCluster([1, 2, 3], { restored: { 1: at1(), 2: at1(), 3: at1() } });
    c.raft(1).campaign();
    expect(c.deliverUntil(() => c.status(1).role === 'leader')).toBe(true);
    const s = c.status(1);
    expect(s.term).toBe(2);
    expect(s.lastIndex).toBe(3);
    expect(s.lastTerm).toBe(2);
    const e = c.raft(1).entries(3, 3);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ type: 'noop', index: 3, term: 2 });
    // persisted and sent without waiting for a proposal
    expect(c.node(1).storage.entries.at(-1)).toMatchObject({ type: 'noop', index: 3, term: 2 });
    const appends = c.queued('append', (m) => m.from === 1 && m.entries.some((x) => x.index === 3 && x.type === 'noop'));
    expect(appends.map((m) => m.to).sort()).toEqual([2, 3]);
  });

  it('the no-op commits on a majority and carries the earlier entries with it', () => {
    const at1 = () => restoredLog([1, 1], { term: 1, commit: 0 });
    const c = newCluster([1, 2, 3], { restored: { 1: at1(), 2: at1(), 3: at1() } });
    c.electLeader(1);
    expect(c.status(1).commit).toBe(3);
    expect(c.node(1).sm.appliedIndex).toBe(3);
  });
});

// Figure 8, built by hand. Five servers, all at term 3, entry 1 (term 1) committed everywhere:
//   S1: [1][2]   S2: [1][2]   S3: [1]   S4: [1]   S5: [1][3]
// S5 is partitioned away. S1 is elected for term 4 by S2, S3 and S4 and appends its no-op at 3.
// Its term-4 entries are stripped from every append on the wire, so entry 2 (term 2) ends up on
// S1-S4 (a majority) while no term-4 entry leaves S1: the state of Figure 8 (c).
function figure8(bugs?: Partial<KnownBugs>) {
  const e1: Entry = normal(1, 1, 'x');
  const at3 = (entries: Entry[]) => ({ hardState: { term: 3, vote: 0, commit: 1 }, snapshot: null, entries });
  const c = newCluster([1, 2, 3, 4, 5], {
    seed: 8,
    config: { preVote: false, checkQuorum: false },
    perNode: bugs ? { 1: { bugs: { ...NO_BUGS, ...bugs } } } : {},
    restored: {
      1: at3([e1, normal(2, 2, 'from-term-2')]),
      2: at3([e1, normal(2, 2, 'from-term-2')]),
      3: at3([e1]),
      4: at3([e1]),
      5: at3([e1, normal(2, 3, 'from-term-3')]),
    },
  });
  c.isolate(5);
  const unstrip = c.addFilter((m) => (m.type === 'append' ? { ...m, entries: m.entries.filter((e) => e.term < 4) } : m));
  c.electLeader(1);
  c.tickAll(4);
  return { c, unstrip };
}

/** campaign() on `id` until it wins (each failed round moves to a later term); deliver only up to the win. */
function campaignUntilLeader(c: ReturnType<typeof figure8>['c'], id: number, tries = 4): void {
  for (let i = 0; i < tries && c.status(id).role !== 'leader'; i++) {
    c.raft(id).campaign();
    c.deliverUntil(() => c.status(id).role === 'leader');
  }
  expect(c.status(id).role).toBe('leader');
}

describe('Figure 8', () => {
  it('(c) the leader does not commit an entry of an earlier term by counting replicas', () => {
    const { c } = figure8();
    const s1 = c.status(1);
    expect(s1).toMatchObject({ role: 'leader', term: 4 });
    expect(c.logTerms(1)).toEqual([1, 2, 4]);
    for (const id of [2, 3, 4]) {
      expect(c.logTerms(id)).toEqual([1, 2]);
      // the leader knows entry 2 is on S1-S4
      expect(s1.progress[id]!.match).toBe(2);
    }
    expect(s1.commit).toBe(1);
    for (const id of [1, 2, 3, 4]) {
      expect(c.status(id).commit).toBe(1);
      expect(c.node(id).sm.appliedIndex).toBe(1);
    }
    expect(c.events(1, 'commit').filter((e) => e.to >= 2)).toEqual([]);
  });

  it('(e) once an entry of its own term is on a majority, the earlier entry commits with it', () => {
    const { c, unstrip } = figure8();
    unstrip();
    c.tickAll(4);
    expect(c.status(1).commit).toBe(3);
    const commits = c.events(1, 'commit').filter((e) => e.to >= 2);
    expect(commits.length).toBeGreaterThan(0);
    // entry 2 was never committed on its own: the first commit past 1 reaches 3 at once
    expect(commits[0]).toMatchObject({ from: 2, to: 3 });
    c.tickAll(2);
    for (const id of [1, 2, 3, 4]) {
      expect(c.status(id).commit).toBe(3);
      expect(c.node(id).sm.log.get(2)?.term).toBe(2);
    }
  });

  it('(d) because entry 2 was not committed, S5 may still win and overwrite it, and nothing applied is lost', () => {
    const { c, unstrip } = figure8();
    c.crash(1);
    unstrip();
    c.heal();
    campaignUntilLeader(c, 5);
    expect(c.status(5).term).toBeGreaterThanOrEqual(5);
    c.deliverAll();
    c.tickAll(4);
    const t = c.status(5).term;
    for (const id of [2, 3, 4, 5]) expect(c.logTerms(id)).toEqual([1, 3, t]);
    for (const id of [2, 3, 4]) {
      const tr = c.events(id, 'truncate');
      expect(tr).toEqual([expect.objectContaining({ from: 2, to: 2, terms: [2] })]);
    }
    c.restart(1);
    c.tickAll(4);
    expect(c.logTerms(1)).toEqual([1, 3, t]);
    expect(c.events(1, 'truncate').at(-1)).toMatchObject({ from: 2, to: 3 });
    c.checkCommittedPrefixes();
    for (const id of [1, 2, 3, 4, 5]) expect(c.node(id).sm.log.get(2)?.term).toBe(3);
  });

  it('with bugs.commitPreviousTermByCounting on, the same leader commits entry 2 by counting (the switch works)', () => {
    const { c } = figure8({ commitPreviousTermByCounting: true });
    const s1 = c.status(1);
    expect(c.logTerms(1)).toEqual([1, 2, 4]);
    for (const id of [2, 3, 4]) expect(c.logTerms(id)).toEqual([1, 2]);
    expect(s1.commit).toBe(2);
    expect(c.node(1).sm.log.get(2)?.term).toBe(2);
    // ...which is unsafe: S5, whose log lacks that entry, can still be elected (Figure 8 (d))
    c.crash(1);
    c.heal();
    campaignUntilLeader(c, 5);
    expect(c.raft(5).termAt(2)).toBe(3);
  });
});
