// The supervisor's safety monitor on hand-made node reports: each property it checks raises its
// alarm naming the nodes, a normal run with leader changes, truncations, crashes and snapshots
// stays OK, and the first violation sticks; through the live model, it becomes the model's verdict
// and one supervisor event.
import { describe, expect, test } from 'vitest';
import { LiveModel } from '../../src/supervisor/live-model.js';
import type { ClusterModel, NodeRaftState } from '../../src/cluster-model/model.js';
import { OTHER_DIGESTS_KEPT, SafetyMonitor } from '../../src/supervisor/safety.js';
import { DIGEST_CHECKPOINT_EVERY, termRuns } from '../../src/node/state-report.js';
import { knownBugs } from '../../src/raft/config.js';
import { SimCluster, type RaftOptions } from '../../src/sim/cluster.js';
import { Random } from '../../src/sim/random.js';
import { model, node } from '../cluster-model/fixtures.js';
import { OVERWRITE_REFUSAL } from '../node/fixtures.js';
import { nodeWrites } from './helpers.js';

type Report = Pick<NodeRaftState, 'role' | 'term' | 'commit' | 'lastIndex' | 'runs' | 'digests'>;

const follower = (
  term: number,
  runs: Array<[number, number]>,
  lastIndex: number,
  commit: number,
  digests: Array<[number, string]> = [],
): Report => ({ role: 'follower', term, runs, lastIndex, commit, digests });
const leader = (
  term: number,
  runs: Array<[number, number]>,
  lastIndex: number,
  commit: number,
  digests: Array<[number, string]> = [],
): Report => ({ role: 'leader', term, runs, lastIndex, commit, digests });

