// `npm run bench:cluster`: real raft-console clusters of 3 and 5 nodes (separate processes, TCP on
// 127.0.0.1, fsync on, snapshots at the nodes' default threshold), measured from outside like any
// client would see them; one size after the other (`--nodes`):
//
//   floor      before the rows: a loopback TCP round trip and the fdatasync of a small append in the
//              nodes' folder, and the latency floor of a 1-client write they imply (floor.ts).
//   writes     closed-loop puts of 100-byte values over 10,000 keys by 1, 16 and 64 concurrent
//              clients (one clientId each, one write in flight each), 10 s each after 1 s of
//              warm-up: acknowledged writes/s and p50/p99 latency (first send to ack, retries in),
//              and what the nodes' snapshots in the row cost (snapshot-cost.ts).
//   reads      the same with linearizable gets (ours: the get request, ReadIndex on the leader;
//              etcd: POST /v3/kv/range, linearizable by default) by 64 clients.
//   failover   writers hammer puts through every node; the leader is SIGKILLed at T; the window is
//              T -> the first write acknowledged by another node in a later term. The killed node
//              is restarted, caught up and reconnected to every peer before the next kill. Median
//              and max over 20 kills.
//
// `--vs etcd` also starts an etcd cluster of the same size, drives it with the same workload
// through its v3 JSON gateway in the same run (rows interleaved with ours) and prints our figures
// over etcd's, with the aims (cluster/targets.ts). The header names the machine and its
// 1-minute load average at the start and the end.
//
// Every flag and its default: `npm run bench:cluster -- --help`.
//
// One JSON line per measurement on stdout, progress on stderr, then a table (not with --json).
import { Command, Option } from 'commander';
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { sleep, waitFor } from './children.js';
import { RaftCluster } from './cluster/raft-cluster.js';
import { EtcdCluster, EtcdLoadClient, findEtcd } from './cluster/etcd.js';
import {
  addCounters,
  RaftLoadClient,
  zeroCounters,
  type Ack,
  type ClientCounters,
  type LoadClient,
  type RetryPolicy,
} from './cluster/load-client.js';
import { FsyncCounter, straceAvailable, type FsyncCount } from './cluster/fsync-count.js';
import { floorModel, measureFsync, measureLoopbackRtt } from './cluster/floor.js';
import { renderReport, type FloorMeasurement, type SizeSection } from './cluster/report.js';
import { snapshotCost, type SnapshotCost, type TimedAck } from './cluster/snapshot-cost.js';
import type { SnapshotTaken } from './cluster/snapshot-log.js';
import type { LoadKind } from './cluster/targets.js';
import { duration, milliseconds, msRange, wholeNumber } from '../src/cli/arguments.js';
import { wholeNumbers } from './arguments.js';
import { ROOT } from './repo.js';
import { cpuSeconds, median, ownCpuSeconds, percentile, round } from './stats.js';

/** The command line, as commander hands it over (see the program at the end). */
interface Options {
  /** Also measure etcd, in the same run. */
  vs?: 'etcd';
  seconds: number;
  warmup: number;
  clients: number[];
  /** Counts of concurrent clients for the linearizable read rows. */
  readClients: number[];
  kills: number;
  /** Cluster sizes, measured one after the other. */
  nodes: number[];
  /** As `raft-console node` takes it: "150-300". */
  electionTimeout: string;
  /** Milliseconds. */
  heartbeat: number;
  keys: number;
  valueBytes: number;
  dir?: string;
  profile?: string;
  json?: boolean;
  /** Passed to every node as --compact-every. */
  compactEvery: number;
  /** Count each node's fsync/fdatasync calls with strace during the write runs. */
  countFsyncs?: boolean;
  /** Extra `raft-console node` flags, for what-if experiments (e.g. "--tick 1"); recorded in the output. */
  nodeArgs: string[];
}

/** The node's own default: the bench measures nodes as they run, snapshots included. */
const COMPACT_EVERY_DEFAULT = 10_000;

const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
const emit = (record: Record<string, unknown>): void => console.log(JSON.stringify(record));

