// One trial of Figure 16: one follower paused (SIGSTOP) through a burst of writes so that the logs
// differ (the paper: "some candidates were not eligible to become leader"), then quiet, the leader
// SIGKILLed at a seeded uniform point of a heartbeat interval (timing.ts killTime), the follower
// let go (SIGCONT) at once, and the failover measured: until
// every survivor knows the new leader (leader-watch.ts), until the first write is acknowledged in the
// new term (writers.ts), and how many elections it took (the nodes' role-change events).
import { sleep, waitFor } from '../children.js';
import { round } from '../stats.js';
import { Random } from '../../src/sim/random.js';
import type { FailoverCluster } from './cluster.js';
import { electionsAfter } from './elections.js';
import { LeaderWatch, pollMs, wallNow } from './leader-watch.js';
import { killTime, type RangeTiming } from './timing.js';
import { Writers } from './writers.js';

export interface TrialSettings {
  timing: RangeTiming;
  seed: number;
  writers: number;
  burst: number;
  /** A trial with no new leader (or no write) within this long is reported failed. */
  timeoutMs: number;
}

export interface TrialRecord {
  bench: 'failover';
  range: string;
  trial: number;
  seed: number;
  heartbeatMs: number;
  tickMs: number;
  /** The leader killed, its term; the follower paused from before the burst to just after the kill, for how long. */
  killed: number;
  term: number;
  paused: number;
  pauseMs: number;
  /** How far into its heartbeat interval the leader was killed (as its state line placed the heartbeats). */
  killOffsetMs: number;
  /** The survivors' last log indexes at the kill, from their latest state lines (the paused one's from before its pause). */
  lastIndexes: number[];
  /** Elections since the previous trial's failover with no leader killed: the timing did not hold. */
  spuriousElections: number;
  leader: number | null;
  newTerm: number | null;
  /** Kill to the new leader known to every survivor. */
  leaderMs: number | null;
  /** Kill to the first write acknowledged in the new term. */
  firstWriteMs: number | null;
  /** Kill to the first survivor standing for election (pre-vote or vote). */
  timerMs: number | null;
  /** Terms it took: more than one is a split vote (pre-vote rounds start no term). */
  elections: number | null;
  candidacies: number;
  preVotes: number;
  /** Pre-vote rounds that did not win (PreVote is on by default): rounds that start no term. */
  lostPreVotes: number;
  splitVote: boolean | null;
  /** A split vote's cost: from the first candidacy to the winning one. */
  splitCostMs: number | null;
  failed: string | null;
}

export async function runTrial(cluster: FailoverCluster, s: TrialSettings, trial: number, previousTerm: number): Promise<TrialRecord> {
  const rng = new Random(s.seed, s.timing.range, trial);
  const before = await cluster.waitForLeader(15_000);
  const paused = rng.pick(cluster.ids.filter((id) => id !== before.id));
  const offset = rng.next();
  const every = pollMs(s.timing.min);
  const writers = new Writers(cluster, `t${trial}`, s.writers, before.id, every);
  const watch = await LeaderWatch.open(cluster);
  // The paused follower is let go just after the kill, not before: caught up, its log would no
  // longer differ (it takes a few milliseconds once it runs), and it would vote for anyone.
  const pausedAt = wallNow();
  cluster.pause(paused);
  try {
    await writers.burst(s.burst);
    const quietFrom = wallNow();
    // The leader may have changed during the burst (a spurious election): the one to kill is the
    // leader now, from a state line written since the burst, which dates its heartbeats.
    const now = await waitFor('a state line of the leader after the burst', 5000, () => {
      const a = cluster.agreedLeader();
      return a !== null && a.leader.ts >= Math.floor(quietFrom) && a.leader.state.timer?.kind === 'heartbeat' ? a : undefined;
    });
    const timer = now.leader.state.timer as Extract<typeof now.leader.state.timer, { kind: 'heartbeat' }>;
    const survivors = cluster.ids.filter((id) => id !== now.id);
    // A couple of milliseconds ahead, so the timer that sends the kill is not already late.
    const target = killTime(timer, offset, wallNow() + 2);
    await sleep(target - wallNow());
    const lastIndexes = survivors.map((id) => cluster.reported(id)?.state.lastIndex ?? 0);
    const kill = cluster.kill(now.id);
    cluster.resume(paused);
    const resumedAt = wallNow();
    const [ack, known] = await Promise.all([
      writers.firstAckAbove(now.term, s.timeoutMs),
      watch.until(survivors, now.term, kill.at, s.timeoutMs, every),
    ]);
    await kill.gone;
    const record: TrialRecord = {
      bench: 'failover',
      range: s.timing.range,
      trial,
      seed: s.seed,
      heartbeatMs: s.timing.heartbeatMs,
      tickMs: s.timing.tickMs,
      killed: now.id,
      term: now.term,
      paused,
      pauseMs: round(resumedAt - pausedAt, 1),
      killOffsetMs: round((((kill.at - (timer.deadline - timer.intervalMs)) % timer.intervalMs) + timer.intervalMs) % timer.intervalMs, 1),
      lastIndexes,
      spuriousElections: now.term - previousTerm,
      leader: known?.leader ?? null,
      newTerm: known?.term ?? null,
      leaderMs: known === null ? null : round(Math.max(...known.knownAt.values()) - kill.at, 1),
      firstWriteMs: ack === null ? null : round(performance.timeOrigin + ack.ackAt - kill.at, 1),
      timerMs: null,
      elections: null,
      candidacies: 0,
      preVotes: 0,
      lostPreVotes: 0,
      splitVote: null,
      splitCostMs: null,
      failed: null,
    };
    if (known === null) return { ...record, failed: `no leader known to every survivor within ${s.timeoutMs} ms` };
    // Role changes are written at once, before the state line of their term: once every survivor's
    // line shows the new term, its events up to it have been read.
    await waitFor('the role changes of the election', 2000, () =>
      survivors.every((id) => (cluster.reported(id)?.state.term ?? 0) >= known.term) ? true : undefined,
    ).catch(() => undefined);
    const elections = electionsAfter(cluster.roleChangesSince(Math.floor(kill.at)), kill.at, now.term, known.leader, known.term);
    return { ...record, ...elections, failed: ack === null ? `no write acknowledged within ${s.timeoutMs} ms` : null };
  } finally {
    cluster.resume(paused);
    watch.close();
    writers.close();
  }
}
