// The supervisor: runs one cluster's nodes, keeps its live model, serves the control API, and
// carries out actions, each answered with a result and told as an event. One per cluster folder.
// Its handle is the ClusterSource (src/cluster-model/source.ts) of the `up` and `exercise start`
// dashboards, and `supervisorLauncher` is how the CLI hands exercises and checks clusters of their own.
//
//   const sup = await startSupervisor({ name: 'demo', nodes: 5, speed: 'slow' });
//   await sup.act({ op: 'kill', nodes: [3] });   // { ok: true, text: 'killed n3 (SIGKILL): ...' }
//   await sup.stop();
import { plural } from '../cluster-model/plural.js';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Done } from './actions.js';
import { raftConsoleEngine } from './engine.js';
import { fromClusterFile, newClusterFile, readClusterFile, type ClusterFile } from './cluster-file.js';
import { claimFolder, removeControlFiles, writeControlFile, writeToken } from '../cluster-model/control-files.js';
import { CONTROL_FILE, SECRET_FILE, TOKEN_FILE, type Action, type ActionResult } from '../cluster-model/control-protocol.js';
import { SecretFileError, ensureSecretFile } from '../transport/secret.js';
import { ControlServer } from './control-server.js';
import { ClusterError, type ClusterProblem } from '../cluster-model/errors.js';
import type { Outcome } from '../cluster-model/outcome.js';
import { Fleet, listIds } from './fleet.js';
import { EtcdFleet, findEtcd } from './etcd/fleet.js';
import { etcdEngine } from './etcd/engine.js';
import { advertisedPeerUrl, bootstrapMemberId, chooseEtcdTiming } from './etcd/setup.js';
import { engineName } from '../cluster-model/engine.js';
import { watchFile } from './folder-watch.js';
import { clusterFolder, forgetElsewhere, noteElsewhere, type FolderOptions } from '../cluster-model/folder.js';
import { MAX_NODES, type ClusterLauncher, type OwnedCluster, type SupervisorOptions } from '../cluster-model/launcher.js';
import { EVENT_REORDER_MS, LiveModel } from './live-model.js';
import type { Timing } from '../cluster-model/model.js';
import { endOrphanNodes } from './orphans.js';
import { portInUse } from './port-owner.js';
import { busyPort, freePorts } from './ports.js';
import { DEFAULT_SWITCHES, describeSwitches, isDefault, keptSwitches } from '../cluster-model/switches.js';
import { customTiming, describeTiming, presetTiming } from '../cluster-model/timing.js';
import { DEFAULT_SNAPSHOT_EVERY, checkSnapshotEvery } from '../cluster-model/snapshots.js';
import { DEFAULT_RECORDING_CAP_MB, RECORDING_DIR } from '../cluster-model/replay-format.js';
import { Recorder, recordingOffText, type RecordingOff } from './recorder.js';

/** The supervisor in this process: its model is the live one, changed in place; stop() ends its nodes (SIGTERM) and its control API. */
export interface SupervisorHandle extends OwnedCluster {
  readonly name: string;
  readonly folder: string;
  /** ws://127.0.0.1:<port>/ of the control API. */
  readonly url: string;
  /** Settles once stopped, by stop() or by a `down` action. */
  readonly stopped: Promise<void>;
}

function chooseTiming(o: SupervisorOptions, saved: Timing | null): Timing {
  if (o.electionTimeoutMs !== undefined || o.heartbeatMs !== undefined) {
    if (o.speed !== undefined)
      throw new ClusterError('give either a speed preset or explicit timing (--election-timeout, --heartbeat), not both');
    const normal = presetTiming('normal');
    return customTiming(o.electionTimeoutMs ?? normal.electionTimeoutMs, o.heartbeatMs ?? normal.heartbeatMs);
  }
  if (o.speed !== undefined) return presetTiming(o.speed);
  return saved ?? presetTiming('normal');
}

