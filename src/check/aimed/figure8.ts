// Figure 8 of the Raft paper (section 5.4.2), played on real processes in step mode: why a leader
// may not commit an entry of an earlier term by counting its replicas (the commit-previous-term
// bug). Every clock stands still and every Raft message waits for the schedule, which delivers
// them one by one; only the clients run free, and their writes are what fills the logs. With three
// nodes, A the leader of term t, B and C its followers:
//   (a) A keeps taking the clients' writes; its appends are held, so its entries past B's last
//       (X) are on A alone.
//   (b) B is elected in term t+1 with C's vote. B's heartbeat steps A down and points the clients
//       to B, whose first write leaves an entry of term t+1 (Y) on B alone, where A holds X.
//   (c) A is elected in term t+2 with C's vote (its log ends in term t, C's is shorter), and sends
//       C the entries X. C acknowledges them and, with the bug, A commits X by counting: A and C
//       are a majority.
//   (d) A is cut off. B is elected in term t+3 with C's vote (B's last entry, of term t+1, is newer
//       than C's, of term t) and overwrites X on C with Y: with the bug, B commits Y by counting
//       too, and two nodes have committed different entries at one index (State Machine Safety).
// Why the no-op must be off (skip-noop): a new leader's no-op (5.4.2, the end of Figure 8's
// caption) rides in A's first append to C with the old entries, so in (c) C acknowledges an entry
// of term t+2 with X and A commits X legitimately; then C, whose last entry is of term t+2, refuses
// B in (d) (Figure 8 (e)). The schedule does the same either way: with the no-op on it shows that
// ending, and the check passes.
// One moment is not the schedule's: a client's write that reaches A in (c) between its election
// and its first append to C rides along as the no-op would, and the attempt ends as in (e); the
// schedule then mends and starts over (ATTEMPTS at most). That moment is kept short: as soon as A
// leads, a leadership transfer to C makes it probe C at once and turn writes away from then on
// (dissertation 3.10); the transfer's TimeoutNow is never delivered. Leaders are stepped down by
// the next leader's heartbeat, which no lease refuses, and with PreVote a voter leaves its
// leader's lease by firing its own election timer (it stays in its term): the schedule works with
// CheckQuorum on or off. With PreVote off it needs CheckQuorum off (a fired voter would become a
// candidate and vote for itself, and a leased one refuses the vote request).
import { latestMembership, leaderOf, memberIds, type ClusterModel, type HeldMessage } from '../../cluster-model/index.js';
import { majorityOf } from '../../raft/membership.js';
import type { NodeId } from '../../raft/types.js';
import { deliverUntil, fitOf, held, heldMessage, leaderIn, raftOf, reached, unfitError } from './steps.js';
import type { AimedContext, AimedEpisode } from './types.js';

/**
 * At most this many attempts in one run of the episode: an attempt that ends as Figure 8 (e) (an
 * entry of A's term reached C with the old ones) is followed by another.
 */
const ATTEMPTS = 3;

/**
 * How long a step waits for what it needs: a node's answer, or the clients' next write. The clocks
 * stand still, so a long wait costs nothing when things go as planned; it only ends an attempt
 * that went elsewhere.
 */
const PATIENCE_MS = 10_000;

type Ending = 'overwritten' | 'legitimate' | 'stuck';

/** The PATIENCE_MS wait, in the election timeouts reached() and heldMessage() count in. */
const patience = (ctx: AimedContext): number => Math.ceil(PATIENCE_MS / ctx.electionMs);

/** A leader every running member follows in its term, whose log each ends in that term (so each is a prefix of the leader's). */
function inStep(m: ClusterModel): NodeId | null {
  const l = leaderOf(m);
  if (l === null || m.step?.on === true) return null;
  const ids = memberIds(m);
  const ok = ids.every((id) => {
    const r = raftOf(m, id);
    return r !== null && r.term === l.raft!.term && r.lastTerm === l.raft!.term && (id === l.id || r.leader === l.id);
  });
  return ok ? l.id : null;
}

/** Delivers one held message, and waits until its sender says it left. */
async function deliver(ctx: AimedContext, h: HeldMessage): Promise<void> {
  await ctx.act({ op: 'deliver', ids: [h.id] });
  await reached(ctx, (m) => !held(m).some((x) => x.id === h.id), patience(ctx));
}

/** The answer `to` holds for `from` of `type`, held after `since`: the reply to what was just delivered. */
function answer(ctx: AimedContext, from: NodeId, to: NodeId, type: string, since: ReadonlySet<string>): Promise<HeldMessage | null> {
  return heldMessage(ctx, (h) => h.from === from && h.to === to && h.type === type && !since.has(h.id), patience(ctx));
}

const ids = (m: ClusterModel): Set<string> => new Set(held(m).map((h) => h.id));

/** How an election went, and the candidate's last log index as its requests said. */
type Vote = { result: 'won' | 'refused' | 'stuck'; lastLogIndex: number };

