// A voter restarted inside the term it voted in, while a second candidate runs (section 5.2: a
// server votes at most once per term, and must persist the vote before answering: the
// vote-not-persisted bug leaves it out). The random kill kind restarts nodes long after their
// vote's term has ended; this schedule restarts them inside it.
//   (a) A follower A is handed leadership (a transfer skips PreVote and the voters' lease) and wins
//       term T with the votes of V: the old leader and as many more as it needs. A's messages to
//       the others (B, the second candidate, and the rest) are dropped, and those to V delayed by
//       a third of an election timeout, so that A's first append (its no-op) is still on its way
//       when A has won.
//   (b) A is cut off at once, before that append arrives, and V is killed and restarted: they come
//       back in term T, having voted (the bug) for nobody.
//   (c) B, in step with the log and still in the term before T, campaigns: PreVote keeps its term
//       until it can win, then it asks for votes in T, and V votes a second time in T.
import { leaderOf } from '../../cluster-model/index.js';
import { majorityOf } from '../../raft/membership.js';
import { allRunning, leaderIn, raftOf, reached, wonSince } from './steps.js';
import type { AimedContext, AimedEpisode } from './types.js';

async function run(ctx: AimedContext): Promise<void> {
  const m0 = ctx.target.model;
  const ids = allRunning(m0);
  const l = leaderOf(m0);
  if (ids === null || ids.length < 3 || l === null) return;
  const t = l.raft!.term;
  const followers = ctx.random.shuffled(ids.filter((id) => id !== l.id));
  const q = majorityOf(ids.length);
  const a = followers[0]!;
  const voters = [l.id, ...followers.slice(2, q)];
  const others = ids.filter((id) => id !== a && !voters.includes(id));
  // (a) Held back less than half of the shortest election timeout: the leader gives the transfer up
  // after one, and A's catch-up answer and its vote request are both held back on the way.
  const delayMs = Math.round(0.35 * ctx.target.model.timing.electionTimeoutMs.min);
  for (const to of others) await ctx.act({ op: 'link', from: a, to, drop: 1, oneWay: true });
  for (const to of voters) await ctx.act({ op: 'link', from: a, to, delayMs, oneWay: true });
  const since = Date.now();
  // The supervisor answers a transfer once it is over: A's win is watched meanwhile, to cut it off
  // while its first append is still held back.
  const transfer = ctx.act({ op: 'transfer', node: a });
  const won = await reached(ctx, (m) => wonSince(m, a, since), 5);
  // (b) Cut A off, then restart its voters inside term T.
  if (won) await ctx.act({ op: 'partition', groups: [[a], ids.filter((id) => id !== a)] });
  await transfer;
  if (!won) return;
  const term = raftOf(ctx.target.model, a)?.term ?? t + 1;
  await ctx.act({ op: 'kill', nodes: voters });
  await ctx.act({ op: 'restart', nodes: voters });
  // (c) One of the others wins T with the votes V gave A.
  await reached(
    ctx,
    (m) =>
      leaderIn(
        m,
        ids.filter((id) => id !== a),
        term - 1,
      ) !== null,
    40,
  );
}

export const voteRestart: AimedEpisode = {
  bug: 'vote-not-persisted',
  name: 'vote-restart',
  describe:
    'a follower is handed leadership with its first append held back, cut off as soon as it wins, and the nodes that voted for it restarted inside that term while another node campaigns: they vote again in the same term',
  run,
};