/** The saved cluster (at the speed asked for), or a new one with its ports chosen; checks the options against what exists. */
async function loadOrCreate(
  o: SupervisorOptions,
  name: string,
  folder: string,
): Promise<{ file: ClusterFile; created: boolean; kept: string | null; timingNote: string | null }> {
  const saved = await readClusterFile(folder);
  if (saved !== null) {
    if (o.engine !== undefined && o.engine !== saved.engine)
      throw new ClusterError(
        `the cluster named ${name} runs ${saved.engine}, not ${o.engine}: leave out --engine to start it, or \`raft-console down --purge${name === 'default' ? '' : ` --name ${name}`}\` first to make a new one`,
        { code: 'engine-mismatch', engine: saved.engine, asked: o.engine },
      );
    const members = saved.nodes.filter((n) => !n.removed).length;
    if (o.nodes !== undefined && o.nodes !== members)
      throw new ClusterError(
        `the cluster named ${name} has ${plural(members, 'node')}, not ${o.nodes}: use \`raft-console add\` or \`remove\` to change that, or \`raft-console down --purge\` to start over`,
      );
    let timingNote: string | null = null;
    saved.timing = chooseTiming(o, saved.timing);
    if (saved.engine === 'etcd') ({ timing: saved.timing, adjusted: timingNote } = chooseEtcdTiming(saved.timing));
    if (o.snapshotEvery !== undefined) saved.snapshotEvery = checkSnapshotEvery(o.snapshotEvery);
    return { file: saved, created: false, kept: keptSwitches(o.raft, saved.switches), timingNote };
  }
  const count = o.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES)
    throw new ClusterError(`a cluster has 1 to ${MAX_NODES} nodes, got ${count}`);
  if (o.engine === 'etcd') return { ...(await newEtcdCluster(o, name, count)), created: true, kept: null };
  let ports: number[];
  if (o.basePort === undefined) ports = await freePorts(count);
  else {
    if (!Number.isInteger(o.basePort) || o.basePort < 1024 || o.basePort + count - 1 > 65535)
      throw new ClusterError(`--base-port must leave room for ${count} ports between 1024 and 65535, got ${o.basePort}`);
    ports = Array.from({ length: count }, (_, i) => o.basePort! + i);
    const busy = await busyPort(ports);
    if (busy !== null) throw portInUse(busy, 'pick another --base-port, or stop what uses it');
  }
  const file = newClusterFile(
    name,
    ports,
    o.basePort ?? null,
    o.fsync ?? true,
    chooseTiming(o, null),
    { ...DEFAULT_SWITCHES, ...o.raft },
    checkSnapshotEvery(o.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY),
  );
  return { file, created: true, kept: null, timingNote: null };
}

/** A new etcd cluster: three free ports a member, the timing etcd can take; what etcd 3.4 cannot do is refused. */
async function newEtcdCluster(
  o: SupervisorOptions,
  name: string,
  count: number,
): Promise<{ file: ClusterFile; timingNote: string | null }> {
  const refuse = (op: string, why: string): never => {
    throw new ClusterError(why, { code: 'engine-unsupported', op, engine: 'etcd', remote: false });
  };
  if (o.fsync === false)
    refuse('unsafe-no-fsync', 'etcd 3.4 has no way to turn fsync off: leave out --unsafe-no-fsync (or use --engine raft-console)');
  if (o.raft?.checkQuorum === false)
    refuse('no-check-quorum', 'etcd always runs with CheckQuorum: leave out --no-check-quorum (or use --engine raft-console)');
  if ((o.raft?.bugs ?? []).length > 0)
    refuse(
      'bug',
      "the known bugs are switches in raft-console's own nodes, which etcd does not have: leave out --bug (or use --engine raft-console)",
    );
  if (o.basePort !== undefined)
    refuse('base-port', 'an etcd member takes three ports (client, peer and its fault proxy), chosen free: leave out --base-port');
  const ports = await freePorts(count * 3);
  const members = Array.from({ length: count }, (_, i) => ({
    clientPort: ports[3 * i]!,
    peerPort: ports[3 * i + 1]!,
    proxyPort: ports[3 * i + 2]!,
    memberId: null,
    initialCluster: null,
  }));
  const { timing, adjusted } = chooseEtcdTiming(chooseTiming(o, null));
  const file = newClusterFile(
    name,
    members.map((m) => m.clientPort),
    null,
    true,
    timing,
    { ...DEFAULT_SWITCHES, ...o.raft },
    checkSnapshotEvery(o.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY),
    { kind: 'etcd', members },
  );
  for (const n of file.nodes) if (n.etcd !== undefined) n.etcd.memberId = bootstrapMemberId([advertisedPeerUrl(n.etcd)], file.clusterId);
  return { file, timingNote: adjusted };
}

/**
 * `down --purge` for a cluster with no supervisor running: deletes its folder, nodes' data and all.
 * Resolves with the folder, or null when there was none; refuses while a supervisor runs (that one
 * is stopped with the `down` action instead).
 */
export async function purgeCluster(o: FolderOptions = {}): Promise<string | null> {
  const { name, folder } = clusterFolder(o);
  if (!existsSync(folder)) return null;
  await claimFolder(folder, name);
  endOrphanNodes(folder);
  await rm(folder, { recursive: true, force: true });
  await forgetElsewhere(o, name, folder);
  return folder;
}

