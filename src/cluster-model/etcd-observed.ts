// A remote etcd cluster as a cluster model, built from successive looks at it (src/etcd/observe.ts):
// pure, fed observations, so that the model and the events derived from it are tested without a
// socket. EtcdAttachment (etcd-attach.ts) does the looking.
//
// Node ids: etcd names members by 64-bit ids; the dashboard and the commands by small numbers. The
// first look numbers the members 1..N by name, then id; a member that appears later takes the next
// number; one that goes away keeps its number, marked removed. So n2 stays the same member for the
// whole session.
//
// A member that stops answering keeps the state it last reported, with its process 'unreachable':
// views draw what a node not running last reported as stale (dim), as they do for a stopped node.
import type { EtcdMember, EtcdRaftStatus, EtcdStatus } from '../etcd/gateway.js';
import type { EtcdError } from '../etcd/errors.js';
import { stateOf, type EtcdObservation } from '../etcd/observe.js';
import type { NodeId } from '../raft/types.js';
import { etcdUnreported, type EngineInfo, type EtcdNodeInfo } from './engine.js';
import { observedLine, type ObservedEvent } from './etcd-observed-events.js';
import { EVENT_HISTORY, type ClusterEvent, type ClusterModel, type NodeModel, type SafetyVerdict, type Timing } from './model.js';

export interface AttachSettings {
  /** The endpoints given (--etcd), in order. */
  endpoints: readonly string[];
  /** --allow-changes: transfer, promote and remove are allowed. */
  writable: boolean;
  /** When the attachment began (the caller's clock). */
  startedAt: number;
}

/** Everything the next look is compared with. Treat as read-only: each look makes a new one. */
export interface Observed {
  readonly model: ClusterModel;
  /** The node id of every member seen, by member id (hex). */
  readonly ids: ReadonlyMap<string, NodeId>;
  /** The member list as last known (kept when no endpoint gives one). */
  readonly members: readonly EtcdMember[];
  /** Who was seen leading each recent term: two leaders of one term break Election Safety. */
  readonly termLeaders: ReadonlyMap<number, NodeId>;
  /** The leader last seen, and whether the last look saw one. */
  readonly leader: { node: NodeId; term: number } | null;
  readonly leaderNow: boolean;
  /** The alarms each member reported in its last answer. */
  readonly alarms: ReadonlyMap<NodeId, readonly string[]>;
}

/** How many terms' leaders are remembered for the Election Safety check: a violation is seen within a few looks. */
const TERMS_KEPT = 64;

/**
 * etcd's APIs tell neither its heartbeat nor its election timeout: zeros, with the engine's
 * `timingKnown: false` saying that they are a placeholder, not the members' timing.
 */
const UNKNOWN_TIMING: Timing = { preset: 'custom', electionTimeoutMs: { min: 0, max: 0 }, heartbeatMs: 0, tickMs: 0 };

/**
 * The timing the members were started with, when their command lines (GET /debug/vars) give both
 * flags: etcd ticks once a heartbeat and draws each election timeout in whole ticks from
 * [timeout, 2 x timeout - 1 tick]. Null when unknown (set in a config file, or not served).
 */
function timingOf(raft: readonly EtcdRaftStatus[]): Timing | null {
  const flags = raft.find((r) => r.flags.heartbeatMs !== null && r.flags.electionMs !== null)?.flags;
  if (flags === undefined) return null;
  const hb = flags.heartbeatMs!;
  const et = flags.electionMs!;
  return { preset: 'custom', electionTimeoutMs: { min: et, max: 2 * et - hb }, heartbeatMs: hb, tickMs: hb };
}