/**
 * Fires `node`'s election timeout and delivers its requests to `voters` and their answers, one by
 * one (PreVote's round first when it is on), until it leads a term above `above`. 'refused' when
 * a voter refuses. The voters must have no leader to be loyal to: PreVote's lease (dissertation
 * 9.6) refuses a pre-vote while a follower's leader is heard from, and the clocks stand still.
 */
async function elect(ctx: AimedContext, node: NodeId, voters: readonly NodeId[], above: number): Promise<Vote> {
  const rounds = ctx.target.model.switches.preVote ? (['pre-vote', 'vote'] as const) : (['vote'] as const);
  let lastLogIndex = 0;
  const ended = (result: Vote['result']): Vote => ({ result, lastLogIndex });
  await ctx.act({ op: 'fire', node, timer: 'election' });
  for (const kind of rounds)
    for (const v of voters) {
      const ask = await heldMessage(ctx, (h) => h.from === node && h.to === v && h.type === kind && h.term > above, patience(ctx));
      if (ask === null) return ended('stuck');
      lastLogIndex = Number(ask.detail.lastLogIndex);
      const before = ids(ctx.target.model);
      await deliver(ctx, ask);
      const reply = await answer(ctx, v, node, `${kind}-response`, before);
      if (reply === null) return ended('stuck');
      if (reply.detail.granted !== true) return ended('refused');
      await deliver(ctx, reply);
    }
  return ended((await reached(ctx, (m) => leaderIn(m, [node], above) !== null, patience(ctx))) ? 'won' : 'stuck');
}

/** Leaves the voters' lease of their last leader behind (firing their election timeouts, with PreVote; each stays in its term). */
async function forgetLeader(ctx: AimedContext, voters: readonly NodeId[]): Promise<void> {
  if (!ctx.target.model.switches.preVote) return;
  for (const v of voters) await ctx.act({ op: 'fire', node: v, timer: 'election' });
}

/** `leader` sends `to` a heartbeat, delivered alone: `to` learns its term, steps down if it led, and follows it. */
async function heartbeat(ctx: AimedContext, leader: NodeId, to: NodeId): Promise<boolean> {
  const term = raftOf(ctx.target.model, leader)?.term ?? 0;
  await ctx.act({ op: 'fire', node: leader, timer: 'heartbeat' });
  const hb = await heldMessage(ctx, (h) => h.from === leader && h.to === to && h.type === 'heartbeat' && h.term === term, patience(ctx));
  if (hb === null) return false;
  await deliver(ctx, hb);
  return reached(ctx, (m) => (raftOf(m, to)?.term ?? 0) >= term && raftOf(m, to)?.role !== 'leader', patience(ctx));
}

/** Delivers `leader`'s heartbeat to `to` and the answer; false when one did not come. */
async function heardFrom(ctx: AimedContext, leader: NodeId, to: NodeId, term: number): Promise<boolean> {
  const hb = await heldMessage(ctx, (h) => h.from === leader && h.to === to && h.type === 'heartbeat' && h.term === term, patience(ctx));
  if (hb === null) return false;
  const before = ids(ctx.target.model);
  await deliver(ctx, hb);
  const reply = await answer(ctx, to, leader, 'heartbeat-response', before);
  if (reply === null) return false;
  await deliver(ctx, reply);
  return true;
}

/**
 * A's appends to `c` and `c`'s answers, one by one, until `c` acknowledges: A backs up to the
 * end of `c`'s log and sends what follows. Returns whether what `c` took held an entry of A's own
 * term (the no-op, or a client's write), or null when an answer did not come.
 */
async function replicate(ctx: AimedContext, a: NodeId, c: NodeId, term: number): Promise<boolean | null> {
  let own = false;
  for (;;) {
    const before = ids(ctx.target.model);
    const append = await heldMessage(ctx, (h) => h.from === a && h.to === c && h.type === 'append' && h.term === term, patience(ctx));
    if (append === null) return null;
    own ||= append.detail.lastTerm === term;
    await deliver(ctx, append);
    const reply = await answer(ctx, c, a, 'append-response', before);
    if (reply === null) return null;
    await deliver(ctx, reply);
    if (reply.detail.success === true) return own;
  }
}

