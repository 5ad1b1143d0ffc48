// How an etcd member of a local cluster is started, as pure functions of cluster.json: its URLs,
// its command line, and the timing etcd can take. etcd/fleet.ts runs what these say.
//
// Each member has three loopback ports: its client port (the JSON gateway: status, member list,
// key-value), its own peer listener, and the port of the supervisor's fault proxy in front of that
// listener. The member advertises the proxy's URL as its peer URL, so every peer connection to it
// passes through the proxy, which can cut, delay or drop it (etcd/peer-proxy.ts); its own listener
// is reached by nothing else.
import { createHash } from 'node:crypto';
import type { NodeId } from '../../raft/types.js';
import { ClusterError } from '../../cluster-model/errors.js';
import type { RaftSwitches, Timing } from '../../cluster-model/model.js';

/** What cluster.json keeps of an etcd member beyond its node id and data folder. */
export interface EtcdMemberSetup {
  clientPort: number;
  /** The member's own peer listener, behind the proxy. */
  peerPort: number;
  /** The proxy's port: the member's peer URL as the cluster knows it. */
  proxyPort: number;
  /** The member id (hex) once known: from its status, or from the answer to adding it. */
  memberId: string | null;
  /**
   * For a member added to a running cluster: the --initial-cluster it joined with (etcd checks it
   * against the cluster on its first start; a restart reads its data instead). null for the
   * members the cluster was created with, whose initial cluster is each other.
   */
  initialCluster: string | null;
}

/** One member's start: its id, its data folder (absolute), and its ports. */
export interface EtcdMemberStart {
  id: NodeId;
  dataDir: string;
  etcd: EtcdMemberSetup;
}

/** The member's name, as etcd knows it: the node id raft-console shows. */
export const memberName = (id: NodeId): string => `n${id}`;

/** The node id a member's name gives ("n3": 3), or null for a name raft-console did not give. */
export function nodeIdOfName(name: string): NodeId | null {
  const m = /^n([1-9][0-9]*)$/.exec(name);
  return m === null ? null : Number(m[1]);
}

export const clientUrl = (m: Pick<EtcdMemberSetup, 'clientPort'>): string => `http://127.0.0.1:${m.clientPort}`;

/** The peer URL the cluster knows the member by: its fault proxy's. */
export function advertisedPeerUrl(m: Pick<EtcdMemberSetup, 'proxyPort'>): string {
  return `http://127.0.0.1:${m.proxyPort}`;
}

/** "n1=http://127.0.0.1:P1,n2=...": the members a new cluster is created with. */
export function bootstrapCluster(members: readonly { id: NodeId; etcd: EtcdMemberSetup }[]): string {
  return members.map((m) => `${memberName(m.id)}=${advertisedPeerUrl(m.etcd)}`).join(',');
}

/** The timing an etcd member is started with, and the model's account of it. */
export interface EtcdTiming {
  /** --heartbeat-interval, ms: also etcd's tick. */
  heartbeatMs: number;
  /** --election-timeout, ms. */
  electionTimeoutMs: number;
  /** What the model says: etcd draws each timeout in whole ticks from [et, 2et - 1 tick]. */
  timing: Timing;
  /** One sentence when etcd could not take what was asked as it was; null when it could. */
  adjusted: string | null;
}

/** etcd refuses an election timeout under 5 heartbeats ("--election-timeout should be at least 5 times --heartbeat-interval"). */
const MIN_TICKS = 5;
/** etcd refuses an election timeout over 50 s. */
const MAX_ELECTION_MS = 50_000;

function etcdTiming(preset: Timing['preset'], heartbeatMs: number, electionTimeoutMs: number, adjusted: string | null): EtcdTiming {
  return {
    heartbeatMs,
    electionTimeoutMs,
    timing: {
      preset,
      tickMs: heartbeatMs,
      electionTimeoutMs: { min: electionTimeoutMs, max: 2 * electionTimeoutMs - heartbeatMs },
      heartbeatMs,
    },
    adjusted,
  };
}

/**
 * The timing for etcd from what was asked. etcd takes one election timeout and draws the actual
 * one per term from [et, 2et - 1 heartbeat] in whole heartbeats, and wants et >= 5 heartbeats.
 * A speed preset keeps its smallest election timeout and, where its heartbeat is too long for
 * etcd's rule (every preset's: 15 ticks of timeout to 5 of heartbeat), takes a fifth of the
 * timeout as the heartbeat, and says so: a preset is a pace, and the pace of elections is what it
 * keeps. Explicit values are what the user asked for exactly, so those are refused with the fix
 * rather than changed.
 */