/** host:port of a URL (the URL itself when it is not one). */
function hostPort(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The name of an attached cluster: where it was reached. */
function attachedName(endpoints: readonly string[]): string {
  return endpoints[0] === undefined ? 'etcd' : hostPort(endpoints[0]);
}

/** Named members by name, then the rest (added, not started) by id: the order node ids are given in. */
function byNameThenId(a: EtcdMember, b: EtcdMember): number {
  if ((a.name === '') !== (b.name === '')) return a.name === '' ? 1 : -1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** "NOSPACE" from a status error such as "memberID:8211f1d0f64f3269 alarm:NOSPACE "; none for an error that is not an alarm. */
export function alarmOf(error: string): string[] {
  const m = /alarm:\s*([A-Z_]+)/i.exec(error);
  return m === null ? [] : [m[1]!.toUpperCase()];
}

/** The cause of a failed answer in a few words, for an event line. */
function causeOf(error: EtcdError): string {
  const p = error.problem;
  switch (p.code) {
    case 'unreachable':
    case 'tls':
    case 'auth':
      return `${p.code === 'unreachable' ? '' : `${p.code}: `}${p.cause}`;
    case 'timeout':
      return `no answer within ${p.ms} ms`;
    case 'server':
      return p.cause;
    case 'bad-answer':
      return `unreadable answer (${p.problem})`;
  }
}

/**
 * The first failure of a look that reached nothing: the attach fails with it (wrong URL, TLS,
 * auth). Null when the look reached the cluster (a member list, or some member's status).
 */
export function unreachedBy(obs: EtcdObservation): EtcdError | null {
  if (obs.members !== null) return null;
  let first: EtcdError | null = null;
  for (const a of obs.answers.values()) {
    if (a.ok) return null;
    first ??= a.error;
  }
  return first;
}

/**
 * The next state after a look (`prev` null: the first), and the events derived from the change. The
 * first look must have reached the cluster (unreachedBy is null): the caller fails the attach otherwise.
 */
export function observeNext(
  prev: Observed | null,
  obs: EtcdObservation,
  settings: AttachSettings,
): { state: Observed; events: ClusterEvent[] } {
  const out: ObservedEvent[] = [];
  const statuses: EtcdStatus[] = [];
  const raftStatuses: EtcdRaftStatus[] = [];
  for (const a of obs.answers.values())
    if (a.ok) {
      statuses.push(a.status);
      if (a.raft !== null) raftStatuses.push(a.raft);
    }

  // The member list: this look's, else the last known, else (a first look with no list) who answered.
  const list: readonly EtcdMember[] =
    obs.members ??
    prev?.members ??
    statuses.map((s) => ({ id: s.memberId, name: '', peerUrls: [], clientUrls: [s.endpoint], learner: s.learner }));

  const ids = new Map(prev?.ids ?? []);
  let next = Math.max(0, ...ids.values()) + 1;
  for (const m of [...list].sort(byNameThenId)) if (!ids.has(m.id)) ids.set(m.id, next++);
  const idOf = (hex: string): NodeId | null => ids.get(hex) ?? null;

  // A failed answer is keyed by member id when the list was known, else by the endpoint asked.
  const answerOf = (m: EtcdMember) =>
    obs.answers.get(m.id) ?? (m.clientUrls[0] === undefined ? undefined : obs.answers.get(m.clientUrls[0]));

  const prevNodes = new Map((prev?.model.nodes ?? []).map((n) => [n.id, n]));
  const nodes: NodeModel[] = [];
  const alarms = new Map<NodeId, readonly string[]>();
  for (const m of list) {
    const id = ids.get(m.id)!;
    const before = prevNodes.get(id);
    const answer = answerOf(m);
    const ok = answer?.ok === true;
    const status = answer?.ok === true ? answer.status : null;
    const etcd: EtcdNodeInfo = {
      memberId: m.id,
      name: m.name,
      clientUrl: m.clientUrls[0] ?? '',
      peerUrl: m.peerUrls[0] ?? '',
      learner: m.learner,
      dbSize: status?.dbSize ?? before?.etcd?.dbSize ?? null,
    };
    nodes.push({
      id,
      address: m.clientUrls[0] === undefined ? '' : hostPort(m.clientUrls[0]),
      dataDir: '',
      process: {
        state: ok ? 'running' : 'unreachable',
        pid: null,
        exitCode: null,
        signal: null,
        stderrTail: [],
        startedAt: null,
        restarts: 0,
      },
      raft: status !== null ? stateOf(status, list, idOf, {}, answer?.ok === true ? answer.raft : null) : (before?.raft ?? null),
      removed: false,
      etcd,
    });

    // Membership.
    if (prev !== null && before === undefined)
      out.push({ type: 'observed-joined', node: id, name: m.name, memberId: m.id, learner: m.learner });
    if (before?.etcd?.learner === true && !m.learner && !before.removed)
      out.push({ type: 'observed-promoted', node: id, name: m.name, memberId: m.id });

    // Reachability.
    const wasUp = before?.process.state === 'running';
    if (ok && before !== undefined && !wasUp) out.push({ type: 'observed-answers', node: id, first: before.raft === null });
    if (!ok && (before === undefined ? prev === null || m.clientUrls.length > 0 : wasUp)) {
      const cause = answer?.ok === false ? causeOf(answer.error) : 'it has no client URL yet (added, not started)';
      out.push({ type: 'observed-silent', node: id, cause, first: before === undefined });
    }

    // Alarms, each once while it lasts. A status's errors also carry passing conditions such as
    // "etcdserver: no leader", which the leader events tell already: only alarms are told here.
    const now = status !== null ? status.errors.flatMap(alarmOf) : (prev?.alarms.get(id) ?? []);
    alarms.set(id, now);
    const had = prev?.alarms.get(id) ?? [];
    for (const alarm of now) if (!had.includes(alarm)) out.push({ type: 'observed-alarm', node: id, alarm });
  }
  // Members no longer listed stay, removed, with what they last reported.
  const listed = new Set(nodes.map((n) => n.id));
  for (const before of prev?.model.nodes ?? []) {
    if (listed.has(before.id)) continue;
    if (!before.removed && before.etcd !== undefined)
      out.push({ type: 'observed-removed', node: before.id, name: before.etcd.name, memberId: before.etcd.memberId });
    nodes.push({ ...before, removed: true, process: { ...before.process, state: 'unreachable' } });
  }
  nodes.sort((a, b) => a.id - b.id);

  // Who leads: every answering member that names itself leader, by term.
  const termLeaders = new Map(prev?.termLeaders ?? []);
  let safety: SafetyVerdict = prev?.model.safety ?? { ok: true, checkedReports: 0 };
  const checkedReports = safety.checkedReports + statuses.length;
  let leader: { node: NodeId; term: number } | null = null;
  for (const s of statuses) {
    if (s.leader !== s.memberId) continue;
    const node = idOf(s.memberId);
    if (node === null) continue;
    const other = termLeaders.get(s.raftTerm);
    if (other !== undefined && other !== node && safety.ok) {
      const pair = [other, node].sort((a, b) => a - b);
      out.push({ type: 'observed-two-leaders', nodes: pair, term: s.raftTerm });
      safety = {
        ok: false,
        property: 'Election Safety',
        nodes: pair,
        text: `n${pair[0]} and n${pair[1]} both named themselves leader of term ${s.raftTerm}`,
        ts: obs.at,
        checkedReports,
      };
    }
    if (other === undefined) termLeaders.set(s.raftTerm, node);
    if (leader === null || s.raftTerm > leader.term) leader = { node, term: s.raftTerm };
  }
  for (const term of [...termLeaders.keys()].sort((a, b) => b - a).slice(TERMS_KEPT)) termLeaders.delete(term);
  safety = { ...safety, checkedReports };

  const last = prev?.leader ?? null;
  if (leader !== null) {
    if (last === null || (last.node === leader.node && leader.term > last.term) || (last.node === leader.node && !prev!.leaderNow))
      out.push({ type: 'observed-leader', node: leader.node, term: leader.term });
    else if (last.node !== leader.node) out.push({ type: 'observed-leader-change', node: leader.node, from: last.node, term: leader.term });
  } else if (last !== null && prev!.leaderNow) out.push({ type: 'observed-no-leader', was: last.node, term: last.term });

  const first = statuses[0];
  const version = first?.version ?? (prev?.model.engine.kind === 'etcd' ? prev.model.engine.version : null);
  const clusterIdHex = (first?.clusterId || null) ?? (prev?.model.engine.kind === 'etcd' ? prev.model.engine.clusterIdHex : null);
  if (prev === null)
    out.unshift({
      type: 'observed-attached',
      endpoint: settings.endpoints.join(','),
      members: list.length,
      answering: statuses.length,
      version: version ?? '',
    });

  const timing = timingOf(raftStatuses);
  const engine: EngineInfo = {
    kind: 'etcd',
    version,
    clusterIdHex,
    remote: true,
    writable: settings.writable,
    unreported: etcdUnreported({ raftStatus: raftStatuses.length > 0, logs: false }),
    timingKnown: timing !== null,
  };
  const lines = out.map((e) => observedLine(e, obs.at));
  const events = [...(prev?.model.events ?? []), ...lines];
  const model: ClusterModel = {
    name: attachedName(settings.endpoints),
    clusterId: clusterIdHex ?? '',
    engine,
    folder: '',
    supervisorPid: 0,
    startedAt: settings.startedAt,
    timing: timing ?? UNKNOWN_TIMING,
    // etcd always syncs its log (3.4 has no switch to turn it off); like the timing, not reported.
    fsync: true,
    // The version's defaults (PreVote off in 3.4, on from 3.5; CheckQuorum always on): not reported either.
    switches: { preVote: raftStatuses[0]?.flags.preVote ?? (version === null || !version.startsWith('3.4')), checkQuorum: true, bugs: [] },
    snapshotEvery: 0,
    nodes,
    links: [],
    partition: [],
    events: events.length > EVENT_HISTORY ? events.slice(-EVENT_HISTORY) : events,
    safety,
  };
  return {
    state: { model, ids, members: list, termLeaders, leader: leader ?? last, leaderNow: leader !== null, alarms },
    events: lines,
  };
}
