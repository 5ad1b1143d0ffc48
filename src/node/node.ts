// One raft-console node: the core, its durable storage, the transport to its peers and clients, a
// clock driving the core's time (core-time.ts), the key-value state machine, and the event stream
// on stdout.
import { randomInt } from 'node:crypto';
import { KvSnapshotError, KvStateMachine, type ApplyResult, type KvErrorCode } from '../kv/index.js';
import { KNOWN_BUGS, knownBugs, switchesChanged } from '../raft/config.js';
import { Raft } from '../raft/raft.js';
import type { Ready } from '../raft/ready.js';
import type { Message, Snapshot } from '../raft/types.js';
import { DiskStorage } from '../storage/index.js';
import { Transport, heldDetail } from '../transport/index.js';
import { validateClientRequest, type LeaderHint, type NodeStatus } from './client-protocol.js';
import { ClientService } from './client-service.js';
import type { ControlTarget } from './control.js';
import type { EventStream } from './event-stream.js';
import { TimedDriver, systemClock } from './core-time.js';
import { recoveryAtStart } from './lost-data.js';
import { runStepCommand } from './step-mode.js';
import { timingInTicks, type NodeOptions } from './options.js';
import type { ReadyHandler } from './raft-driver.js';
import { DigestCheckpoints, TimerClock, stateLine } from './state-report.js';

/**
 * The state machine's refusals of an entry whatever the session says: data that is not a command
 * (a forged entry, another build's) or over a limit. Told as an event, since no client asked for
 * it through the up-front checks. (stale-sequence and session-expired are a client's retries.)
 */
const UNRUNNABLE: ReadonlySet<KvErrorCode> = new Set(['malformed', 'unsupported-version', 'too-large']);

/** Why the state machine could not be restored from `snapshot`, or null. */
function snapshotProblem(snapshot: Snapshot): string | null {
  let kv: KvStateMachine;
  try {
    kv = KvStateMachine.restore(snapshot.data);
  } catch (err) {
    return err instanceof KvSnapshotError ? err.message : `it does not restore (${String(err)})`;
  }
  return kv.appliedIndex === snapshot.meta.index
    ? null
    : `its state machine is at entry ${kv.appliedIndex}, its metadata says ${snapshot.meta.index}`;
}

export interface RunningNode {
  readonly address: string;
  /** What the supervisor's control channel acts on. */
  readonly control: ControlTarget;
  /** Finishes in-flight fsyncs, closes sockets and storage. */
  stop(reason: string): Promise<void>;
}