describe('the safety monitor', () => {
  test('two leaders in one term break Election Safety, naming both', () => {
    const m = new SafetyMonitor();
    expect(m.report(1, leader(3, [[1, 3]], 1, 0), 10)).toBeNull();
    expect(m.report(1, leader(3, [[1, 3]], 1, 1), 11)).toBeNull();
    const v = m.report(2, leader(3, [], 0, 0), 12);
    expect(v).toEqual({
      ok: false,
      property: 'Election Safety',
      nodes: [1, 2],
      text: 'n1 and n2 are both leader of term 3',
      ts: 12,
      checkedReports: 3,
    });
    expect(m.verdict).toEqual(v);
  });

  test('an election won counts as well as a report of leadership', () => {
    const m = new SafetyMonitor();
    expect(m.leader(4, 7, 1)).toBeNull();
    expect(m.leader(4, 7, 2)).toBeNull();
    expect(m.report(2, leader(7, [], 0, 0), 3)).toMatchObject({ property: 'Election Safety', nodes: [4, 2] });
  });

  test('an entry committed with different terms on two nodes breaks State Machine Safety', () => {
    const m = new SafetyMonitor();
    expect(
      m.report(
        1,
        leader(
          2,
          [
            [1, 1],
            [5, 2],
          ],
          7,
          7,
        ),
        1,
      ),
    ).toBeNull();
    // n4 agrees up to 6 and holds another entry 7: harmless while n4 has not committed it...
    expect(
      m.report(
        4,
        follower(
          3,
          [
            [1, 1],
            [5, 2],
            [7, 3],
          ],
          7,
          6,
        ),
        2,
      ),
    ).toBeNull();
    expect(m.verdict).toEqual({ ok: true, checkedReports: 2 });
    // ...and a violation once it has.
    expect(
      m.report(
        4,
        follower(
          3,
          [
            [1, 1],
            [5, 2],
            [7, 3],
          ],
          7,
          7,
        ),
        3,
      ),
    ).toEqual({
      ok: false,
      property: 'State Machine Safety',
      nodes: [1, 4],
      text: 'entry 7 is committed with term 2 on n1 but term 3 on n4',
      ts: 3,
      checkedReports: 3,
    });
  });

  test('names a node that did commit the entry, however the commits were reported', () => {
    const m = new SafetyMonitor();
    m.report(1, leader(2, [[1, 2]], 5, 5), 1);
    m.report(3, follower(2, [[1, 2]], 9, 7), 2);
    m.report(1, leader(2, [[1, 2]], 9, 9), 3);
    // n1 committed 1-5 first, n3 then 6-7, n1 then 8-9: entry 6 was committed on n3 (and n1) before n4 said otherwise.
    expect(
      m.report(
        4,
        follower(
          3,
          [
            [1, 2],
            [6, 3],
          ],
          6,
          6,
        ),
        4,
      ),
    ).toMatchObject({ nodes: [1, 4], text: 'entry 6 is committed with term 2 on n1 but term 3 on n4' });
    const n = new SafetyMonitor();
    n.report(1, leader(2, [[1, 2]], 5, 5), 1);
    n.report(3, follower(2, [[1, 2]], 9, 7), 2);
    expect(
      n.report(
        4,
        follower(
          3,
          [
            [1, 2],
            [6, 3],
          ],
          6,
          6,
        ),
        3,
      ),
    ).toMatchObject({ nodes: [3, 4], text: 'entry 6 is committed with term 2 on n3 but term 3 on n4' });
    // Commits known out of order (a node far behind, with a gap) are checked as well.
    const o = new SafetyMonitor();
    o.report(1, leader(4, [[1001, 4]], 2000, 2000), 1);
    o.report(
      2,
      follower(
        4,
        [
          [1, 1],
          [600, 4],
        ],
        1000,
        700,
      ),
      2,
    );
    expect(
      o.report(
        3,
        follower(
          5,
          [
            [1, 1],
            [600, 4],
            [650, 5],
          ],
          1200,
          1200,
        ),
        3,
      ),
    ).toMatchObject({
      property: 'State Machine Safety',
      text: 'entry 650 is committed with term 4 on n2 but term 5 on n3',
    });
  });

  test('a node whose own committed entry changes breaks State Machine Safety', () => {
    const m = new SafetyMonitor();
    m.report(1, follower(2, [[1, 2]], 5, 5), 1);
    expect(
      m.report(
        1,
        follower(
          3,
          [
            [1, 2],
            [5, 3],
          ],
          5,
          5,
        ),
        2,
      ),
    ).toMatchObject({
      property: 'State Machine Safety',
      nodes: [1],
      text: 'entry 5 is committed with term 2 on n1 before, and term 3 there now',
    });
  });

  test('two logs that hold one entry alike but differ before it break Log Matching', () => {
    const m = new SafetyMonitor();
    // Terms by index: n1 1 1 2 2 4, n2 1 1 3 3 4; neither committed past 2.
    expect(
      m.report(
        1,
        follower(
          4,
          [
            [1, 1],
            [3, 2],
            [5, 4],
          ],
          5,
          2,
        ),
        1,
      ),
    ).toBeNull();
    expect(
      m.report(
        2,
        follower(
          4,
          [
            [1, 1],
            [3, 3],
            [5, 4],
          ],
          5,
          2,
        ),
        2,
      ),
    ).toEqual({
      ok: false,
      property: 'Log Matching',
      nodes: [2, 1],
      text: 'n2 and n1 both hold entry 5 of term 4, but entry 3 before it has term 3 on n2 and term 2 on n1',
      ts: 2,
      checkedReports: 2,
    });
  });

  test("a normal run stays OK: leader changes, uncommitted entries truncated, a crashed node's last report, snapshots", () => {
    const m = new SafetyMonitor();
    const feed = (node: number, r: Report) => expect(m.report(node, r, 0)).toBeNull();
    // Term 1: n1 leads and commits 1-3 on all three.
    expect(m.leader(1, 1, 0)).toBeNull();
    feed(1, leader(1, [[1, 1]], 3, 3));
    feed(2, follower(1, [[1, 1]], 3, 3));
    feed(3, follower(1, [[1, 1]], 3, 3));
    // n1 appends 4-5 that nobody else gets, and crashes: its last report stays as it was.
    feed(1, leader(1, [[1, 1]], 5, 3));
    // Term 2: n2 leads, its no-op at 4 replaces what n1 had there; it commits 4-6.
    expect(m.leader(2, 2, 0)).toBeNull();
    feed(
      2,
      leader(
        2,
        [
          [1, 1],
          [4, 2],
        ],
        6,
        6,
      ),
    );
    feed(
      3,
      follower(
        2,
        [
          [1, 1],
          [4, 2],
        ],
        6,
        6,
      ),
    );
    // n1 restarts with its old log, then the leader truncates its 4-5 and catches it up.
    feed(1, follower(1, [[1, 1]], 5, 3));
    feed(
      1,
      follower(
        2,
        [
          [1, 1],
          [4, 2],
        ],
        6,
        6,
      ),
    );
    // n3 snapshots up to 5 (its runs start at 6) and leads term 3; n2, crashed, last said it led term 2.
    feed(3, follower(2, [[6, 2]], 8, 8));
    expect(m.leader(3, 3, 0)).toBeNull();
    feed(
      3,
      leader(
        3,
        [
          [6, 2],
          [9, 3],
        ],
        9,
        9,
      ),
    );
    feed(
      1,
      follower(
        3,
        [
          [1, 1],
          [4, 2],
          [9, 3],
        ],
        9,
        9,
      ),
    );
    // A long log: the report covers only its last entries, compared where the others' overlap.
    feed(1, follower(3, [[1001, 3]], 2000, 2000));
    feed(3, follower(3, [[1001, 3]], 2000, 1990));
    expect(m.verdict).toEqual({ ok: true, checkedReports: 13 });
  });

  test('the first violation sticks', () => {
    const m = new SafetyMonitor();
    m.report(1, leader(5, [], 0, 0), 1);
    const first = m.report(2, leader(5, [], 0, 0), 2);
    expect(first).not.toBeNull();
    expect(m.report(3, leader(5, [], 0, 0), 3)).toBeNull();
    expect(m.report(3, follower(6, [[1, 6]], 1, 1), 4)).toBeNull();
    expect(m.verdict).toEqual(first);
  });
});

