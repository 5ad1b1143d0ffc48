// A voter restarted inside the term it voted in, while a second candidate runs (section 5.2: a
// server votes for at most one candidate in a term; Figure 2 keeps votedFor on stable storage,
// written before the server answers: the vote-not-persisted bug leaves it out). The random kill
// kind restarts nodes long after their vote's term has ended; this schedule restarts one inside
// it, in step mode, so that every message goes when the schedule says and the bug shows in every
// run. Three members: the leader A of term t, and B and C, which follow it.
//   (a) The network between B and C is cut for the whole schedule: C never hears of B's term.
//   (b) A hands leadership to B (dissertation 3.10): from then on it takes no client entries, so
//       its log is final. It catches B up and sends it TimeoutNow; B campaigns for T = t + 1 with
//       no pre-vote and past the voters' lease (9.6, 4.2.3), and its vote request to A waits.
//       Meanwhile A's appends go on to C until C holds A's whole log: C must be at least as up to
//       date as A for A's vote (5.4.1), and A sends C nothing once it has stepped down.
//   (c) B's request goes to A, which steps down to follower in T and grants it; B leads T. B's
//       appends stay held: an entry of T on A would make A's log newer than C's.
//   (d) A is killed and restarted (in step mode, as the cluster is): under the bug it comes back
//       in T having voted for nobody, and following no leader.
//   (e) C's election timeout fires. It asks A for a pre-vote in T (A has no leader and, under the
//       bug, no vote: granted; with the vote kept, refused as already voted, and the schedule
//       ends), then for its vote in T: A votes a second time in T, and C leads T beside B.
//   (f) C is killed once its win is told: the two leaders of T would otherwise lead it for good
//       (each keeps A's answers, so CheckQuorum keeps both, and neither hears a higher term) and
//       the check would wait for a cluster that never settles. The nemesis restarts C after the
//       schedule, and it follows B. A client write C took as leader before the kill sits at the
//       index and term of one of B's entries: the logs then never converge either, which the
//       check reports too, another face of the same double vote.
import { leaderOf, type ClusterModel, type HeldMessage } from '../../cluster-model/index.js';
import type { NodeId } from '../../raft/types.js';
import { allRunning, deliverUntil, fitOf, held, heldMessage, raftOf, reached, unfitError, wonSince } from './steps.js';
import type { AimedContext, AimedEpisode } from './types.js';

/**
 * How many election timeouts one step may take before the schedule gives up. The clocks stand
 * still in step mode, so this only ends a schedule that went elsewhere; it is generous for a
 * loaded machine, where a message and its answer can take a while to be told.
 */
const STEP_ELECTIONS = 20;

/** Waits for the message of `type` that `from` holds for `to`, and delivers it; the message, or null when none came or it could not go. */
async function pass(ctx: AimedContext, from: NodeId, to: NodeId, type: string): Promise<HeldMessage | null> {
  const h = await heldMessage(ctx, (x) => x.from === from && x.to === to && x.type === type, STEP_ELECTIONS);
  if (h === null) return null;
  return (await ctx.act({ op: 'deliver', ids: [h.id] })).ok ? h : null;
}

async function run(ctx: AimedContext): Promise<void> {
  const m0 = ctx.target.model;
  const ids = allRunning(m0);
  const leader = leaderOf(m0);
  // Three members: with more, each candidate would need voters of its own besides A.
  if (ids === null || leader === null) return;
  const refused = unfitError(voteRestart, fitOf(m0));
  if (refused !== null) throw refused;
  const a = leader.id;
  const t = leader.raft!.term;
  const [b, c] = ctx.random.shuffled(ids.filter((id) => id !== a)) as [NodeId, NodeId];
  await ctx.act({ op: 'step', on: true });
  // (a) Both ways: B's vote request and appends never reach C, nor C's requests B. What they hold
  // for each other is not due, and is lost when the nemesis leaves step mode.
  await ctx.act({ op: 'link', from: b, to: c, drop: 1 });
  const since = Date.now();
  // (b) The supervisor answers a transfer once B leads, which only the deliveries below bring about.
  const transfer = ctx.act({ op: 'transfer', node: b });
  try {
    const voteOfB = (m: ClusterModel): HeldMessage | undefined => held(m).find((h) => h.from === b && h.to === a && h.type === 'vote');
    const cHoldsLogOfB = (m: ClusterModel): boolean => {
      const v = voteOfB(m);
      const rc = raftOf(m, c);
      // B's request carries B's last entry, which is A's: A caught B up before sending TimeoutNow.
      return v !== undefined && rc !== null && rc.lastIndex === v.detail.lastLogIndex && rc.lastTerm === v.detail.lastLogTerm;
    };
    // Everything between A and B and between A and C, except what B sends in T: its vote request,
    // and its answers to A's messages of t, which carry T and would depose A before C has its log.
    if (!(await deliverUntil(ctx, cHoldsLogOfB, STEP_ELECTIONS, (h) => !(h.from === b && h.term > t)))) return;
    // (c) B's vote request to A, and A's grant back.
    const vote = voteOfB(ctx.target.model)!;
    if (!(await ctx.act({ op: 'deliver', ids: [vote.id] })).ok) return;
    const grant = await pass(ctx, a, b, 'vote-response');
    if (grant?.detail.granted !== true) return;
    if (!(await reached(ctx, (m) => wonSince(m, b, since), STEP_ELECTIONS))) return;
    // (d) A, restarted inside T. A stepping node starts stepping: it sends nothing unasked.
    await ctx.act({ op: 'kill', nodes: [a] });
    if (!(await ctx.act({ op: 'restart', nodes: [a] })).ok) return;
    // (e) C's own rules run: a pre-vote round first (PreVote), then the votes.
    await ctx.act({ op: 'fire', node: c, timer: 'election' });
    for (const [request, answer] of [
      ['pre-vote', 'pre-vote-response'],
      ['vote', 'vote-response'],
    ] as const) {
      if ((await pass(ctx, c, a, request)) === null) return;
      if ((await pass(ctx, a, c, answer))?.detail.granted !== true) return;
    }
    // (f) The second leader of T is told: Election Safety is broken, and the check has seen it.
    if (await reached(ctx, (m) => wonSince(m, c, since), STEP_ELECTIONS)) await ctx.act({ op: 'kill', nodes: [c] });
  } finally {
    await transfer;
  }
}

export const voteRestart: AimedEpisode = {
  bug: 'vote-not-persisted',
  name: 'vote-restart',
  // With more, each candidate would need voters of its own besides A.
  unfit: ({ voters }) => (voters === 3 ? null : `needs three voters exactly (this cluster has ${voters}): check --nodes 3`),
  describe:
    "in step mode, the leader A hands leadership to B, whose vote request reaches A only once the third node C holds A's whole log, and never reaches C; A grants it, is killed and restarted inside the new term, and C campaigns in that term: A votes a second time in it and C leads it beside B",
  run,
};
