// The single-server change bug (Ongaro, raft-dev 2015, "bug in single-server membership changes",
// the correction to dissertation 4.1), played on real processes in step mode as
// test/sim/conf-change-bug.test.ts plays it on the simulator, with the thread's names:
//   (a) C0 = {a, b, c, d} (an even number of voters; b and c stand for groups of k-1 nodes each with
//       2k voters), a leads term t and adds u as a learner; every voter commits it.
//   (b) a, cut off with u, promotes u: Cu = C0 + u reaches u only.
//   (c) d is elected in term t+1 by C0 without a, and its appends are held back from b.
//   (d) With the bug d removes a before it has committed an entry of its term: Cr = C0 - a reaches
//       c only (c's acknowledgements of it are held back).
//   (e) a hears of term t+1 from b, and is elected in term t+2 by a, b and u: a majority of Cu, since
//       b never saw term t+1's entries and a's log ends with Cu.
//   (f) d commits Cr with c (a majority of Cr): the supervisor stops a, removed.
//   (g) d hands leadership to c, which is elected in term t+2 by c and d (a majority of Cr): two
//       leaders in term t+2, which `check` reports (one leader per term, the safety monitor).
// Majorities of Cu (k+1 of 2k+1) and Cr (k of 2k-1) together take 2k+1 nodes, every node there is:
// they can be disjoint. With the rule (a leader first commits an entry of its term), d's no-op would
// have to commit in C0 before Cr, so it would reach b and b would refuse a in (e).
// Step mode gives the order: every message is held, and only the ones the trace needs are delivered.
// Its clocks stand still, so followers that heard from a leader never stop refusing other candidates
// (PreVote's and CheckQuorum's lease, dissertation 9.6 and 4.2.3): b and c would refuse d in (c),
// and u would refuse a in (e). The schedule needs both off (--no-pre-vote --no-check-quorum); in
// real time the lease runs out and the bug needs neither.
import { latestMembership, leaderOf, type ActionResult, type ClusterModel, type HeldMessage } from '../../cluster-model/index.js';
import type { NodeId } from '../../raft/types.js';
import { allRunning, deliverUntil, fitOf, leaderIn, raftOf, reached, unfitError, wonSince } from './steps.js';
import type { AimedContext, AimedEpisode } from './types.js';

/** Messages from one member of `group` to another. */
const within =
  (group: readonly NodeId[]) =>
  (h: HeldMessage): boolean =>
    group.includes(h.from) && group.includes(h.to);

/** Whether `id` reports `voter` among its configuration's voters. */
const seesVoter = (m: ClusterModel, id: NodeId, voter: NodeId): boolean => raftOf(m, id)?.membership.voters.includes(voter) === true;

/** Whether `id` leads a term above `term`. */
const leadsAbove = (m: ClusterModel, id: NodeId, term: number): boolean => leaderIn(m, [id], term) !== null;

