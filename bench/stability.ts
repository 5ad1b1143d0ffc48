// `npm run bench:stability`: how steady a cluster stays on a machine whose CPU is short, at each
// autogroup nice level the nodes could run at (each node is a session of its own, so an autogroup of
// its own, at nice 0 unless set). A 5-node cluster
// (`up 5 --detach`, its own XDG dirs) runs a steady write load while K busy-loop processes, each in a
// session of its own at nice 0, compete for the CPU. For each level, the nodes' sessions are set to
// that nice, and for M minutes the bench counts, from the events the control API streams:
//
//   elections      elections won; no fault is injected, so every one after the first leader is spurious
//   terms          how far the term moved
//   silences       followers whose election timer fired while they had a leader: it was silent for a
//                  whole election timeout (the longest such timeout is reported)
//   step-downs     leaders that heard from no majority for an election timeout (CheckQuorum)
//   writes         the load's latency p50 / p99 / max, and the writes that failed
//
// Nothing in between is faulted, so any of these is the scheduler's doing. The load average at the
// start says how busy the machine was besides. The hogs are killed and the cluster taken down
// (`down --purge`) at the end, on an error and on Ctrl-C.
//
// Every flag and its default: `npm run bench:stability -- --help`.
//
// One JSON line per level on stdout, progress on stderr, then a table (not with --json).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { wholeNumber } from '../src/cli/arguments.js';
import { RaftClient } from '../src/client/index.js';
import { ControlClient, clusterSecret, type ClusterEvent } from '../src/cluster-model/index.js';
import { wholeNumbers } from './arguments.js';
import { cleanUpNow, sleep, trackChild } from './children.js';
import { CliCluster } from './cli-cluster.js';
import { cpuSeconds, percentile, round } from './stats.js';

const NAME = `bench-stability-${process.pid}`;
const NODES = 5;
const VALUE = 'v'.repeat(100);
/** After the nice changes, before counting: lets a level's first scheduling settle. */
const SETTLE_MS = 5000;

interface Options {
  minutes: number;
  levels: number[];
  hogs: number;
  rate: number;
  json?: boolean;
}

interface LevelResult {
  nice: number;
  seconds: number;
  elections: number;
  leaders: number[];
  termsMoved: number;
  silences: number;
  longestSilencedTimeoutMs: number | null;
  stepDowns: number;
  writes: { acked: number; failed: number; p50Ms: number; p99Ms: number; maxMs: number };
  nodesCpuCores: number;
  loadavg: number[];
}

const progress = (text: string): void => {
  process.stderr.write(`bench:stability: ${text}\n`);
};

function positiveMinutes(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`--minutes must be a positive number, got "${text}" (e.g. 3, or 0.5)`);
  return n;
}

/** The autogroup nice of `pid`'s session, from /proc/<pid>/autogroup ("/autogroup-42 nice 5"). */
function sessionNice(pid: number): number | null {
  try {
    const m = / nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/**
 * Sets the autogroup nice of `pid`'s session. 'again': the kernel rate-limits these changes, try
 * later; 'no': no autogroup scheduler here, no right, or no process.
 */
function setSessionNice(pid: number, nice: number): 'done' | 'again' | 'no' {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return 'done';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EAGAIN' ? 'again' : 'no';
  }
}

/** Sets every node's session to `nice`, waiting out the kernel's rate limit; throws if a node cannot be set. */
async function setNice(pids: readonly number[], nice: number): Promise<void> {
  for (const pid of pids) {
    for (let attempt = 0; ; attempt++) {
      const r = setSessionNice(pid, nice);
      if (r === 'done') break;
      if (r === 'no' || attempt === 100) throw new Error(`cannot set the autogroup nice of node pid ${pid} to ${nice} (${r})`);
      await sleep(200);
    }
    if (sessionNice(pid) !== nice) throw new Error(`node pid ${pid} is at nice ${String(sessionNice(pid))}, not ${nice}`);
  }
}

/** `hogs` busy loops, each `setsid` into a session (so an autogroup) of its own, at nice 0. */
function startHogs(hogs: number): void {
  for (let i = 0; i < hogs; i++) {
    const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { detached: true, stdio: 'ignore' });
    trackChild(child);
  }
}

/** Writes at `rate` a second, one at a time per slot, until `until`; each latency in ms. */
async function load(client: RaftClient, rate: number, until: number): Promise<{ latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  if (rate === 0) return { latencies, failed };
  const start = performance.now();
  let next = 0;
  const writer = async (): Promise<void> => {
    const session = client.session();
    for (;;) {
      const k = next++;
      const slot = start + (k * 1000) / rate;
      if (slot >= until) return;
      const wait = slot - performance.now();
      if (wait > 0) await sleep(wait);
      const t0 = performance.now();
      try {
        await session.put(`k${k % 1000}`, VALUE);
        latencies.push(performance.now() - t0);
      } catch {
        failed++;
      }
    }
  };
  // Enough writers that one slow write does not hold the schedule back.
  await Promise.all(Array.from({ length: 8 }, writer));
  return { latencies, failed };
}

function tally(
  nice: number,
  events: readonly ClusterEvent[],
  seconds: number,
  tickMs: number,
): Omit<LevelResult, 'writes' | 'nodesCpuCores' | 'loadavg'> {
  const raft = events.filter((e) => e.kind === 'raft');
  const won = raft.filter((e) => e.type === 'election-won');
  const silences = raft.filter((e) => e.type === 'election-timeout' && e.data?.leader !== 0);
  const terms = raft.flatMap((e) => (typeof e.data?.term === 'number' ? [e.data.term] : []));
  const ticks = silences.flatMap((e) => (typeof e.data?.ticks === 'number' ? [e.data.ticks] : []));
  return {
    nice,
    seconds: round(seconds, 1),
    elections: won.length,
    leaders: won.flatMap((e) => (e.node === null ? [] : [e.node])),
    termsMoved: terms.length === 0 ? 0 : Math.max(...terms) - Math.min(...terms),
    silences: silences.length,
    longestSilencedTimeoutMs: ticks.length === 0 ? null : Math.max(...ticks) * tickMs,
    stepDowns: raft.filter((e) => e.type === 'role-change' && e.data?.cause === 'check-quorum').length,
  };
}

