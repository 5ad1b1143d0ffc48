// Figure 8 of the Raft paper (section 5.4.2), played on real processes: why a leader may not
// commit an entry of an earlier term by counting its replicas (the commit-previous-term bug).
//   (a) The leader L of term t is cut off with a minority; the clients' writes leave entries of
//       term t on it that the majority lacks.
//   (b) The majority elects a leader N of a later term, which is cut off alone at once: the next
//       writes leave an entry of its term on N only, at the same index.
//   (c) L's side (L's minority and the rest, without N) elects a holder of the old entry; it sends
//       the old entry to the rest and, with the bug, commits it by counting a majority.
//   (d) That leader is cut off at once and N is elected by the others, whose last entry is of the
//       older term: N overwrites the entry a majority held and a leader committed.
// A new leader's no-op (5.4.2) rides along with the old entry in (c) and commits it legitimately,
// so the bug shows only when it is also off (skip-noop) and no client write reaches that leader
// before it is cut off. Each step waits for the state it needs and gives up on this try otherwise.
import { leaderOf, type ClusterModel } from '../../cluster-model/index.js';
import { majorityOf } from '../../raft/membership.js';
import type { NodeId } from '../../raft/types.js';
import { allRunning, leaderIn, raftOf, reached } from './steps.js';
import type { AimedContext, AimedEpisode } from './types.js';

/** The highest last index among `group`'s reports. */
const tip = (m: ClusterModel, group: readonly NodeId[]): number => Math.max(0, ...group.map((id) => raftOf(m, id)?.lastIndex ?? 0));

async function run(ctx: AimedContext): Promise<void> {
  const m0 = ctx.target.model;
  const ids = allRunning(m0);
  const l = leaderOf(m0);
  if (ids === null || ids.length < 3 || l === null) return;
  const t = l.raft!.term;
  const others = ctx.random.shuffled(ids.filter((id) => id !== l.id));
  const q = majorityOf(ids.length);
  // (a) L with a minority; the rest, a majority.
  const old = [l.id, ...others.slice(0, q - 2)];
  const rest = others.slice(q - 2);
  await ctx.act({ op: 'partition', groups: [old, rest] });
  if (!(await reached(ctx, (m) => (raftOf(m, l.id)?.lastIndex ?? 0) > tip(m, rest), 30))) return;
  const first = tip(ctx.target.model, rest) + 1; // the first index the majority lacks
  // (b) A leader of a later term among the rest, then alone.
  await ctx.act({ op: 'campaign', node: ctx.random.pick(rest) });
  if (!(await reached(ctx, (m) => leaderIn(m, rest, t) !== null, 20))) return;
  const n = leaderIn(ctx.target.model, rest, t)!;
  const tn = raftOf(ctx.target.model, n)!.term;
  const bystanders = rest.filter((id) => id !== n);
  await ctx.act({ op: 'partition', groups: [old, [n], bystanders] });
  if (!(await reached(ctx, (m) => raftOf(m, n)?.lastTerm === tn && (raftOf(m, n)?.lastIndex ?? 0) >= first, 30))) return;
  // (c) The old entry's holders and the bystanders: a holder of the old entry leads and counts it
  // onto a majority.
  await ctx.act({ op: 'partition', groups: [[n], [...old, ...bystanders]] });
  await ctx.act({ op: 'campaign', node: l.id });
  if (!(await reached(ctx, (m) => leaderIn(m, old, tn) !== null, 20))) return;
  const l2 = leaderIn(ctx.target.model, old, tn)!;
  if (!(await reached(ctx, (m) => (raftOf(m, l2)?.commit ?? 0) >= first, 10))) return;
  // (d) Cut it off before an entry of its own term reaches the others; N is elected and overwrites.
  await ctx.act({ op: 'partition', groups: [[l2], ids.filter((id) => id !== l2)] });
  const t2 = raftOf(ctx.target.model, l2)?.term ?? tn;
  await ctx.act({ op: 'campaign', node: n });
  if (!(await reached(ctx, (m) => leaderIn(m, [n], t2) !== null, 20))) return;
  // With skip-noop N commits only once a client's write of its term does: let one come.
  await reached(ctx, (m) => (raftOf(m, n)?.commit ?? 0) >= first, 30);
}

export const figure8: AimedEpisode = {
  bug: 'commit-previous-term',
  name: 'figure-8',
  describe:
    "Figure 8's schedule: a leader's entry left on a minority, a later term's entry on one node, the old leader back in a third term counting its old entry onto a majority, cut off before its own entry follows, and the later entry's holder elected to overwrite it (with skip-noop on: the no-op would commit it legitimately)",
  run,
};