/** Keys and values for one client: a seeded generator, so both systems get the same sequence. */
class Workload {
  private state: number;
  private seq = 0;
  constructor(
    seed: number,
    private readonly keys: number,
    private readonly valueBytes: number,
  ) {
    this.state = (seed * 2654435761) >>> 0 || 1;
  }
  private next(): number {
    // xorshift32
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  key(): string {
    return `k${String(this.next() % this.keys).padStart(6, '0')}`;
  }
  value(): string {
    const head = `${++this.seq}-${this.next().toString(36)}-`;
    return (head + 'v'.repeat(this.valueBytes)).slice(0, this.valueBytes);
  }
}

/** What a system under test offers the measurements. */
interface System {
  name: string;
  version: string;
  nodes: number;
  /** A client starting at node `start` (0-based), with this retry policy. */
  client(i: number, start: number, policy: RetryPolicy): LoadClient;
  /** Where clients of the throughput runs start: raft-console clients are spread and redirected; etcd clients go to the leader. */
  throughputStart(i: number): Promise<number>;
  /** The leader every running node agrees on: 0-based index and term. */
  leader(): Promise<{ index: number; term: number }>;
  /** Processes to account CPU to, by role. */
  pids(): Promise<Array<{ role: 'leader' | 'follower'; pid: number | undefined }>>;
  address(index: number): string;
  kill(index: number): Promise<void>;
  /** Restarts a killed node and waits until it has caught up with the leader's commit index. */
  restartAndCatchUp(index: number): Promise<void>;
  /**
   * Waits until every node is connected to every other (a restarted node's peers redial it with
   * backoff): each kill starts from a healthy cluster.
   */
  waitHealthy(): Promise<void>;
  /** Set when a node died on its own (not killed by the bench): the measurement is void. */
  failure?(): string | null;
  /** From the nodes' own events, when they can tell: the snapshots that ended at or after `sinceWall` (ms since the epoch). */
  snapshotsSince?(sinceWall: number): SnapshotTaken[];
  /** The node (as snapshots name it) at 0-based index `i`. */
  nodeId?(i: number): number;
  /** From the nodes' own events, when they can tell: how an election after a kill went. */
  electionTimeline?(killedAtWallMs: number): ElectionTimeline | null;
  stop(): Promise<void>;
}

interface ElectionTimeline {
  /** Kill -> the first survivor's election timer fired (it became pre-candidate). */
  timerMs: number | null;
  /** Kill -> a survivor became leader. */
  leaderMs: number | null;
  /** How many times survivors became candidate (more than one: a split vote). */
  candidacies: number;
}

/** Checks every 250 ms whether a node died on its own; if so calls `abort` (once). */
function watchFailure(sys: System, abort: () => void): { failure(): Error | null; stop(): void } {
  let failure: Error | null = null;
  const timer = setInterval(() => {
    const f = sys.failure?.() ?? null;
    if (f === null || failure !== null) return;
    failure = new Error(`${sys.name}: ${f}`);
    abort();
  }, 250);
  return { failure: () => failure, stop: () => clearInterval(timer) };
}

const THROUGHPUT_POLICY: RetryPolicy = { retryDelayMs: 5, attemptTimeoutMs: 10_000, giveUpMs: 60_000 };
/**
 * Failover writers: a short attempt timeout so that a request stuck on a dead path (an etcd
 * follower forwards to the old leader and waits) is abandoned and retried elsewhere, for both
 * systems alike.
 */
const FAILOVER_POLICY: RetryPolicy = { retryDelayMs: 5, attemptTimeoutMs: 50, giveUpMs: 30_000 };
const FAILOVER_WRITERS = 8;

/**
 * One row. In JSON: `writes`/`writesPerSec` for a write row (bench "cluster-writes"), `reads`/
 * `readsPerSec` for a read row ("cluster-reads").
 */
interface LoadResult {
  bench: 'cluster-writes' | 'cluster-reads';
  kind: LoadKind;
  system: string;
  clients: number;
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  snapshots?: SnapshotCost;
  [k: string]: unknown;
}

/** The JSON line of a row: its counts named for what they count. */
function loadRecord(r: LoadResult): Record<string, unknown> {
  const { ops, opsPerSec, kind, ...rest } = r;
  return { ...rest, [kind]: ops, [`${kind}PerSec`]: opsPerSec };
}

/** performance.now() of this process as wall-clock milliseconds, the nodes' event time. */
const wall = (t: number): number => performance.timeOrigin + t;

async function measureLoad(sys: System, o: Options, kind: LoadKind, clients: number, clientBase: number): Promise<LoadResult> {
  const putters: LoadClient[] = [];
  for (let i = 0; i < clients; i++) putters.push(sys.client(clientBase + i, await sys.throughputStart(i), THROUGHPUT_POLICY));
  const workloads = putters.map((_, i) => new Workload(i + 1, o.keys, o.valueBytes));
  const latencies: number[] = [];
  const acks: TimedAck[] = [];
  const pids = await sys.pids();
  const leaderIndex = pids.findIndex((p) => p.role === 'leader');
  // Traced from before the warm-up to the end of the window; divided by the acks in that time.
  const tracer =
    o.countFsyncs && kind === 'writes' ? await FsyncCounter.attach(pids.flatMap((p) => (p.pid === undefined ? [] : [p.pid]))) : null;
  const tracedFrom = performance.now();
  let tracedAcks = 0;
  // Set once the tracer is told to detach: at the end of the window, or on the way out when it never
  // comes. A field, not a `let`: TypeScript does not see the closures assign a `let`, and would take it
  // for null after the `finally`.
  const tracing: { detaching: Promise<FsyncCount[]> | null } = { detaching: null };
  const t0 = performance.now();
  const windowStart = t0 + o.warmup * 1000;
  const windowEnd = windowStart + o.seconds * 1000;
  let cpuAtStart: Array<number | null> | null = null;
  let loadgenAtStart = 0;
  let cpuAtEnd: Array<number | null> | null = null;
  let loadgenAtEnd = 0;
  const takeStart = (): void => {
    cpuAtStart = pids.map((p) => cpuSeconds(p.pid));
    loadgenAtStart = ownCpuSeconds();
  };
  const takeEnd = (): void => {
    if (cpuAtEnd !== null) return;
    cpuAtEnd = pids.map((p) => cpuSeconds(p.pid));
    loadgenAtEnd = ownCpuSeconds();
    if (tracer !== null) tracing.detaching = tracer.detach();
  };
  const watchdog = watchFailure(sys, () => {
    for (const p of putters) p.close();
  });
  const startTimer = setTimeout(takeStart, Math.max(0, windowStart - performance.now()));
  const endTimer = setTimeout(takeEnd, Math.max(0, windowEnd - performance.now()));
  try {
    await Promise.all(
      putters.map(async (p, i) => {
        const w = workloads[i]!;
        while (performance.now() < windowEnd) {
          const ack = await (kind === 'writes' ? p.put(w.key(), w.value()) : p.get(w.key()));
          if (ack.ackAt >= windowStart && ack.ackAt <= windowEnd) {
            latencies.push(ack.ackAt - ack.sentAt);
            acks.push({ sentWall: wall(ack.sentAt), ackWall: wall(ack.ackAt) });
          }
          if (tracing.detaching === null && ack.ackAt >= tracedFrom) tracedAcks++;
        }
      }),
    );
    // The loops end with the first ack after the window: at most one write's latency late.
    takeEnd();
  } catch (err) {
    throw watchdog.failure() ?? err;
  } finally {
    watchdog.stop();
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    for (const p of putters) p.close();
    if (tracer !== null && tracing.detaching === null) tracing.detaching = tracer.detach();
  }
  let fsyncsPerWrite: Record<string, unknown> | undefined;
  if (tracing.detaching !== null) {
    const counts = await tracing.detaching;
    const per = (pid: number | undefined): number | null => {
      const c = counts.find((x) => x.pid === pid);
      return c === undefined || tracedAcks === 0 ? null : round(c.calls / tracedAcks, 3);
    };
    fsyncsPerWrite = {
      leader: per(pids.find((p) => p.role === 'leader')?.pid),
      followers: pids.filter((p) => p.role === 'follower').map((p) => per(p.pid)),
      tracedWrites: tracedAcks,
      note: 'strace -c -f --seccomp-bpf -e trace=fsync,fdatasync, from before the warm-up to the end of the window',
    };
  }
  const counters = zeroCounters();
  for (const p of putters) addCounters(counters, p.counters);
  latencies.sort((a, b) => a - b);
  const [atStart, atEnd] = [cpuAtStart as Array<number | null> | null, cpuAtEnd as Array<number | null> | null];
  const cores = (i: number): number | null => {
    const a = atStart?.[i];
    const b = atEnd?.[i];
    return a == null || b == null ? null : round((b - a) / o.seconds);
  };
  // The snapshots that ended in the window or while a request of it was in flight.
  const snapshots =
    kind !== 'writes' || sys.snapshotsSince === undefined || sys.nodeId === undefined || leaderIndex < 0
      ? undefined
      : snapshotCost(
          sys.snapshotsSince(wall(windowStart)).filter((x) => x.startTs <= wall(windowEnd)),
          acks,
          sys.nodeId(leaderIndex),
        );
  return {
    bench: kind === 'writes' ? 'cluster-writes' : 'cluster-reads',
    kind,
    system: sys.name,
    version: sys.version,
    nodes: sys.nodes,
    fsync: true,
    clients,
    valueBytes: o.valueBytes,
    keys: o.keys,
    warmupSeconds: o.warmup,
    seconds: o.seconds,
    ops: latencies.length,
    opsPerSec: Math.round(latencies.length / o.seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? NaN),
    meanMs: round(latencies.reduce((a, b) => a + b, 0) / latencies.length),
    cpuCores: {
      leader: cores(pids.findIndex((p) => p.role === 'leader')),
      followers: pids.map((p, i) => (p.role === 'follower' ? cores(i) : null)).filter((x) => x !== null),
      loadgen: round((loadgenAtEnd - loadgenAtStart) / o.seconds),
    },
    counters,
    loadAverage1m: round(loadavg()[0]!),
    ...(snapshots === undefined ? {} : { snapshots }),
    ...(fsyncsPerWrite === undefined ? {} : { fsyncsPerWrite }),
  };
}

interface FailoverResult {
  bench: 'cluster-failover';
  system: string;
  kills: number;
  measured: number;
  medianMs: number;
  maxMs: number;
  [k: string]: unknown;
}

async function measureFailover(sys: System, o: Options, clientBase: number, timing: Record<string, unknown>): Promise<FailoverResult> {
  const writers = Array.from({ length: FAILOVER_WRITERS }, (_, i) => sys.client(clientBase + i, i, FAILOVER_POLICY));
  let active = true;
  let watch: { after: number; term: number; killed: string; resolve: (a: Ack) => void } | null = null;
  let lastAck: Ack | null = null;
  let writerError: Error | null = null;
  const loops = writers.map(async (w, i) => {
    const work = new Workload(1000 + i, o.keys, o.valueBytes);
    try {
      while (active) {
        const ack = await w.put(work.key(), work.value());
        lastAck = ack;
        if (watch !== null && ack.ackAt > watch.after && ack.term > watch.term && ack.address !== watch.killed) {
          const wt = watch;
          watch = null;
          wt.resolve(ack);
        }
      }
    } catch (err) {
      if (active) writerError = err instanceof Error ? err : new Error(String(err));
    }
  });
  const watchdog = watchFailure(sys, () => {
    writerError ??= new Error('stopped');
    for (const w of writers) w.close();
  });
  // A failed writer (or the watchdog) ends the measurement at the next look.
  const checkWriters = (): void => {
    if (writerError !== null) throw writerError;
  };
  const windows: number[] = [];
  const samples: Array<{ kill: number; windowMs: number | null; term: number; newTerm: number | null; timeline: ElectionTimeline | null }> =
    [];
  try {
    for (let k = 1; k <= o.kills; k++) {
      checkWriters();
      await sys.waitHealthy();
      const leader = await sys.leader();
      // Writes flowing through this leader, in its term, before it is killed.
      const since = performance.now();
      await waitFor(
        `writes acknowledged by ${sys.name} in term ${leader.term}`,
        10_000,
        () => {
          checkWriters();
          const a = lastAck;
          return a !== null && a.ackAt > since && a.term === leader.term ? true : undefined;
        },
        5,
      );
      await sleep(Math.random() * 200);
      const killed = sys.address(leader.index);
      let timer: NodeJS.Timeout | undefined;
      const t = performance.now();
      const wall = Date.now();
      const first = new Promise<Ack | null>((resolve) => {
        timer = setTimeout(() => {
          watch = null;
          resolve(null);
        }, 10_000);
        watch = { after: t, term: leader.term, killed, resolve };
      });
      const gone = sys.kill(leader.index); // sends SIGKILL now, resolves once the process is gone
      const ack = await first;
      clearTimeout(timer);
      await gone;
      const windowMs = ack === null ? null : round(ack.ackAt - t, 1);
      if (windowMs !== null) windows.push(windowMs);
      const timeline = sys.electionTimeline?.(wall) ?? null;
      samples.push({ kill: k, windowMs, term: leader.term, newTerm: ack?.term ?? null, timeline });
      const how =
        timeline === null
          ? ''
          : ` (election timer fired at ${timeline.timerMs ?? '?'} ms, leader at ${timeline.leaderMs ?? '?'} ms, ${timeline.candidacies} candidac${timeline.candidacies === 1 ? 'y' : 'ies'})`;
      progress(
        ack === null
          ? `${sys.name} kill ${k}/${o.kills}: leader ${killed} (term ${leader.term}) killed, no write acknowledged within 10 s`
          : `${sys.name} kill ${k}/${o.kills}: leader ${killed} (term ${leader.term}) killed, first write acknowledged by ${ack.address} in term ${ack.term} after ${windowMs} ms${how}`,
      );
      await sys.restartAndCatchUp(leader.index);
    }
  } catch (err) {
    throw watchdog.failure() ?? err;
  } finally {
    watchdog.stop();
    active = false;
    for (const w of writers) w.close();
    await Promise.all(loops);
  }
  const counters: ClientCounters = zeroCounters();
  for (const w of writers) addCounters(counters, w.counters);
  const sorted = [...windows].sort((a, b) => a - b);
  return {
    bench: 'cluster-failover',
    system: sys.name,
    version: '',
    nodes: sys.nodes,
    ...timing,
    writers: FAILOVER_WRITERS,
    kills: o.kills,
    measured: windows.length,
    medianMs: round(median(windows), 1),
    p90Ms: round(percentile(sorted, 90), 1),
    maxMs: round(sorted.at(-1) ?? NaN, 1),
    minMs: round(sorted[0] ?? NaN, 1),
    samplesMs: samples.map((s) => s.windowMs),
    /** Terms the cluster went through per kill: more than 1 means a split vote (pre-vote rounds do not count). */
    termsPerKill: samples.map((s) => (s.newTerm === null ? null : s.newTerm - s.term)),
    ...(samples.some((s) => s.timeline !== null)
      ? {
          timerFiredMs: samples.map((s) => s.timeline?.timerMs ?? null),
          leaderElectedMs: samples.map((s) => s.timeline?.leaderMs ?? null),
          candidacies: samples.map((s) => s.timeline?.candidacies ?? null),
        }
      : {}),
    counters,
    loadAverage1m: round(loadavg()[0]!),
  };
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

async function raftSystem(o: Options, size: number): Promise<System & { cluster: RaftCluster }> {
  const execArgv: string[] = [];
  if (o.profile !== undefined) {
    mkdirSync(o.profile, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${resolve(o.profile)}`);
  }
  const cluster = await RaftCluster.start({
    size,
    electionTimeout: o.electionTimeout,
    heartbeatMs: o.heartbeat,
    execArgv,
    nodeFlags: ['--compact-every', String(o.compactEvery), ...o.nodeArgs],
    parentDir: o.dir,
  });
  const addresses = cluster.addresses();
  const leaderOf = async (): Promise<{ index: number; term: number; commit: number }> => {
    const s = await cluster.waitForLeader(15_000);
    return { index: s.id - 1, term: s.term, commit: s.commit };
  };
  return {
    cluster,
    name: 'raft-console',
    version: packageVersion(),
    nodes: size,
    client: (i, start, policy) => new RaftLoadClient(cluster.clusterId, cluster.secret, addresses, `bench-${i}`, start, policy),
    throughputStart: async (i) => i % addresses.length,
    leader: leaderOf,
    pids: async () => {
      const l = await leaderOf();
      return addresses.map((_, i) => ({ role: i === l.index ? 'leader' : 'follower', pid: cluster.pid(i + 1) }));
    },
    address: (i) => addresses[i]!,
    kill: (i) => cluster.kill(i + 1),
    restartAndCatchUp: async (i) => {
      await cluster.restart(i + 1);
      const l = await leaderOf();
      await cluster.waitForCommit(i + 1, l.commit, 30_000);
    },
    waitHealthy: () => cluster.waitForMesh(15_000),
    failure: () => cluster.failure(),
    snapshotsSince: (since) => cluster.snapshotsSince(since),
    nodeId: (i) => i + 1,
    electionTimeline: (since) => {
      const changes = cluster.roleChangesSince(since);
      const timer = changes.find((c) => c.to === 'pre-candidate' || c.to === 'candidate');
      const leader = changes.find((c) => c.to === 'leader');
      return {
        timerMs: timer === undefined ? null : timer.ts - since,
        leaderMs: leader === undefined ? null : leader.ts - since,
        candidacies: changes.filter((c) => c.to === 'candidate' && (leader === undefined || c.ts <= leader.ts)).length,
      };
    },
    stop: () => cluster.stop(),
  };
}

async function etcdSystem(o: Options, size: number, binary: string, version: string): Promise<System> {
  const [min] = o.electionTimeout.split('-').map(Number) as [number, number];
  // etcd wants its election timeout to be at least 5 heartbeats; it then randomizes it over
  // [election, 2 * election) in heartbeat ticks: 150 -> 150-270 ms with 30-ms ticks.
  const heartbeatMs = Math.max(1, Math.floor(min / 5));
  const cluster = await EtcdCluster.start({ binary, size, heartbeatMs, electionMs: min, parentDir: o.dir });
  const urls = cluster.urls();
  const leaderOf = async (): Promise<{ index: number; term: number; applied: number }> => {
    const l = await cluster.waitForLeader(15_000);
    return { index: l.index, term: l.term, applied: l.status.raftIndex };
  };
  return {
    name: 'etcd',
    version,
    nodes: size,
    client: (_i, start, policy) => new EtcdLoadClient(urls, start, policy),
    throughputStart: async () => (await leaderOf()).index,
    leader: leaderOf,
    pids: async () => {
      const l = await leaderOf();
      return urls.map((_, i) => ({ role: i === l.index ? 'leader' : 'follower', pid: cluster.pid(i) }));
    },
    address: (i) => urls[i]!,
    kill: (i) => cluster.kill(i),
    restartAndCatchUp: async (i) => {
      await cluster.restart(i);
      const l = await leaderOf();
      await cluster.waitForApplied(i, l.applied, 30_000);
    },
    waitHealthy: () => cluster.waitForMesh(15_000),
    stop: () => cluster.stop(),
  };
}

interface SystemResults {
  loads: LoadResult[];
  failover: FailoverResult | null;
}

/**
 * Runs the rows with every system's cluster up, interleaved (1 client on each system, then 16 on
 * each..., then the reads), alternating which system goes first, so a change in the machine's state
 * (a busy neighbour, the host's disk cache) hits both sides alike rather than one whole column.
 * Returns the next free client number.
 */
async function runRows(
  systems: Array<{ sys: System; timing: Record<string, unknown> }>,
  o: Options,
  out: SystemResults[],
  base: number,
): Promise<number> {
  const rows: Array<{ kind: LoadKind; clients: number }> = [
    ...o.clients.map((clients) => ({ kind: 'writes' as const, clients })),
    ...o.readClients.map((clients) => ({ kind: 'reads' as const, clients })),
  ];
  for (const [row, { kind, clients }] of rows.entries()) {
    const order = systems.map((_, i) => i);
    if (row % 2 === 1) order.reverse();
    for (const i of order) {
      const { sys } = systems[i]!;
      progress(`${sys.name}, ${sys.nodes} nodes: ${kind}, ${clients} client(s), ${o.warmup} s warm-up + ${o.seconds} s...`);
      const r = await measureLoad(sys, o, kind, clients, base);
      base += clients;
      emit(loadRecord(r));
      out[i]!.loads.push(r);
    }
  }
  if (o.kills > 0) {
    for (const [i, { sys, timing }] of systems.entries()) {
      progress(`${sys.name}, ${sys.nodes} nodes: failover, ${o.kills} leader kills...`);
      const f = await measureFailover(sys, o, base, timing);
      base += FAILOVER_WRITERS;
      f.version = sys.version;
      emit(f);
      out[i]!.failover = f;
    }
  }
  return base;
}

/** The loopback round trip and the fsync in the nodes' folder, with both clusters up and idle. */
async function measureFloor(dir: string, size: number): Promise<FloorMeasurement> {
  const fsyncBytes = 256;
  progress(`${size} nodes: measuring the loopback round trip and fdatasync in ${dir}...`);
  const rtt = await measureLoopbackRtt();
  const fsync = await measureFsync(dir, 200, fsyncBytes);
  // The folder the clusters' temp folders are made in: the cluster's own is gone after the run.
  const floor: FloorMeasurement = { rtt, fsync, fsyncBytes, dir: dirname(dir), model: floorModel(rtt.p50Ms, fsync.p50Ms) };
  emit({ bench: 'cluster-floor', nodes: size, ...floor, loadAverage1m: round(loadavg()[0]!) });
  return floor;
}

/**
 * An etcd cluster with a leader and every peer stream up (a 5-member one takes about 1 s: members
 * wait for their peers' streams). A start that fails (a port taken between the pick and the bind,
 * a bootstrap that did not converge) is tried once more on fresh ports and folders.
 */
async function startEtcd(o: Options, size: number, binary: { path: string; version: string }): Promise<System> {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    let sys: System | null = null;
    try {
      sys = await etcdSystem(o, size, binary.path, binary.version);
      await sys.waitHealthy();
      progress(`etcd: ${size} members up, a leader and every peer stream in ${Math.round(performance.now() - started)} ms`);
      return sys;
    } catch (err) {
      await sys?.stop();
      if (attempt >= 2) throw err;
      progress(`etcd: the ${size}-member cluster did not start (${err instanceof Error ? err.message : String(err)}); once more`);
    }
  }
}

/** One cluster size: our cluster (and etcd's), the floor, the rows; both clusters stopped at the end. */
async function runSize(
  o: Options,
  size: number,
  etcd: { binary: { path: string; version: string } | null; note: string | null },
  base: number,
): Promise<{ section: SizeSection; base: number }> {
  progress(
    `starting a ${size}-node raft-console cluster (fsync on, election timeout ${o.electionTimeout} ms, heartbeat ${o.heartbeat} ms, --compact-every ${o.compactEvery})...`,
  );
  const systems: Array<{ sys: System; timing: Record<string, unknown> }> = [];
  const out: SystemResults[] = [];
  let floor: FloorMeasurement;
  try {
    const ours = await raftSystem(o, size);
    systems.push({ sys: ours, timing: { electionTimeoutMs: o.electionTimeout, heartbeatMs: o.heartbeat } });
    if (etcd.binary !== null) {
      const min = Number(o.electionTimeout.split('-')[0]);
      const hb = Math.max(1, Math.floor(min / 5));
      progress(
        `starting a ${size}-member etcd ${etcd.binary.version} cluster (fsync on, --heartbeat-interval ${hb} --election-timeout ${min} --pre-vote)...`,
      );
      try {
        const sys = await startEtcd(o, size, etcd.binary);
        systems.push({ sys, timing: { electionTimeoutMs: `${min}-${2 * min - hb}`, heartbeatMs: hb } });
      } catch (err) {
        const reason = `could not start a ${size}-member etcd cluster: ${err instanceof Error ? err.message : String(err)}`;
        etcd.note = `etcd comparison skipped: ${reason}`;
        progress(etcd.note);
        emit({ bench: 'etcd', skipped: true, nodes: size, reason });
      }
    }
    for (const _ of systems) out.push({ loads: [], failover: null });
    floor = await measureFloor(ours.cluster.dir, size);
    base = await runRows(systems, o, out, base);
  } finally {
    for (const { sys } of systems) await sys.stop();
  }
  return { section: { nodes: size, ours: out[0]!, etcd: out[1] ?? null, floor }, base };
}

async function main(o: Options): Promise<void> {
  const started = new Date();
  const loadStart = loadavg()[0]!;
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGiB: round(totalmem() / 2 ** 30, 1),
  };
  progress(
    `${machine.cpuModel}, ${machine.cpus} cores, Node ${machine.node}; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} at the start`,
  );
  if (loadStart > 1.5)
    progress(
      `the machine is busy (1-minute load average ${loadStart.toFixed(2)} on ${cpus().length} CPUs): figures will be lower and noisier than on a quiet machine`,
    );
  if (o.countFsyncs && !straceAvailable()) {
    progress('--count-fsyncs needs strace (apt-get install strace): not counting');
    o.countFsyncs = false;
  }

  // Look for etcd first, so a missing one is reported before minutes of measuring.
  const etcd: { binary: { path: string; version: string } | null; note: string | null } = { binary: null, note: null };
  if (o.vs === 'etcd') {
    const found = await findEtcd(progress);
    if (found.ok) {
      etcd.binary = found;
      progress(`etcd ${found.version} at ${found.path}`);
    } else {
      etcd.note = `etcd comparison skipped: ${found.reason}`;
      progress(etcd.note);
      emit({ bench: 'etcd', skipped: true, reason: found.reason });
    }
  }
  emit({
    bench: 'cluster-setup',
    date: started.toISOString(),
    ...machine,
    etcdVersion: etcd.binary?.version ?? null,
    nodes: o.nodes,
    clients: o.clients,
    readClients: o.readClients,
    seconds: o.seconds,
    warmupSeconds: o.warmup,
    kills: o.kills,
    electionTimeoutMs: o.electionTimeout,
    heartbeatMs: o.heartbeat,
    valueBytes: o.valueBytes,
    keys: o.keys,
    compactEvery: o.compactEvery,
    ...(o.nodeArgs.length > 0 ? { nodeArgs: o.nodeArgs.join(' ') } : {}),
    vsEtcd: o.vs === 'etcd',
    loadAverage: loadavg().map((x) => round(x)),
  });

  const sections: SizeSection[] = [];
  let base = 0;
  for (const size of o.nodes) {
    const r = await runSize(o, size, etcd, base);
    base = r.base;
    sections.push(r.section);
  }
  if (o.profile !== undefined)
    progress(
      `CPU profiles of the nodes are in ${resolve(o.profile)} (summarise: node dist-bench/bench/cpuprofile.js ${o.profile}/*.cpuprofile)`,
    );
  const elapsedSeconds = round((Date.now() - started.getTime()) / 1000, 1);
  emit({ bench: 'cluster-end', date: new Date().toISOString(), elapsedSeconds, loadAverage: loadavg().map((x) => round(x)) });
  if (!o.json)
    console.log(
      renderReport(
        {
          ...machine,
          cores: machine.cpus,
          etcdVersion: etcd.binary?.version ?? null,
          loadStart,
          loadEnd: loadavg()[0]!,
          elapsedSeconds,
          valueBytes: o.valueBytes,
          keys: o.keys,
          seconds: o.seconds,
          warmupSeconds: o.warmup,
          compactEvery: o.compactEvery,
          electionTimeout: o.electionTimeout,
        },
        sections,
        etcd.note,
      ),
    );
}

/** A length of time as the CLI takes it ("10", "2.5s", "500ms"), in seconds, as the rows count them. */
const seconds = (flag: string, example: string, min: number) => {
  const ms = duration(flag, example, min * 1000);
  return (text: string): number => ms(text) / 1000;
};

const program = new Command('bench:cluster')
  .description(
    'real raft-console clusters of each size under load (writes, linearizable reads, then leader failover; snapshots on), measured from outside, with the 1-client floor; with --vs etcd, etcd in the same run and the aims',
  )
  .addOption(
    new Option('--vs <system>', 'also start a cluster of this system and measure it alike, rows interleaved with ours').choices(['etcd']),
  )
  .option('--seconds <time>', 'measured time of each write or read row (10, 2.5s, 500ms)', seconds('--seconds', '10', 0.1), 10)
  .option('--warmup <time>', 'load before each row is measured', seconds('--warmup', '1', 0), 1)
  .addOption(
    new Option('--clients <counts>', 'a write row for each count of concurrent clients, or none')
      .argParser((text) => (text.trim() === 'none' ? [] : wholeNumbers('--clients', '1,16,64', 1)(text)))
      .default([1, 16, 64], '1,16,64'),
  )
  .addOption(
    new Option('--read-clients <counts>', 'a linearizable read row for each count of concurrent clients, or none')
      .argParser((text) => (text.trim() === 'none' ? [] : wholeNumbers('--read-clients', '64', 1)(text)))
      .default([64], '64'),
  )
  .option('--kills <n>', 'leader kills of the failover measurement, per cluster size (0: none)', wholeNumber('--kills', '20', 0), 20)
  .addOption(
    new Option('--nodes <sizes>', 'cluster sizes, measured one after the other')
      .argParser(wholeNumbers('--nodes', '3,5', 1))
      .default([3, 5], '3,5'),
  )
  .option(
    '--election-timeout <ms>',
    "the nodes' election timeout range, min-max",
    (text) => {
      const r = msRange(text);
      return `${r.min}-${r.max}`;
    },
    '150-300',
  )
  .option('--heartbeat <ms>', "the nodes' heartbeat interval", milliseconds('--heartbeat'), 50)
  .option('--keys <n>', 'keys the writes spread over', wholeNumber('--keys', '10000', 1), 10_000)
  .option('--value-bytes <n>', 'bytes of each value', wholeNumber('--value-bytes', '100', 0), 100)
  .option('--compact-every <n>', 'passed to every node', wholeNumber('--compact-every', '10000', 1), COMPACT_EVERY_DEFAULT)
  .option('--count-fsyncs', "count every node's fsync/fdatasync calls with strace during the write rows")
  .addOption(
    new Option('--node-args <flags>', 'extra `raft-console node` flags, for what-if runs (recorded in the output)')
      .argParser((text) => text.split(/\s+/).filter((x) => x !== ''))
      .default([], '""'),
  )
  .option('--dir <parent>', "where to make the clusters' temp folders (default: the system's temp folder)")
  .option(
    '--profile <dir>',
    'run our nodes under node --cpu-prof, profiles in this folder (summarise: node dist-bench/bench/cpuprofile.js)',
  )
  .option('--json', 'JSON lines only, no table')
  .action(main);

program.parseAsync().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