async function main(o: Options): Promise<void> {
  const cli = new CliCluster(NAME);
  const stop = (signal: NodeJS.Signals): void => {
    progress(`${signal}: killing the hogs, taking the cluster down`);
    cleanUpNow();
    void cli.teardown().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await measure(o, cli);
  } finally {
    cleanUpNow();
    await cli.teardown();
  }
}

async function measure(o: Options, cli: CliCluster): Promise<void> {
  const loadAtStart = loadavg().map((x) => round(x, 2));
  progress(
    `load average at the start ${loadAtStart.join(' ')} on ${cpus().length} cores; starting ${NODES} nodes (up ${NODES} --detach --name ${NAME})`,
  );
  const status = await cli.up(NODES);
  const pids = status.nodes.flatMap((n) => (n.process.pid === null ? [] : [n.process.pid]));
  if (pids.length !== NODES) throw new Error(`expected ${NODES} running nodes, got pids ${pids.join(', ')}`);
  const control = await ControlClient.connect({ name: NAME, stateDir: cli.stateDir });
  const events: ClusterEvent[] = [];
  control.subscribe((batch) => events.push(...batch));
  const client = new RaftClient({
    clusterId: status.clusterId,
    secret: clusterSecret(status.folder),
    nodes: status.nodes.map((n) => ({ id: n.id, address: n.address })),
  });
  progress(
    `${o.hogs} busy loops at nice 0 in sessions of their own; ${o.rate} writes/s; ${o.minutes} min per level: ${o.levels.join(', ')}`,
  );
  startHogs(o.hogs);
  const results: LevelResult[] = [];
  try {
    for (const nice of o.levels) {
      await setNice(pids, nice);
      await sleep(SETTLE_MS);
      const from = Date.now();
      const cpu0 = pids.reduce((s, pid) => s + (cpuSeconds(pid) ?? 0), 0);
      const until = performance.now() + o.minutes * 60_000;
      const { latencies, failed } = await load(client, o.rate, until);
      const wait = until - performance.now();
      if (wait > 0) await sleep(wait);
      const to = Date.now();
      const seconds = (to - from) / 1000;
      const cpu = pids.reduce((s, pid) => s + (cpuSeconds(pid) ?? 0), 0) - cpu0;
      const sorted = latencies.sort((a, b) => a - b);
      const result: LevelResult = {
        ...tally(
          nice,
          events.filter((e) => e.ts >= from && e.ts < to),
          seconds,
          control.model.timing.tickMs,
        ),
        writes: {
          acked: sorted.length,
          failed,
          p50Ms: round(percentile(sorted, 50), 1),
          p99Ms: round(percentile(sorted, 99), 1),
          maxMs: round(sorted.at(-1) ?? NaN, 1),
        },
        nodesCpuCores: round(cpu / seconds, 2),
        loadavg: loadavg().map((x) => round(x, 2)),
      };
      results.push(result);
      process.stdout.write(`${JSON.stringify({ hogs: o.hogs, rate: o.rate, loadavgAtStart: loadAtStart, ...result })}\n`);
      progress(`nice ${nice}: ${result.elections} elections, ${result.silences} silences, write p99 ${result.writes.p99Ms} ms`);
    }
  } finally {
    client.close();
    await control.close();
  }
  if (o.json) return;
  const header = [
    'nice',
    'elections',
    'terms',
    'silences (longest timeout)',
    'step-downs',
    'writes ok/failed',
    'p50 / p99 / max ms',
    'nodes CPU',
    'load avg',
  ];
  const rows = results.map((r) => [
    String(r.nice),
    String(r.elections),
    String(r.termsMoved),
    `${r.silences}${r.longestSilencedTimeoutMs === null ? '' : ` (${r.longestSilencedTimeoutMs} ms)`}`,
    String(r.stepDowns),
    `${r.writes.acked}/${r.writes.failed}`,
    `${r.writes.p50Ms} / ${r.writes.p99Ms} / ${r.writes.maxMs}`,
    `${r.nodesCpuCores} cores`,
    r.loadavg.join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`;
  process.stdout.write(
    `\n${o.hogs} busy loops at nice 0, ${o.rate} writes/s, ${o.minutes} min per level; load average at the start ${loadAtStart.join(' ')}\n`,
  );
  process.stdout.write(line(header));
  for (const r of rows) process.stdout.write(line(r));
}

const program = new Command('bench:stability')
  .description('how steady a 5-node cluster stays under CPU competition, at each autogroup nice level of its nodes')
  .option('--minutes <m>', 'how long each level is measured', positiveMinutes, 3)
  .addOption(
    new Option('--levels <list>', "the nodes' autogroup nice levels to measure, in order")
      .argParser(wholeNumbers('--levels', '0,5,10', 0))
      .default([0, 5, 10], '0,5,10'),
  )
  .option('--hogs <n>', 'busy-loop processes at nice 0 competing for the CPU', wholeNumber('--hogs', '2', 0), cpus().length)
  .option('--rate <n>', 'writes a second during each level (0: no load)', wholeNumber('--rate', '20', 0), 20)
  .option('--json', 'the JSON lines only, no table')
  .action(main);

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`bench:stability: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