export async function startNode(o: NodeOptions, events: EventStream, onFatal: (err: unknown) => void): Promise<RunningNode> {
  // How long loading took, for `npm run bench:startup` (performance.now() counts from the process's start).
  const loadedMs = Math.round(performance.now());
  const timing = timingInTicks(o);
  const { storage, restored, recovery } = await DiskStorage.open(o.dataDir, {
    clusterId: o.clusterId,
    nodeId: o.id,
    unsafeNoFsync: o.unsafeNoFsync,
  });
  if (recovery.tornTail !== null) {
    const t = recovery.tornTail;
    events.lifecycle(
      { type: 'storage-repaired', detail: t.reason },
      `n${o.id} cut a torn record (${t.bytes} bytes) off the end of ${t.file} at byte ${t.offset}: a write interrupted by a crash`,
    );
  }

  const recovering = await recoveryAtStart(o, storage, restored, events);
  /** The core ended recovering mode: remove the file once that Ready's hard state is on disk. */
  let recoveryEnded = false;

  let kv = restored.snapshot === null ? new KvStateMachine() : KvStateMachine.restore(restored.snapshot.data);
  const core = new Raft(
    {
      id: o.id,
      voters: o.join ? [] : [o.id, ...o.peers.map((p) => p.id)],
      // Election timeouts only need to differ between nodes, not to be secret.
      random: () => randomInt(0x7fffffff) / 0x7fffffff,
      ...timing,
      preVote: o.switches.preVote,
      checkQuorum: o.switches.checkQuorum,
      bugs: knownBugs(o.switches.bugs),
      recovery: recovering,
    },
    restored,
  );
  const checkpoints = new DigestCheckpoints();
  checkpoints.restored(kv.appliedIndex, kv.digest);
  // Read when the line is flushed (at most one per 50 ms); sent only when it changed.
  let durable = { term: restored.hardState.term, commit: restored.hardState.commit };
  const reportState = (): void =>
    events.state(() => ({ ...stateLine(core, kv.appliedIndex, timers, checkpoints.report(kv.appliedIndex, kv.digest)), durable }));
  const addresses = new Map(o.peers.map((p) => [p.id, `${p.host ?? '127.0.0.1'}:${p.port}`]));
  const transport = new Transport({
    id: o.id,
    clusterId: o.clusterId,
    secret: o.secret,
    ...(o.tls === null ? {} : { tls: o.tls }),
    host: o.listen.host,
    port: o.listen.port,
    peers: o.peers,
  });

  let service: ClientService | null = null;
  let address = `${o.listen.host}:${o.listen.port}`;
  const leaderHint = (): LeaderHint | null => {
    const leader = core.status().leader;
    if (leader === 0) return null;
    return { id: leader, address: leader === o.id ? address : (addresses.get(leader) ?? null) };
  };
  const status = (): NodeStatus => {
    const s = kv.stats();
    return {
      ...core.status(),
      clusterId: o.clusterId,
      address,
      unsafeNoFsync: storage.unsafeNoFsync,
      insecureNoAuth: o.insecureNoAuth,
      kv: { keys: s.keys, sessions: s.sessions, submitted: s.submitted },
    };
  };

  /** The node's own snapshot is being written: the next waits for it. */
  let snapshotting = false;
  /**
   * Snapshots the state machine without holding up the Readys: only serializing it waits, since it
   * must capture the state at exactly the applied index, which the next Ready's entries move past.
   * The Ready that committed those entries is already on disk (persist came first), and advance()
   * told the core they are applied. The core drops its log up to there at once and keeps this
   * snapshot to send to a follower that needs those entries; until storage installs the new file,
   * the disk holds the previous snapshot and every entry after it, which recover the same state.
   */
  const takeSnapshot = (): void => {
    const start = performance.now();
    const snapshot = core.compact(kv.appliedIndex, kv.serialize());
    const { bytes, done } = storage.beginSnapshot(snapshot);
    const serialized = performance.now();
    const { index, term } = snapshot.meta;
    snapshotting = true;
    void done.then((outcome) => {
      snapshotting = false;
      const serializeMs = Math.round(serialized - start);
      const durableMs = Math.round(performance.now() - serialized);
      const superseded = outcome === 'superseded';
      events.lifecycle(
        { type: 'snapshot-saved', index, term, bytes, serializeMs, durableMs, superseded },
        superseded
          ? `n${o.id} dropped its snapshot up to entry ${index} (${bytes} bytes, serialized in ${serializeMs} ms, written in ${durableMs} ms): the leader's snapshot of a later entry was saved meanwhile`
          : `n${o.id} saved its snapshot up to entry ${index} (term ${term}): ${bytes} bytes, serialized in ${serializeMs} ms while writes waited, then made durable in ${durableMs} ms while they went on`,
      );
    }, onFatal);
  };

  const handler: ReadyHandler = {
    observe(rd: Ready): void {
      for (const e of rd.events) {
        events.raft(e);
        if (e.type === 'recovery-finished') recoveryEnded = true;
      }
      if (rd.softState !== null) service?.roleChanged(rd.softState.role);
    },
    async persist(rd: Ready): Promise<void> {
      await storage.save(rd);
      // A commit index saved without an fsync (mustSync false) may be lost, but never the entries
      // up to it, nor the term (both always synced): the supervisor's lost-data check, which
      // compares a restart's term and last index with these, cannot be misled by it.
      if (rd.hardState !== null) durable = { term: rd.hardState.term, commit: rd.hardState.commit };
    },
    send(messages: readonly Message[]): void {
      for (const m of messages) transport.send(m);
    },
    async apply(rd: Ready): Promise<void> {
      if (rd.snapshot !== null) {
        kv = KvStateMachine.restore(rd.snapshot.data);
        if (kv.appliedIndex !== rd.snapshot.meta.index)
          throw new Error(`the snapshot's state machine is at ${kv.appliedIndex}, its metadata says ${rd.snapshot.meta.index}`);
        checkpoints.restored(kv.appliedIndex, kv.digest);
        service?.snapshotInstalled(rd.snapshot.meta.index);
      }
      const results: ApplyResult[] = [];
      for (const e of rd.committedEntries) {
        const r = kv.apply(e);
        checkpoints.applied(e.index, kv.digest);
        if (r === null) continue;
        results.push(r);
        if (!r.result.ok && UNRUNNABLE.has(r.result.code)) {
          const { code, message } = r.result;
          events.lifecycle(
            { type: 'entry-refused', index: r.index, term: r.term, code, reason: message },
            `n${o.id} refused committed entry ${r.index} (term ${r.term}), ${code}: ${message}; every replica refuses it alike, and it changes nothing`,
          );
        }
      }
      service?.applied(results);
      service?.readStates(rd.readStates);
    },
    async advanced(): Promise<void> {
      if (recoveryEnded) {
        // After persist: the term above the one it may have voted in is durable by now.
        recoveryEnded = false;
        await storage.saveRecovery(null);
      }
      // One snapshot at a time: the threshold is checked again once the one being written is installed.
      if (!snapshotting && kv.appliedIndex - core.status().snapshotIndex >= o.compactEvery) takeSnapshot();
      reportState();
    },
  };
  // A wake-up with no Ready may still have reset a timer (the heartbeat of a leader with no followers).
  const driver = new TimedDriver(core, handler, onFatal, systemClock, o.tickMs, () => reportState());
  const timers = new TimerClock(timing.heartbeatInterval, driver.time);
  service = new ClientService({ driver, kv: () => kv, leaderHint, status, requestTimeoutMs: o.requestTimeoutMs });
  const clients = service;

  transport.onEvent((e) => events.transport(e));
  transport.onHeld(({ id, message: m, heldAt }) =>
    events.step({ type: 'held', id, to: m.to, message: m.type, term: m.term, detail: heldDetail(m), heldAt }),
  );
  transport.onMessage((m) => {
    // The schema cannot read a snapshot's state machine data; a snapshot that does not restore would
    // be persisted and then end this node at every start, so it is refused before the core sees it.
    if (m.type === 'snapshot') {
      const problem = snapshotProblem(m.snapshot);
      if (problem !== null)
        return events.lifecycle(
          { type: 'snapshot-refused', from: m.from, index: m.snapshot.meta.index, reason: problem },
          `n${o.id} refused a snapshot from n${m.from} up to entry ${m.snapshot.meta.index}: ${problem}`,
        );
    }
    driver.run((c) => c.step(m));
  });
  transport.onClient(validateClientRequest, (req, client) => clients.handle(req, client));
  try {
    const bound = await transport.start();
    address = `${bound.host}:${bound.port}`;
  } catch (err) {
    await storage.close();
    throw err;
  }
  const control: ControlTarget = {
    self: o.id,
    driver,
    transport,
    step: {
      clock: driver,
      transport,
      heartbeatTicks: timing.heartbeatInterval,
      report: (line) => events.step(line),
    },
    // The speed presets change how long a tick lasts; timeouts stay the same number of ticks.
    setTickMs(ms: number): void {
      driver.setTickMs(ms);
      events.setTickMs(ms);
      reportState();
    },
  };
  // A stepping cluster's node starts stepping: before its first wake-up, so nothing runs on the clock.
  if (o.step) runStepCommand(o.id, control.step, { op: 'step', on: true });
  // What it recovered, before it says it started: whoever waits for the start sees its state too.
  reportState();
  events.lifecycle(
    {
      type: 'started',
      address,
      clusterId: o.clusterId,
      unsafeNoFsync: storage.unsafeNoFsync,
      insecureNoAuth: o.insecureNoAuth,
      tls: o.tls !== null,
      recovered: { entries: restored.entries.length, snapshotIndex: restored.snapshot?.meta.index ?? 0, term: restored.hardState.term },
      switches: o.switches,
      startup: { loadedMs, listeningMs: Math.round(performance.now()) },
    },
    `n${o.id} listens on ${address}${o.tls === null ? '' : ' with mutual TLS'} (term ${restored.hardState.term}, ${restored.entries.length} entries on disk${storage.unsafeNoFsync ? ', UNSAFE: fsync off' : ''})` +
      (o.insecureNoAuth
        ? '; !!! INSECURE: no cluster secret, any process that reaches this port may join the cluster or write to it !!!'
        : '') +
      switchesChanged({ ...o.switches, bugs: [] })
        .map((s) => `; ${s}`)
        .join('') +
      o.switches.bugs.map((b) => `; !!! KNOWN BUG ON: ${b}: this node ${KNOWN_BUGS[b].breaks} !!!`).join(''),
  );
  // Starts the wake-ups: the next tick, or the election deadline.
  driver.run(() => undefined);

  let stopping: Promise<void> | null = null;
  return {
    get address() {
      return address;
    },
    control,
    stop(reason: string): Promise<void> {
      stopping ??= (async () => {
        events.lifecycle({ type: 'stopping', reason }, `n${o.id} stops: ${reason}`);
        driver.stop();
        clients.close();
        await driver.idle();
        await transport.close();
        await storage.close();
        events.close();
      })();
      return stopping;
    },
  };
}
