// `npm run bench:failover`: Figure 16 of the Raft paper (Ongaro & Ousterhout 2014, "the time to
// detect and replace a crashed leader") on real raft-console nodes: 5 node processes on 127.0.0.1
// for each election timeout range of the figure, and for each, trials of: a burst of writes with
// one follower paused (SIGSTOP, let go just after the kill) so that the logs differ, then the
// leader SIGKILLed at a uniformly random point of its heartbeat interval, and the time until every
// survivor knows the new leader and until the first write is acknowledged, with the elections it
// took. Between trials the killed node is restarted and caught up, and every node reconnected
// (bench/failover/trial.ts).
//
// One JSON line per trial with --json; otherwise progress on stderr, then per range a table and the
// figure's cumulative distributions, drawn in text. The seed (printed) fixes the paused followers
// and the kill offsets: `--seed S` repeats them. Every flag: `npm run bench:failover -- --help`.
import { Command, Option } from 'commander';
import { randomInt } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { commaList } from './arguments.js';
import { cleanUpNow } from './children.js';
import { renderCdf } from './failover/cdf-plot.js';
import { FailoverCluster } from './failover/cluster.js';
import { summarize, summaryTable, type RangeSummary } from './failover/summary.js';
import { inTicks, PAPER_RANGES, rangeTiming, type RangeTiming } from './failover/timing.js';
import { runTrial, type TrialRecord, type TrialSettings } from './failover/trial.js';
import { round } from './stats.js';
import { duration, milliseconds, wholeNumber } from '../src/cli/arguments.js';

interface Options {
  trials: number;
  ranges: RangeTiming[];
  seed: number;
  writers: number;
  burst: number;
  timeout: number;
  /** commander's --no-pre-vote and --no-check-quorum. */
  preVote: boolean;
  checkQuorum: boolean;
  dir?: string;
  json?: boolean;
}