/**
 * A simulated five-node cluster under crashes (losing what was not persisted), partitions, a lossy
 * network and snapshots, with client writes; every running node's report goes to the monitor after
 * every tick (a node that is down keeps its last one, as in the supervisor), every election won too.
 * Stops at the first alarm.
 */
function churn(seed: number, raft: RaftOptions = {}) {
  const c = new SimCluster({ nodes: 5, seed, compactEvery: 25, traceCapacity: 0, raft });
  const rnd = new Random(seed, 'safety-monitor');
  const m = new SafetyMonitor();
  const terms = new Set<number>();
  c.eventHook = (node, e) => {
    if (e.type !== 'election-won') return;
    terms.add(e.term);
    m.leader(node.id, e.term, c.now);
  };
  for (let tick = 0; tick < 3000 && m.verdict.ok; tick++) {
    if (rnd.chance(0.3)) c.write();
    if (tick % 40 === 0) {
      const down = c.ids().filter((id) => !c.isUp(id));
      const fault = rnd.int(0, 4);
      if (fault === 0 && down.length < 2) c.crash(rnd.pick(c.ids().filter((id) => c.isUp(id))));
      else if (fault === 1 && down.length > 0) c.restart(rnd.pick(down));
      else if (fault === 2) {
        const ids = rnd.shuffled(c.ids());
        c.partition(ids.slice(0, 2), ids.slice(2));
      } else if (fault === 3) c.heal();
      else c.setUnreliable(rnd.chance(0.5));
    }
    c.step();
    for (const id of c.ids()) {
      const core = c.node(id).core;
      if (core === null) continue;
      const st = core.status();
      const runs = termRuns((i) => core.termAt(i), st.firstIndex, st.lastIndex);
      m.report(id, { role: st.role, term: st.term, commit: st.commit, lastIndex: st.lastIndex, runs, digests: [] }, c.now);
    }
  }
  return { c, m, terms };
}