async function run(ctx: AimedContext): Promise<void> {
  const m0 = ctx.target.model;
  const config = latestMembership(m0);
  const leader = leaderOf(m0);
  // An earlier run leaves its learner u in the configuration: the schedule starts from voters only.
  if (config === null || config.learners.length > 0 || allRunning(m0) === null || leader === null || m0.step?.on === true) return;
  const c0 = config.voters;
  const refused = unfitError(confChange, fitOf(m0));
  if (refused !== null) throw refused;
  const a = leader.id;
  const t = leader.raft!.term;
  const pending: Array<Promise<ActionResult>> = [];
  await ctx.act({ op: 'step', on: true });
  try {
    // (a) u joins as a learner. The heartbeat tells every voter the commit index (min of its match
    // and the leader's commit): d must know the learner's entry committed, or the core refuses its
    // change while an earlier one is in flight (dissertation 4.1).
    const added = await ctx.act({ op: 'add', learner: true });
    if (added.outcome?.code !== 'added-learner') return;
    const { node: u, index: learnerAt } = added.outcome;
    const others = c0.filter((id) => id !== a);
    const replicated = (m: ClusterModel): boolean =>
      (raftOf(m, a)?.commit ?? 0) >= learnerAt && others.every((id) => (raftOf(m, a)?.progress[id]?.match ?? 0) >= learnerAt);
    if (!(await deliverUntil(ctx, replicated, 10))) return;
    await ctx.act({ op: 'fire', node: a, timer: 'heartbeat' });
    if (!(await deliverUntil(ctx, (m) => c0.every((id) => (raftOf(m, id)?.commit ?? 0) >= learnerAt), 10))) return;

    // (b) a, cut off with u, promotes it; the supervisor waits for a commit that cannot come.
    await ctx.act({ op: 'partition', groups: [[a, u], others] });
    const promoting = ctx.act({ op: 'promote', node: u });
    pending.push(promoting);
    if (!(await deliverUntil(ctx, (m) => seesVoter(m, a, u) && seesVoter(m, u, u), 10))) return;

    // (c) d, the most up to date of the others (their logs all end in term t), gets the votes of
    // the rest (section 5.4.1); its first appends are held. With 2k voters, the k-1 nodes cs will
    // hold Cr with d, the k-1 nodes bs vote for a in (e).
    const m1 = ctx.target.model;
    const rest = ctx.random.shuffled(others);
    const d = rest.reduce((best, id) => ((raftOf(m1, id)?.lastIndex ?? 0) > (raftOf(m1, best)?.lastIndex ?? 0) ? id : best));
    const k = c0.length / 2;
    const cs = rest.filter((id) => id !== d).slice(0, k - 1);
    const bs = rest.filter((id) => id !== d && !cs.includes(id));
    const cr = [d, ...cs];
    const electors = [...bs, ...cs];
    await ctx.act({ op: 'fire', node: d, timer: 'election' });
    const asks = (h: HeldMessage): boolean => h.from === d && h.type === 'vote';
    const votedD = (m: ClusterModel): boolean => electors.every((id) => raftOf(m, id)?.vote === d && (raftOf(m, id)?.term ?? 0) > t);
    if (!(await deliverUntil(ctx, votedD, 10, asks))) return;
    const answers = (h: HeldMessage): boolean => h.to === d && h.type === 'vote-response';
    if (!(await deliverUntil(ctx, (m) => leadsAbove(m, d, t), 10, answers))) return;
    const td = raftOf(ctx.target.model, d)!.term;
    await ctx.act({ op: 'partition', groups: [[a, u], bs, cr] });

    // (d) The supervisor makes membership changes take turns (engine.ts): the removal starts once
    // it has given up on the promotion. d removes a with no entry of its term committed (the bug).
    await promoting;
    const removing = ctx.act({ op: 'remove', node: a });
    pending.push(removing);
    if (!(await reached(ctx, (m) => raftOf(m, d)?.membership.voters.includes(a) === false, 10))) return;
    const removalAt = raftOf(ctx.target.model, d)?.configIndex;
    if (removalAt === undefined) return;
    // Cr reaches cs; their acknowledgements of it wait, or d would commit it and the supervisor
    // stop a before (e).
    const acksCr = (h: HeldMessage): boolean =>
      h.to === d &&
      h.type === 'append-response' &&
      h.detail.success === true &&
      typeof h.detail.index === 'number' &&
      h.detail.index >= removalAt;
    const hasCr = (m: ClusterModel): boolean => cs.every((id) => (raftOf(m, id)?.lastIndex ?? 0) >= removalAt && !seesVoter(m, id, a));
    if (!(await deliverUntil(ctx, hasCr, 10, (h) => within(cr)(h) && !acksCr(h)))) return;

    // (e) b's answer to a's heartbeat carries term t+1: a steps down (section 5.1), then campaigns
    // in t+2.
    const cu = [a, u, ...bs];
    await ctx.act({ op: 'partition', groups: [cu, cr] });
    await ctx.act({ op: 'fire', node: a, timer: 'heartbeat' });
    if (!(await deliverUntil(ctx, (m) => (raftOf(m, a)?.term ?? 0) > t, 10, within(cu)))) return;
    // Its votes only: its first appends never leave (a is stopped in (f)), so after the episode c's
    // log replaces nothing b or u committed, and the cluster settles under c.
    const since = Date.now();
    await ctx.act({ op: 'fire', node: a, timer: 'election' });
    const ballots = (h: HeldMessage): boolean => within(cu)(h) && (h.type === 'vote' || h.type === 'vote-response');
    if (!(await deliverUntil(ctx, (m) => wonSince(m, a, since) || leadsAbove(m, a, td), 10, ballots))) return;

    // (f) Cr commits: the removal is done, a stopped.
    if (!(await deliverUntil(ctx, (m) => (raftOf(m, d)?.commit ?? 0) >= removalAt, 10, within(cr)))) return;
    if (!(await removing).ok) return;

    // (g) c is handed leadership and wins term t+2 with d's vote. Not c's own election: d takes the
    // clients' writes meanwhile, and a vote request could find d's log longer than c's (5.4.1); a
    // leader handing over takes no new entries and catches c up first (dissertation 3.10). With a
    // stopped, d is the leader the supervisor asks.
    const c = cs[0]!;
    const transferring = ctx.act({ op: 'transfer', node: c });
    pending.push(transferring);
    await deliverUntil(ctx, (m) => leadsAbove(m, c, td), 10, within(cr));
  } finally {
    await Promise.all(pending);
  }
}

export const confChange: AimedEpisode = {
  bug: 'conf-change-before-term-commit',
  name: 'conf-change',
  unfit: ({ voters, preVote, checkQuorum }) => {
    if (voters < 4 || voters % 2 !== 0)
      return `needs an even number of voters, at least 4 (this cluster has ${voters}): check --nodes 4 --no-pre-vote --no-check-quorum`;
    if (preVote || checkQuorum)
      return "runs in step mode, where followers' lease never runs out and they refuse every candidate but a handed-over one: check --no-pre-vote --no-check-quorum";
    return null;
  },
  describe:
    'the raft-dev 2015 trace in step mode (an even number of voters, PreVote and CheckQuorum off): the leader, cut off with a new learner, promotes it; a new leader elected without them removes the old one before committing an entry of its term; both configurations elect a leader in the same term',
  run,
};
