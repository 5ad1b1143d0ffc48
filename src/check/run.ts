// One check run, from start to verdict: take a cluster (a new one, or a running one), run the
// clients and the nemesis together for the duration, heal everything, wait for the cluster to
// settle, read every key a last time, compare what the nodes hold, and check the history and the
// story the nodes told. Printing is the caller's (run-report.ts); this returns what was found.
import {
  ClusterError,
  clusterSecret,
  describeSwitches,
  describeTiming,
  members,
  until,
  type ClusterEvent,
  type ClusterLauncher,
  type ClusterModel,
  type FolderOptions,
  type SupervisorOptions,
} from '../cluster-model/index.js';
import { engineName } from '../cluster-model/engine.js';
import type { NodeId } from '../raft/types.js';
import { Random } from '../sim/random.js';
import { noLostWrites, oneLeaderPerTerm, safetyMonitor, type CheckOutcome } from './checks.js';
import type { History } from './history.js';
import { checkHistory, type Verdict } from './linearizability.js';
import { aimedAt, fitOf, unfitError } from './aimed/index.js';
import { Nemesis, type AimedTally, type FaultKind, type FaultRecord, type FaultTally, type SkippedKind } from './nemesis.js';
import { Recorder } from './recorder.js';
import { awaitSettled, compareNodes, settled } from './settle.js';
import { connectToCluster, startOwnCluster, type ClusterTarget } from './target.js';
import { readFinalValues, runWorkload, type FinalRead } from './workload.js';
import { raftConsoleClients, type CheckClient, type ConnectClient, type ReadRoute } from './clients.js';
import { etcdClients, type EtcdReads } from './etcd-client.js';

export interface CheckRunOptions {
  /** A new cluster for this run (started by the launcher), or a running one to use as it is. */
  cluster:
    { kind: 'new'; launcher: ClusterLauncher; supervisor: SupervisorOptions; keep: boolean } | { kind: 'existing'; folder: FolderOptions };
  clients: number;
  /** Operations per second, all clients together. */
  rate: number;
  keys: number;
  durationMs: number;
  nemesis: readonly FaultKind[];
  seed: number;
  /** The linearizability checker's time budget. */
  budgetMs: number;
  /** Progress, for a person watching: one line at a time. */
  onProgress?: (line: string) => void;
  /** Aborted (Ctrl-C): the clients and the nemesis stop, everything is healed, and the checks run on what was recorded. */
  signal?: AbortSignal;
  /** On etcd, 'serializable' reads (an experiment: they may be stale, and the check should say so); default linearizable. */
  etcdReads?: EtcdReads;
}

export type RunResult = 'pass' | 'violation' | 'unknown';

export interface CheckRun {
  seed: number;
  /** Date.now() when the clients started: time 0 of the history and the fault timeline. */
  startedAt: number;
  cluster: {
    name: string;
    /** The Raft implementation the nodes run: raft-console, or etcd with its version once known. */
    engine: string;
    owned: boolean;
    kept: boolean;
    folder: string;
    nodes: number;
    timing: string;
    switches: string;
  };
  /** What the clients were asked to do. */
  workload: { clients: number; rate: number; durationMs: number; nemesis: FaultKind[]; reads: EtcdReads };
  keys: string[];
  history: History;
  faults: FaultRecord[];
  /** Faults injected by kind (episodes the cluster carried out). */
  faultCounts: Record<FaultKind, number>;
  /** By kind: episodes tried, and those that hit. */
  faultTally: Record<FaultKind, FaultTally>;
  /** Kinds given up because the cluster's engine cannot do them, with its reason. */
  skippedKinds: SkippedKind[];
  /** The episodes aimed at the known bugs the cluster runs, and how often each ran. */
  aimed: AimedTally[];
  finals: FinalRead[];
  /** The process that made the final reads (in the history, after the workload's). */
  finalReader: number;
  /** Every event the cluster reported during the run, with `at`: milliseconds since startedAt. */
  events: Array<ClusterEvent & { at: number }>;
  verdict: Verdict;
  /** settled, converged, no lost writes, one leader per term, and the safety monitor's verdict. */
  checks: CheckOutcome[];
  aborted: boolean;
  result: RunResult;
}