describe('the applied-state digests', () => {
  const A = 'aaaaaaaaaaaaaaaa';
  const B = 'bbbbbbbbbbbbbbbb';
  const C = 'cccccccccccccccc';
  const D = 'dddddddddddddddd';
  // Three nodes that agree on terms: entries 1-200 all of term 2, committed.
  const at = (digests: Array<[number, string]>, applied = digests.at(-1)?.[0] ?? 0) => follower(2, [[1, 2]], applied, applied, digests);

  test('the same digests at the same indexes are fine, whenever each node reports', () => {
    const m = new SafetyMonitor();
    expect(
      m.report(
        1,
        at([
          [64, A],
          [100, B],
        ]),
        1,
      ),
    ).toBeNull();
    expect(
      m.report(
        2,
        at([
          [64, A],
          [100, B],
        ]),
        2,
      ),
    ).toBeNull();
    expect(m.report(3, at([[64, A]]), 3)).toBeNull();
    expect(
      m.report(
        3,
        at([
          [64, A],
          [100, B],
          [128, C],
          [130, D],
        ]),
        4,
      ),
    ).toBeNull();
    expect(m.verdict).toEqual({ ok: true, checkedReports: 4 });
  });

  test('two digests at one index, on two nodes, break State Machine Safety, naming the nodes and the index', () => {
    const m = new SafetyMonitor();
    m.report(
      1,
      at([
        [64, A],
        [100, B],
      ]),
      1,
    );
    // n3's entries 1-200 have the same terms as n1's: only the digest tells them apart.
    expect(
      m.report(
        3,
        at([
          [64, A],
          [100, C],
        ]),
        2,
      ),
    ).toEqual({
      ok: false,
      property: 'State Machine Safety',
      nodes: [1, 3],
      text: `the entries applied up to 100 differ: digest ${B} on n1 but ${C} on n3`,
      ts: 2,
      checkedReports: 2,
    });
  });

  test('nodes that report at different applied indexes are compared at the checkpoints they share', () => {
    const m = new SafetyMonitor();
    expect(
      m.report(
        1,
        at([
          [64, A],
          [128, B],
          [150, C],
        ]),
        1,
      ),
    ).toBeNull();
    // Applied 131 here, 150 there: no applied index in common, but the checkpoint at 128 is.
    expect(
      m.report(
        2,
        at([
          [64, A],
          [128, D],
          [131, C],
        ]),
        2,
      ),
    ).toMatchObject({
      property: 'State Machine Safety',
      nodes: [1, 2],
      text: `the entries applied up to 128 differ: digest ${B} on n1 but ${D} on n2`,
    });
  });

  test('names the lowest index that differs in a report', () => {
    const m = new SafetyMonitor();
    m.report(
      1,
      at([
        [64, A],
        [128, B],
      ]),
      1,
    );
    expect(
      m.report(
        2,
        at([
          [64, C],
          [128, D],
        ]),
        2,
      ),
    ).toMatchObject({ text: `the entries applied up to 64 differ: digest ${A} on n1 but ${C} on n2` });
  });

  test('a node whose own digest at an index changes (it applied other entries after a restart) breaks it too', () => {
    const m = new SafetyMonitor();
    m.report(2, at([[64, A]]), 1);
    expect(m.report(2, at([[64, B]]), 2)).toMatchObject({
      nodes: [2],
      text: `the entries applied up to 64 differ: digest ${A} on n2 before, and ${B} there now`,
    });
  });

  test('remembers a bounded number of digests, the oldest forgotten first', () => {
    const filled = (): SafetyMonitor => {
      const m = new SafetyMonitor();
      for (let i = 1; i <= OTHER_DIGESTS_KEPT + 1; i++) m.report(1, at([[i * DIGEST_CHECKPOINT_EVERY + 1, A]]), i);
      return m;
    };
    // Index 65 was the first remembered and is forgotten; 129, the next, is still known.
    expect(filled().report(2, at([[DIGEST_CHECKPOINT_EVERY + 1, B]]), 0)).toBeNull();
    expect(filled().report(2, at([[2 * DIGEST_CHECKPOINT_EVERY + 1, B]]), 0)).toMatchObject({
      text: `the entries applied up to 129 differ: digest ${A} on n1 but ${B} on n2`,
    });
  });
});

describe("fed a simulated cluster's reports after every tick", () => {
  // Real leader changes and truncations of a correct core, and never an alarm. The seed is in the test name.
  test.each([1, 2, 3, 4, 5])('raises no false alarm (seed %i)', (seed) => {
    const { c, m, terms } = churn(seed);
    expect(m.verdict).toMatchObject({ ok: true });
    expect(c.violation).toBeNull();
    expect(terms.size).toBeGreaterThanOrEqual(5);
    expect(c.commitIndex()).toBeGreaterThan(100);
  });

  test('catches a core that votes without the log check of 5.4.1 (seed 1)', () => {
    const { c, m } = churn(1, { bugs: knownBugs(['vote-without-log-check']) });
    expect(m.verdict).toMatchObject({ ok: false, property: 'State Machine Safety' });
    // The simulator's own checks, which see every step of every log, agree that the run is broken.
    expect(c.violation).not.toBeNull();
  });
});