export function chooseEtcdTiming(asked: Timing): EtcdTiming {
  const et = asked.electionTimeoutMs.min;
  const hb = asked.heartbeatMs;
  if (et > MAX_ELECTION_MS)
    throw new ClusterError(`etcd takes an election timeout of at most ${MAX_ELECTION_MS} ms, got ${et}: give a smaller --election-timeout`);
  if (asked.preset === 'custom') {
    if (hb * MIN_TICKS > et)
      throw new ClusterError(
        `etcd wants an election timeout of at least ${MIN_TICKS} heartbeats, and ${et} ms is less than ${MIN_TICKS} x ${hb} ms: ` +
          `give --heartbeat ${Math.floor(et / MIN_TICKS)} or less, or --election-timeout ${hb * MIN_TICKS}-${hb * MIN_TICKS * 2} or more`,
      );
    const t = etcdTiming('custom', hb, et, null);
    const { min, max } = t.timing.electionTimeoutMs;
    const note =
      asked.electionTimeoutMs.max === max
        ? null
        : `etcd takes one election timeout and draws each in ${min}-${max} ms in ${hb} ms steps (asked: ${asked.electionTimeoutMs.min}-${asked.electionTimeoutMs.max} ms)`;
    return { ...t, adjusted: note };
  }
  if (hb * MIN_TICKS <= et) return etcdTiming(asked.preset, hb, et, null);
  const fitted = Math.max(1, Math.floor(et / MIN_TICKS));
  return etcdTiming(
    asked.preset,
    fitted,
    et,
    `etcd wants an election timeout of at least ${MIN_TICKS} heartbeats, so the ${asked.preset} speed's ${et} ms timeout goes with a heartbeat every ${fitted} ms instead of ${hb} ms`,
  );
}

/** The command line of one member (without the binary). */
export function memberArgs(o: {
  member: EtcdMemberStart;
  /** Every member of a new cluster (for a member the cluster was created with). */
  bootstrap: string;
  /** The cluster's token: the cluster id of cluster.json, so that two clusters never mix. */
  token: string;
  heartbeatMs: number;
  electionTimeoutMs: number;
  switches: Pick<RaftSwitches, 'preVote'>;
  snapshotEvery: number;
}): string[] {
  const { member: m } = o;
  const client = clientUrl(m.etcd);
  const joined = m.etcd.initialCluster !== null;
  return [
    ...['--name', memberName(m.id), '--data-dir', m.dataDir],
    ...['--listen-client-urls', client, '--advertise-client-urls', client],
    ...['--listen-peer-urls', `http://127.0.0.1:${m.etcd.peerPort}`],
    ...['--initial-advertise-peer-urls', advertisedPeerUrl(m.etcd)],
    // Ignored once the data folder holds a member: a restart reads its cluster from there.
    ...['--initial-cluster', m.etcd.initialCluster ?? o.bootstrap],
    ...['--initial-cluster-state', joined ? 'existing' : 'new'],
    ...['--initial-cluster-token', o.token],
    ...['--heartbeat-interval', String(o.heartbeatMs), '--election-timeout', String(o.electionTimeoutMs)],
    // etcd 3.4 has PreVote off by default; CheckQuorum it always has.
    ...(o.switches.preVote ? ['--pre-vote'] : []),
    ...['--snapshot-count', String(o.snapshotEvery)],
    // One JSON object a line on stderr: read by the log parser, kept in the member's log file.
    ...['--logger', 'zap', '--log-outputs', 'stderr'],
  ];
}

/**
 * The member id etcd gives a member of a new cluster: the first 8 bytes of SHA-1 over its peer
 * URLs (sorted) and the cluster token, as etcd's membership.NewMember computes it. Known before
 * the member starts, so its first log lines (its first election) already name a node.
 */
export function bootstrapMemberId(peerUrls: readonly string[], token: string): string {
  const digest = createHash('sha1')
    .update([...peerUrls].sort().join('') + token)
    .digest();
  return digest.readBigUInt64BE(0).toString(16);
}