/** How long the cluster may take to elect a leader at the start, and to settle after healing. */
function settleMs(electionTimeoutMaxMs: number): number {
  return Math.max(10_000, 100 * electionTimeoutMaxMs);
}

/** An operation may wait this long, retries across elections included, before it is indeterminate. */
export function operationTimeoutMs(electionTimeoutMaxMs: number): number {
  return Math.max(1000, 10 * electionTimeoutMaxMs);
}

export function resultOf(verdict: Verdict, checks: readonly CheckOutcome[]): RunResult {
  if (verdict.result === 'not-linearizable' || checks.some((c) => c.ok === false)) return 'violation';
  if (verdict.result === 'unknown' || checks.some((c) => c.ok === null)) return 'unknown';
  return 'pass';
}

/** The clients of the cluster's engine: raft-console's client library, or etcd's JSON gateway on every member. */
function clientsFor(model: ClusterModel, opTimeoutMs: number, seed: number, reads: EtcdReads, route: ReadRoute): ConnectClient {
  const nodes = members(model);
  if (reads !== 'linearizable' && model.engine.kind !== 'etcd')
    throw new ClusterError(
      `${model.name} runs ${engineName(model.engine)}, whose reads are always linearizable: --etcd-reads is for an etcd cluster`,
    );
  if (model.engine.kind === 'etcd') {
    const endpoints = nodes.flatMap((n) => (n.etcd === undefined || n.etcd.clientUrl === '' ? [] : [n.etcd.clientUrl]));
    if (endpoints.length === 0)
      throw new ClusterError(
        `the etcd cluster ${model.name} names no member's client URL yet: wait until its members run, then check again`,
      );
    return etcdClients({ endpoints, opTimeoutMs, reads });
  }
  return raftConsoleClients({
    clusterId: model.clusterId,
    secret: clusterSecret(model.folder),
    nodes: nodes.map((n) => ({ id: n.id, address: n.address })),
    opTimeoutMs,
    seed,
    route,
  });
}

/**
 * One write by `process`, recorded like the workload's (its value is new: the workload's writers
 * are numbered below it). Returns whether it ended (ok or fail), not indeterminate.
 */
async function writeOnce(client: CheckClient, recorder: Recorder, process: number, key: string): Promise<boolean> {
  const input = { kind: 'write', key, value: `${process + 1}.1` } as const;
  const id = recorder.invoke(process, input);
  const { outcome } = await client.perform(input);
  recorder.complete(id, outcome);
  return outcome.type !== 'info';
}

async function open(o: CheckRunOptions): Promise<ClusterTarget> {
  return o.cluster.kind === 'new' ? startOwnCluster(o.cluster.launcher, o.cluster.supervisor) : connectToCluster(o.cluster.folder);
}