/**
 * Records the live model (recorder.ts) into the cluster folder's `recording`, or the folder asked
 * for; null when the cap is 0, or when the folder cannot be made (told as an event: the cluster
 * runs unrecorded rather than not at all).
 */
async function startRecorder(live: LiveModel, folder: string, o: SupervisorOptions['recording'] = {}): Promise<Recorder | null> {
  const capMb = o.capMb ?? DEFAULT_RECORDING_CAP_MB;
  if (capMb <= 0) return null;
  const off = (why: RecordingOff): void => live.say('recording-off', recordingOffText(why), { outcome: why });
  const dir = o.dir ?? join(folder, RECORDING_DIR);
  try {
    const recorder = await Recorder.open(live.model, { dir, capBytes: capMb * 1024 * 1024, fresh: o.dir !== undefined }, off);
    live.onChange((events) => recorder.changed(events));
    return recorder;
  } catch (err) {
    off({ code: 'recording-off', path: dir, cause: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    return null;
  }
}

/** A supervisor whose nodes are not started yet: its model, control API and files are ready. */
export interface OpenedSupervisor extends SupervisorHandle {
  /**
   * Starts every node and resolves once they are started; rejects, after stopping the supervisor,
   * when none could start. Every node is spawned before the call returns. Called once.
   */
  startNodes(): Promise<void>;
}

/** Starts a supervisor and its nodes; resolves once the nodes are started. */
export async function startSupervisor(o: SupervisorOptions = {}): Promise<SupervisorHandle> {
  const sup = await openSupervisor(o);
  await sup.startNodes();
  return sup;
}

/**
 * Everything of a start but the nodes: the cluster's folder claimed, its model, cluster.json, the
 * control API. The dashboard opens on this, so that its first frame shows the nodes starting.
 */
export async function openSupervisor(o: SupervisorOptions = {}): Promise<OpenedSupervisor> {
  const { name, folder } = clusterFolder(o);
  // Before anything is made: a missing etcd is told with how to install it.
  if (o.engine === 'etcd') findEtcd(o.etcdBin);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await claimFolder(folder, name);
  await noteElsewhere(o, name, folder);
  // Nodes an earlier supervisor left frozen would hold their ports.
  endOrphanNodes(folder);
  const { file, created, kept, timingNote } = await loadOrCreate(o, name, folder);
  const startedAt = Date.now();
  const { model, setup } = fromClusterFile(file, { name, folder, supervisorPid: process.pid, startedAt });
  const live = new LiveModel(model, setup, { reorderMs: EVENT_REORDER_MS });
  // Written on first start, and on every start with the speed asked for.
  await live.save();
  // Made once, with the cluster, and kept across `down` and `up`: every node and client proves it.
  try {
    ensureSecretFile(join(folder, SECRET_FILE));
  } catch (err) {
    if (err instanceof SecretFileError) throw new ClusterError(err.message);
    throw err;
  }
  const recorder = await startRecorder(live, folder, o.recording);
  const engine = file.engine === 'etcd' ? etcdEngine(new EtcdFleet(live, folder, o.etcdBin)) : raftConsoleEngine(new Fleet(live, folder));
  const fleet = engine.fleet;
  if (fleet instanceof EtcdFleet) fleet.binary();

  let stopping: Promise<void> | null = null;
  /** Why the cluster stopped, for whoever watches it go. */
  let stopReason = `cluster ${name} was stopped`;
  let unwatch = (): void => undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const run = (a: Action): Promise<Done> => {
    if (a.op !== 'down') return engine.act(a);
    return fleet.close().then((count) => {
      // After the result has gone out: the control server closes with the supervisor.
      // (A failure to clean up the files then has no one left to tell.)
      setImmediate(() => void handle.stop({ purge: a.purge === true }).catch(() => undefined));
      return {
        text:
          `stopped the cluster ${name} (${plural(count, 'node')})` +
          (a.purge === true
            ? ` and deleted ${folder}`
            : `; its data stays in ${folder}: \`raft-console up${name === 'default' ? '' : ` --name ${name}`}\` starts it again`),
        outcome: { code: 'down', name, nodes: count, purged: a.purge === true, folder },
      };
    });
  };

  const act = async (a: Action): Promise<ActionResult> => {
    if (stopping !== null && a.op !== 'down')
      return { ok: false, text: `the cluster ${name} is shutting down`, problem: { code: 'shutting-down' } };
    try {
      const done = await run(a);
      live.say(a.op, done.text, { ok: true, ...done.data, outcome: done.outcome });
      // What the action caused is in the model when its result comes back: the reorder window
      // lets out the events it holds (a caller reads the model right after the result).
      live.flushEvents();
      return { ok: true, ...done };
    } catch (err) {
      const text =
        err instanceof ClusterError ? err.message : `internal error while doing "${a.op}": ${(err as Error).stack ?? String(err)}`;
      const problem: ClusterProblem = err instanceof ClusterError ? err.problem : { code: 'failed' };
      live.say(a.op, text, { ok: false, problem });
      live.flushEvents();
      return { ok: false, text, problem };
    }
  };

  const token = await writeToken(folder);
  const server = await ControlServer.start({ token, live, act, tokenPath: join(folder, TOKEN_FILE) });
  const url = `ws://127.0.0.1:${server.port}/`;

  const handle: OpenedSupervisor = {
    startNodes,
    name,
    folder,
    url,
    model: live.model,
    subscribe: (listener) => live.onChange(listener),
    act,
    onGone: (listener) => {
      let listening = true;
      void stopped.then(() => {
        if (listening) listener(stopReason);
      });
      return () => {
        listening = false;
      };
    },
    stop(options = {}): Promise<void> {
      stopping ??= (async () => {
        unwatch();
        try {
          const count = await fleet.close();
          live.say('shutdown', `the supervisor stops${count > 0 ? ` and with it ${plural(count, 'node')}` : ''}`, {
            outcome: { code: 'shutdown', nodes: count } satisfies Outcome,
          });
          live.flushEvents();
          await recorder?.close();
          await server.close();
          await removeControlFiles(folder);
          if (options.purge === true) {
            // An exercise's cluster goes, and its recording stays to be replayed.
            if (options.keepRecording === true) {
              for (const entry of await readdir(folder))
                if (entry !== RECORDING_DIR) await rm(join(folder, entry), { recursive: true, force: true });
            } else await rm(folder, { recursive: true, force: true });
            await forgetElsewhere(o, name, folder);
          }
        } finally {
          resolveStopped();
        }
      })();
      return stopping;
    },
    stopped,
  };

  try {
    await writeControlFile(folder, { name, clusterId: file.clusterId, url, port: server.port, supervisorPid: process.pid, startedAt });
    unwatch = watchFile(join(folder, CONTROL_FILE), () => {
      stopReason = `cluster ${name} stopped: its folder ${folder} was deleted`;
      live.say('folder-gone', `the folder ${folder} was deleted: no command can reach the cluster now, so the supervisor stops its nodes`);
      void handle.stop().catch(() => undefined);
    });
  } catch (err) {
    await handle.stop();
    throw err;
  }

  // Hoisted into the handle above; runs only once the handle exists.
  async function startNodes(): Promise<void> {
    try {
      const members = fleet.members();
      const starts = members.map((n) => fleet.start(n.id));
      // Every process is spawned by now, before this function's first wait (start() spawns before
      // its own): a dashboard built right after this call draws them starting in its first frame.
      // Their loading, listening and first election follow as the nodes' own events.
      const pids = members.map((n) => n.process.pid).filter((pid) => pid !== null);
      live.say('starting', `starting nodes ${listIds(members.map((n) => n.id))} (pids ${pids.join(', ')})`, { pids });
      const results = await Promise.allSettled(starts);
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      if (failed.length === members.length) throw new ClusterError(`no node of the cluster ${name} started: ${failed.join('; ')}`);
      live.say(
        'up',
        `${created ? 'created' : 'started'} the cluster ${name}: nodes ${listIds(members.map((n) => n.id))}` +
          (file.engine === 'etcd' ? ` (${engineName(live.model.engine)})` : '') +
          `${failed.length > 0 ? ` (${failed.length} did not start: ${failed.join('; ')})` : ''}; ${describeTiming(file.timing)}${file.fsync ? '' : '; UNSAFE: fsync off'}` +
          (file.engine === 'etcd' ? `; etcd draws each election timeout in whole heartbeats` : '') +
          (timingNote === null ? '' : `; ${timingNote}`) +
          (kept !== null ? `; ${kept}` : isDefault(file.switches) ? '' : `; ${describeSwitches(file.switches)}`),
        {
          clusterId: file.clusterId,
          created,
          switches: file.switches,
          outcome: {
            code: 'up',
            name,
            created,
            nodes: members.map((n) => n.id),
            failed: failed.length,
            timing: file.timing,
            fsync: file.fsync,
          } satisfies Outcome,
        },
      );
    } catch (err) {
      await handle.stop();
      throw err;
    }
  }
  // What runs beside the members (etcd's fault proxies) is up before they start, so that
  // startNodes spawns them without a wait.
  try {
    await fleet.prepare();
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

/** Clusters of their own for the exercises and the checks: a supervisor in this process. */
export const supervisorLauncher: ClusterLauncher = { start: startSupervisor, purge: purgeCluster };