/** One attempt, from a cluster in step with its leader: Figure 8 (a) to (d), or (e) when A's first append carries an entry of its term. */
async function attempt(ctx: AimedContext, transfers: Array<Promise<unknown>>): Promise<Ending> {
  if (!(await reached(ctx, (m) => inStep(m) !== null, patience(ctx)))) return 'stuck';
  const m0 = ctx.target.model;
  const a = inStep(m0)!;
  const t = raftOf(m0, a)!.term;
  const all = memberIds(m0);
  const q = majorityOf(all.length);
  // B is the follower with the longest log as reported, so that C grants it its vote (5.4.1); C
  // are as many more as a majority needs; the others take no part (their messages stay held).
  const followers = ctx.random
    .shuffled(all.filter((id) => id !== a))
    .sort((x, y) => (raftOf(m0, y)?.lastIndex ?? 0) - (raftOf(m0, x)?.lastIndex ?? 0));
  const b = followers[0]!;
  const cs = followers.slice(1, q);
  await ctx.act({ op: 'step', on: true });
  if (!(await reached(ctx, (m) => m.step?.on === true, patience(ctx)))) return 'stuck';

  // (b) B is elected in term t+1 by C, while A, leader of t, still takes the clients' writes.
  await forgetLeader(ctx, cs);
  const bVote = await elect(ctx, b, cs, t);
  if (bVote.result !== 'won') return 'stuck';
  // B's log ends where its vote request said: A's must go further, with the entries X.
  const bLast = bVote.lastLogIndex;
  if (!(await reached(ctx, (m) => (raftOf(m, a)?.lastIndex ?? 0) > bLast, patience(ctx)))) return 'stuck';
  // (a) ends: B's heartbeat steps A down (A's waiting writes fail, and A now names B as leader
  // to the clients). The entries X past bLast are A's alone for good.
  if (!(await heartbeat(ctx, b, a))) return 'stuck';
  const aLast = raftOf(ctx.target.model, a)!.lastIndex;
  // Y: the first write B takes (or its no-op) is an entry of term t+1 at bLast + 1, where A holds X.
  if (!(await reached(ctx, (m) => raftOf(m, b)?.lastTerm === t + 1, patience(ctx)))) return 'stuck';

  // (c) A is elected in term t+2 by C, which has heard from no leader since it voted for B.
  if ((await elect(ctx, a, cs, t + 1)).result !== 'won') return 'stuck';
  const ta = raftOf(ctx.target.model, a)!.term;
  transfers.push(ctx.act({ op: 'transfer', node: cs[0]! }));
  // The rest of C (five nodes or more) hear from A by a heartbeat, whose answer makes A probe them.
  if (cs.length > 1) await ctx.act({ op: 'fire', node: a, timer: 'heartbeat' });
  let own = false;
  for (const c of cs) {
    if (c !== cs[0] && !(await heardFrom(ctx, a, c, ta))) return 'stuck';
    const took = await replicate(ctx, a, c, ta);
    if (took === null) return 'stuck';
    own ||= took;
  }
  // With the bug, A counts X onto a majority and commits it; with an entry of its term along, it
  // commits that entry, and X with it, legitimately.
  if (!(await reached(ctx, (m) => (raftOf(m, a)?.commit ?? 0) >= aLast, patience(ctx)))) return 'stuck';

  // (d) A's heartbeat steps B down; then A is cut off, before it tells anyone its commit index.
  if (!(await heartbeat(ctx, a, b))) return 'stuck';
  await ctx.act({ op: 'partition', groups: [[a], all.filter((id) => id !== a)] });
  await forgetLeader(ctx, cs);
  const vote = (await elect(ctx, b, cs, ta)).result;
  // Figure 8 (e): C's last entry is of A's term, newer than B's; B cannot win.
  if (vote === 'refused' && own) return 'legitimate';
  if (vote !== 'won') return 'stuck';
  // B overwrites X on C with Y; with the bug it commits Y by counting (or with a write of its term).
  await ctx.act({ op: 'fire', node: b, timer: 'heartbeat' });
  return (await deliverUntil(ctx, (m) => (raftOf(m, b)?.commit ?? 0) > bLast, patience(ctx))) ? 'overwritten' : 'stuck';
}

async function run(ctx: AimedContext): Promise<void> {
  const m0 = ctx.target.model;
  const config = latestMembership(m0);
  // From voters only (an earlier episode of another bug may leave a learner).
  if (config === null || config.learners.length > 0) return;
  const refused = unfitError(figure8, fitOf(m0));
  if (refused !== null) throw refused;
  const transfers: Array<Promise<unknown>> = [];
  try {
    for (let i = 0; i < ATTEMPTS; i++) {
      if (i > 0) {
        // Mend between attempts as the nemesis does after an episode: time and messages flow again.
        await ctx.act({ op: 'step', on: false });
        await ctx.act({ op: 'heal' });
      }
      if ((await attempt(ctx, transfers)) !== 'legitimate') return;
    }
  } finally {
    await Promise.all(transfers);
  }
}

export const figure8: AimedEpisode = {
  bug: 'commit-previous-term',
  name: 'figure-8',
  unfit: ({ voters, preVote, checkQuorum }) => {
    if (voters < 3) return `needs three voters at least (this cluster has ${voters}): check --nodes 3`;
    if (!preVote && checkQuorum)
      return "cannot free a follower from its leader's lease while the clocks stand still with PreVote off (firing its timer would make it a candidate): check --no-check-quorum, or with PreVote on";
    return null;
  },
  describe:
    "Figure 8's schedule in step mode: the leader's entries on it alone, a later term's entry on a second node, the first leader elected again and its first append counting its old entries onto a majority, then cut off and the second node elected to overwrite them (with skip-noop on: the no-op would ride along and commit them legitimately)",
  run,
};