export async function runCheck(o: CheckRunOptions): Promise<CheckRun> {
  const say = o.onProgress ?? (() => undefined);
  const target = await open(o);
  const { cluster } = target;
  const keep = o.cluster.kind === 'new' && o.cluster.keep;
  try {
    const model = cluster.model;
    // A bug's schedule that cannot run on this cluster: said now, with the options that make it
    // run, rather than a passing check that never aimed at the bug it was asked about.
    const aimed = o.nemesis.length === 0 ? [] : aimedAt(model.switches.bugs);
    for (const episode of aimed) {
      const refused = unfitError(episode, fitOf(model));
      if (refused !== null) throw refused;
    }
    const memberNodes = members(model);
    const electionMax = model.timing.electionTimeoutMs.max;
    const events: ClusterEvent[] = [...model.events];
    const stopEvents = cluster.subscribe((added) => events.push(...added));
    say(`${target.owned ? 'started' : 'using'} the cluster ${model.name}: ${memberNodes.length} nodes; waiting for a leader`);
    if (!(await until(cluster, settled, settleMs(electionMax)))) say('no settled leader yet: starting anyway');

    // Keys of a cluster that ran before may hold values: a run on it uses keys no one used.
    const tag = target.owned ? '' : `@${Date.now().toString(36)}`;
    const keys = Array.from({ length: o.keys }, (_, i) => `k${i + 1}${tag}`);
    const recorder = new Recorder();
    const opTimeoutMs = operationTimeoutMs(electionMax);
    const reads = o.etcdReads ?? 'linearizable';
    const route: ReadRoute = { via: null };
    const connect = clientsFor(model, opTimeoutMs, o.seed, reads, route);
    const nemesis = new Nemesis({
      target: cluster,
      kinds: o.nemesis,
      random: new Random(o.seed, 'nemesis'),
      clock: () => recorder.now(),
      durationMs: o.durationMs,
      signal: o.signal,
      aimed,
      ...(model.engine.kind === 'etcd' ? {} : { readsVia: (node: NodeId | null) => (route.via = node) }),
    });
    say(
      `running ${o.clients} clients at ${o.rate} ops/s on ${o.keys} keys for ${(o.durationMs / 1000).toFixed(0)} s, nemesis ${o.nemesis.length === 0 ? 'none' : o.nemesis.join(',')}, seed ${o.seed}`,
    );
    const progress = setInterval(() => {
      const counts = nemesis.injected();
      const faults = Object.values(counts).reduce((a, b) => a + b, 0);
      say(`${(recorder.now() / 1000).toFixed(0)} s: ${recorder.size} operations, ${faults} faults`);
    }, 10_000);
    try {
      await Promise.all([
        runWorkload({
          connect,
          clients: o.clients,
          rate: o.rate,
          keys,
          durationMs: o.durationMs,
          seed: o.seed,
          recorder,
          signal: o.signal,
        }),
        nemesis.run(),
      ]);
    } finally {
      clearInterval(progress);
    }

    say('healed every fault; waiting for the cluster to settle');
    let finalReader = recorder.unusedClient();
    const finalClient = connect(finalReader);
    // Without its no-op (the skip-noop bug) a new leader commits nothing of earlier terms and serves
    // no read until an entry of its own term commits (dissertation 6.4): one write lets it settle.
    // A write left indeterminate keeps its process busy: the reads then go as another one.
    if (model.switches.bugs.includes('skip-noop') && !(await writeOnce(finalClient, recorder, finalReader, keys[0]!)))
      finalReader = recorder.unusedClient();
    const settledCheck = await awaitSettled(cluster, settleMs(electionMax));
    const finals = await readFinalValues({ client: finalClient, keys, recorder }, finalReader, settleMs(electionMax));
    const converged = await compareNodes(cluster, settleMs(electionMax), keys);
    stopEvents();

    const history = recorder.history();
    say(`checking ${history.operations.length} operations for linearizability (budget ${(o.budgetMs / 1000).toFixed(0)} s)`);
    const verdict = checkHistory(history, { budgetMs: o.budgetMs });
    const now = cluster.model;
    const safety = safetyMonitor(now.safety, now.engine.kind);
    const checks = [settledCheck, converged, noLostWrites(history, finals), oneLeaderPerTerm(events), ...(safety === null ? [] : [safety])];
    return {
      seed: o.seed,
      startedAt: recorder.startedAt,
      cluster: {
        name: now.name,
        engine: engineName(now.engine),
        owned: target.owned,
        kept: keep,
        folder: now.folder,
        nodes: memberNodes.length,
        timing: describeTiming(now.timing),
        switches: describeSwitches(now.switches),
      },
      workload: { clients: o.clients, rate: o.rate, durationMs: o.durationMs, nemesis: [...o.nemesis], reads },
      keys,
      history,
      faults: nemesis.timeline,
      faultCounts: nemesis.injected(),
      faultTally: nemesis.tally(),
      skippedKinds: nemesis.skipped(),
      aimed: nemesis.aimedRuns(),
      finals,
      finalReader,
      events: events.filter((e) => e.ts >= recorder.startedAt).map((e) => ({ ...e, at: recorder.fromWallClock(e.ts) })),
      verdict,
      checks,
      aborted: o.signal?.aborted === true,
      result: resultOf(verdict, checks),
    };
  } finally {
    await target.close({ keep });
  }
}
