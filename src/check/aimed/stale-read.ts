// Aimed at read-without-quorum: a leader that answers reads from its own state without asking a
// majority whether it still leads (dissertation 6.4) serves stale values once a newer leader has
// taken writes. The random kinds rarely line that up on real processes: CheckQuorum (6.2) steps a
// leader cut off in a minority down about when the majority elects the next one, and the clients
// follow the new leader. This schedule makes the window: it cuts the leader off alone and freezes
// it (SIGSTOP: its clock stops, so CheckQuorum does not run), lets the majority elect a new leader
// and commit the clients' writes, then sends every client's reads to the old leader and wakes it.
// It answers the reads that waited for it before it runs a tick.
// Waking, it still believes it leads for up to an election timeout: under the bug it answers each
// read at once with the value it held before the cut, older than writes acknowledged before those
// reads began; without the bug it cannot confirm a round, and the reads fail.
import { leaderOf, memberIds, type ClusterModel } from '../../cluster-model/index.js';
import type { NodeId } from '../../raft/types.js';
import { reached } from './steps.js';
import type { AimedEpisode } from './types.js';

/** How long the check's raft-console client waits on one node before it tries another (RaftClient's default). */
const CLIENT_ATTEMPT_MS = 1000;

/** How long reads pile up at the frozen leader before it wakes. */
const READS_PILE_MS = 500;

/** Whether a node other than `old` leads now. */
function elsewhere(model: ClusterModel, old: NodeId): boolean {
  const now = leaderOf(model);
  return now !== null && now.id !== old;
}

export const staleRead: AimedEpisode = {
  bug: 'read-without-quorum',
  name: 'stale-read',
  unfit: () => null,
  describe:
    'freezes the leader and cuts it off alone, lets the majority elect a new leader and commit writes, then wakes the old leader with every read sent to it',
  async run(ctx) {
    const leader = leaderOf(ctx.target.model);
    if (leader === null) return;
    const others = memberIds(ctx.target.model).filter((id) => id !== leader.id);
    // Freeze first, then cut: cut first, CheckQuorum could step it down before the freeze (an
    // election timeout is 30 ms at the fast speed). The others drop their messages to and from it
    // from the cut on, before they can elect anyone; it takes the cut from its queued commands when
    // it wakes, and hears of no newer term meanwhile.
    await ctx.act({ op: 'pause', nodes: [leader.id] });
    await ctx.act({ op: 'partition', groups: [[leader.id], others] });
    try {
      // The majority elects a new leader (pre-vote and vote: a few election timeouts at most).
      if (!(await reached(ctx, (m) => elsewhere(m, leader.id), 10))) return;
      // Clients stuck on the frozen leader give up on it after the client's attempt timeout (1 s)
      // and take their writes to the new leader, which commits them.
      await ctx.wait(Math.max(CLIENT_ATTEMPT_MS + 500, 3 * ctx.electionMs));
      // Reads sent to the frozen leader now wait in its socket: each began after writes the new
      // leader acknowledged, and each is answered the moment it wakes.
      ctx.readsVia?.(leader.id);
      await ctx.wait(READS_PILE_MS);
      await ctx.act({ op: 'resume', nodes: [leader.id] });
      // Until CheckQuorum steps it down (one to two election timeouts of its own clock).
      await ctx.wait(2 * ctx.electionMs);
    } finally {
      ctx.readsVia?.(null);
    }
  },
};