const NODES = 5;
/** Trials of a range that may break before the range is given up. */
const MAX_ERRORS = 3;
const progress = (line: string): void => void process.stderr.write(`bench:failover: ${line}\n`);
const loadAverage = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** How one range's cluster ended: its trials, and why it stopped early if it did. */
async function runRange(o: Options, timing: RangeTiming): Promise<RangeSummary> {
  const nodeFlags = [...(o.preVote ? [] : ['--no-pre-vote']), ...(o.checkQuorum ? [] : ['--no-check-quorum'])];
  progress(
    `${timing.range} ms: heartbeat ${timing.heartbeatMs} ms, tick ${timing.tickMs} ms (the core runs ${inTicks(timing)}); ` +
      `${NODES} nodes, ${o.trials} trials, load average ${loadAverage()}`,
  );
  const settings: TrialSettings = { timing, seed: o.seed, writers: o.writers, burst: o.burst, timeoutMs: o.timeout };
  const records: TrialRecord[] = [];
  const errors: string[] = [];
  let aborted: string | null = null;
  let cluster: FailoverCluster;
  try {
    cluster = await FailoverCluster.start({ size: NODES, timing, nodeFlags, dir: o.dir });
  } catch (err) {
    aborted = `the cluster did not start: ${message(err)}`;
    progress(`${timing.range} ms: ${aborted}`);
    return summarize(timing.range, records, errors, aborted);
  }
  try {
    let term = (await cluster.waitForLeader(15_000)).term;
    for (let trial = 1; trial <= o.trials && aborted === null; trial++) {
      try {
        const record = await runTrial(cluster, settings, trial, term);
        records.push(record);
        if (o.json) console.log(JSON.stringify({ ...record, loadAverage1m: round(loadavg()[0]!) }));
        progress(describe(record));
      } catch (err) {
        // A trial that broke before its measurement (no leader to kill, a burst not written):
        // said, and the next one tried, unless the cluster keeps failing.
        errors.push(`trial ${trial}: ${message(err)}`);
        progress(`${timing.range} ms trial ${trial} broke: ${message(err)}`);
        if (errors.length >= MAX_ERRORS) aborted = `${MAX_ERRORS} trials broke`;
      }
      // The killed node back, caught up with the leader, and every node connected to every other.
      try {
        await cluster.restartStopped();
        await cluster.waitForMesh(15_000);
        const leader = await cluster.waitForLeader(15_000);
        await cluster.waitForCommit(leader.leader.state.commit, 30_000);
        term = cluster.agreedLeader()?.term ?? leader.term;
      } catch (err) {
        aborted = `recovery after trial ${trial}: ${message(err)}`;
      }
    }
  } catch (err) {
    aborted = `no first leader: ${message(err)}`;
  } finally {
    await cluster.stop();
  }
  if (aborted !== null) progress(`${timing.range} ms stopped: ${aborted}`);
  if (o.dir !== undefined) progress(`${timing.range} ms: data kept in ${cluster.dir}`);
  return summarize(timing.range, records, errors, aborted);
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function describe(r: TrialRecord): string {
  const head = `${r.range} ms trial ${r.trial}: n${r.killed} (term ${r.term}) killed ${r.killOffsetMs} ms into its heartbeat interval`;
  if (r.leaderMs === null) return `${head}: ${r.failed}`;
  const split = r.splitVote === true ? `, split vote (${r.elections} elections, ${r.splitCostMs ?? '?'} ms more)` : '';
  const write = r.firstWriteMs === null ? 'no write' : `first write at ${r.firstWriteMs} ms`;
  return `${head}: n${r.leader} leads term ${r.newTerm}, known to all at ${r.leaderMs} ms, ${write}${split}`;
}

async function main(o: Options): Promise<void> {
  progress(
    `seed ${o.seed} (--seed ${o.seed} repeats the paused followers and kill offsets); ${cpus().length} cores, load average ${loadAverage()}; PreVote ${o.preVote ? 'on' : 'off'}, CheckQuorum ${o.checkQuorum ? 'on' : 'off'}`,
  );
  const summaries: RangeSummary[] = [];
  for (const timing of o.ranges) summaries.push(await runRange(o, timing));
  if (!o.json) {
    console.log(`Figure 16 on ${NODES} raft-console nodes, seed ${o.seed}, load average at the end ${loadAverage()}`);
    console.log(summaryTable(summaries));
    console.log('\nTime from the kill until every survivor knows the new leader: trials done by then');
    console.log(
      renderCdf(
        summaries.map((s) => ({ label: `${s.range} ms`, values: s.leaderMs, total: s.trials })),
        { width: 80, height: 16, color: process.stdout.isTTY },
      ),
    );
  }
  if (summaries.some((s) => s.aborted !== null)) process.exitCode = 1;
}

const program = new Command('bench:failover')
  .description('Figure 16 of the Raft paper on real nodes: the time to detect and replace a crashed leader, per election timeout range')
  .option('--trials <n>', 'leader kills per range', wholeNumber('--trials', '100', 1), 100)
  .addOption(
    new Option('--ranges <list>', "election timeout ranges, min-max ms, separated by commas; the default is the figure's")
      .argParser(commaList)
      .default([...PAPER_RANGES], PAPER_RANGES.join(',')),
  )
  .option(
    '--heartbeat <ms>',
    "every range's heartbeat (default: the paper's, half the minimum election timeout)",
    milliseconds('--heartbeat'),
  )
  .option('--seed <n>', 'seed of the paused followers and kill offsets (default: a random one, printed)', wholeNumber('--seed', '42', 0))
  .option('--writers <n>', 'concurrent writers, for the burst and through the failover', wholeNumber('--writers', '2', 1), 2)
  .option('--burst <n>', 'writes before each kill, while one follower is paused', wholeNumber('--burst', '40', 1), 40)
  .option(
    '--timeout <time>',
    'a trial with no new leader or no write by then is reported failed',
    duration('--timeout', '10s', 100),
    10_000,
  )
  .option('--no-pre-vote', "run the nodes without PreVote, as the paper's Raft ran")
  .option('--no-check-quorum', "run the nodes without CheckQuorum and its leader lease, as the paper's Raft ran")
  .option('--dir <dir>', "keep each range's cluster (data, stderr logs) in a folder here (default: a temp folder, removed)")
  .option('--json', 'one JSON line per trial on stdout, no table')
  .action(async (flags: Omit<Options, 'ranges' | 'seed'> & { ranges: string[]; heartbeat?: number; seed?: number }) => {
    const ranges = flags.ranges.map((r) => {
      try {
        return rangeTiming(r, flags.heartbeat);
      } catch (err) {
        throw new Error(`--ranges: ${(err as Error).message}`, { cause: err });
      }
    });
    await main({ ...flags, ranges, seed: flags.seed ?? randomInt(2 ** 31) });
  });

program.parseAsync().then(
  () => process.exit(),
  (err: unknown) => {
    process.stderr.write(`bench:failover failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    cleanUpNow();
    process.exit(1);
  },
);