describe('the safety verdict in the live model', () => {
  const twoNodes = (): ClusterModel => model([node(1, null), node(4, null)]);
  const state = (role: string, term: number, runs: Array<[number, number]>, lastIndex: number, commit: number) => ({
    kind: 'state',
    role,
    term,
    vote: 0,
    leader: 0,
    commit,
    applied: commit,
    firstIndex: 1,
    lastIndex,
    lastTerm: runs.at(-1)?.[1] ?? 0,
    snapshotIndex: 0,
    membership: { voters: [1, 4], learners: [] },
    runs,
    timer: null,
    progress: {},
    digests: [],
  });

  test('counts the reports, and tells of the first violation once, as a supervisor event', () => {
    const live = new LiveModel(twoNodes());
    nodeWrites(live, 1, {
      ts: 100,
      node: 1,
      ...state(
        'leader',
        2,
        [
          [1, 1],
          [5, 2],
        ],
        7,
        7,
      ),
    });
    expect(live.model.safety).toEqual({ ok: true, checkedReports: 1 });
    nodeWrites(live, 4, {
      ts: 200,
      node: 4,
      ...state(
        'follower',
        3,
        [
          [1, 1],
          [5, 2],
          [7, 3],
        ],
        7,
        7,
      ),
    });
    nodeWrites(live, 4, {
      ts: 300,
      node: 4,
      ...state(
        'follower',
        3,
        [
          [1, 1],
          [5, 2],
          [7, 3],
        ],
        7,
        7,
      ),
    });
    expect(live.model.safety).toMatchObject({ ok: false, property: 'State Machine Safety', nodes: [1, 4], ts: 200, checkedReports: 2 });
    const alarms = live.model.events.filter((e) => e.type === 'safety-violation');
    expect(alarms).toEqual([
      {
        ts: expect.any(Number) as number,
        node: null,
        kind: 'supervisor',
        type: 'safety-violation',
        text: 'SAFETY VIOLATED: State Machine Safety: entry 7 is committed with term 2 on n1 but term 3 on n4',
        // ok: false, as the verdict: `up` and `events` mark it as a failure.
        data: {
          ok: false,
          property: 'State Machine Safety',
          nodes: [1, 4],
          outcome: { code: 'safety-violation', property: 'State Machine Safety', nodes: [1, 4] },
        },
      },
    ]);
  });

  test('a state line that is not valid is refused, naming the problem, and the last good state stays', () => {
    const live = new LiveModel(twoNodes());
    const good = state('follower', 2, [[1, 2]], 7, 7);
    nodeWrites(live, 4, { ts: 1, node: 4, ...good });
    nodeWrites(live, 4, { ts: 2, node: 4, ...good, digests: [[64, 'not a digest']] });
    nodeWrites(live, 4, { ts: 3, node: 4, ...good, term: -1 });
    nodeWrites(live, 4, { ts: 4, node: 4, ...good, extra: 1 });
    expect(live.model.nodes[1]!.raft).toMatchObject({ term: 2, digests: [] });
    expect(live.model.safety).toEqual({ ok: true, checkedReports: 1 });
    expect(live.model.events.map((e) => [e.node, e.type, e.text])).toEqual([
      [
        4,
        'bad-output',
        'n4 reported a state that is not valid, ignored: digests[0][1] must be a digest of 16 hex digits, got "not a digest"',
      ],
      [4, 'bad-output', 'n4 reported a state that is not valid, ignored: term must be a non-negative integer, got -1'],
      [4, 'bad-output', 'n4 reported a state that is not valid, ignored: state.extra is not a field of this frame'],
    ]);
  });

  test('an election won in a term another node already won is an alarm', () => {
    const live = new LiveModel(twoNodes());
    nodeWrites(live, 1, { ts: 1, node: 1, kind: 'raft', type: 'election-won', term: 4, votes: 2, voters: 2, text: 'n1 wins term 4' });
    nodeWrites(live, 4, {
      ts: 2,
      node: 4,
      kind: 'raft',
      type: 'role-change',
      from: 'candidate',
      to: 'leader',
      term: 4,
      cause: 'won-election',
      text: 'n4 becomes leader',
    });
    expect(live.model.safety).toMatchObject({
      ok: false,
      property: 'Election Safety',
      nodes: [1, 4],
      text: 'n1 and n4 are both leader of term 4',
      checkedReports: 0,
    });
  });
});

describe('Leader Completeness', () => {
  test("a follower's refusal to replace its committed entry with its leader's is the violation", () => {
    const live = new LiveModel(model([node(1, null), node(3, null)]));
    nodeWrites(live, 3, { ts: 200, node: 3, kind: 'raft', ...OVERWRITE_REFUSAL, text: 'n3 refuses entry 2 of term 4 from leader n1' });
    expect(live.model.safety).toMatchObject({
      ok: false,
      property: 'Leader Completeness',
      nodes: [1, 3],
      text: 'n1, leader of term 4, lacks entry 2 (term 1), committed on n3: it holds one of term 4 there',
    });
    expect(live.model.events.filter((e) => e.type === 'safety-violation')).toHaveLength(1);
  });
});
