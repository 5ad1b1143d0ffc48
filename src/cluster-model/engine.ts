// Which Raft implementation a cluster runs, and what its nodes can tell about themselves.
// raft-console's own nodes report every field of a state line (src/node/state-line.ts); an etcd
// member is watched from outside, through its status and member-list APIs and its log lines, and
// some of those fields it never exposes (its log entries, its timers, a leader's view of each
// follower). A model of an etcd cluster fills those with zeros and empty lists and says so here, so
// that a view shows "not exposed" instead of a number that was never reported: no invented data.
import type { StateLine } from '../node/state-line.js';

export type EngineKind = 'raft-console' | 'etcd';

/** Every engine `up --engine` takes, the default first. */
export const ENGINE_KINDS: readonly EngineKind[] = ['raft-console', 'etcd'];

/** A field of a node's state that an engine may not report. */
export type StateField = keyof Pick<
  StateLine,
  'vote' | 'lastIndex' | 'lastTerm' | 'firstIndex' | 'snapshotIndex' | 'runs' | 'timer' | 'progress' | 'digests'
>;

/**
 * What etcd never tells from outside: its log entries and their bounds, its timers, its digests.
 * Its Raft node's own account (GET /debug/vars) gives the vote and a leader's progress; without it
 * the status API gives neither, and only a member's log lines tell its votes.
 */
export const ETCD_UNREPORTED: readonly StateField[] = ['lastIndex', 'lastTerm', 'firstIndex', 'snapshotIndex', 'runs', 'timer', 'digests'];

/** The fields an etcd cluster's members do not report, given what raft-console reads of them. */
export function etcdUnreported(read: { raftStatus: boolean; logs: boolean }): StateField[] {
  if (read.raftStatus) return [...ETCD_UNREPORTED];
  return [...ETCD_UNREPORTED, 'progress', ...(read.logs ? [] : ['vote' as const])];
}

export type EngineInfo =
  | { kind: 'raft-console' }
  | {
      kind: 'etcd';
      /** The members' server version as their status reports it, once known. */
      version: string | null;
      /** The cluster id as etcd prints it (hex), once known. */
      clusterIdHex: string | null;
      /** Attached to a cluster that runs elsewhere (`dashboard --etcd`): no processes, no faults. */
      remote: boolean;
      /** Whether transfer and member changes are allowed (always for a local cluster; remote only with --allow-changes). */
      writable: boolean;
      /** The state fields its members do not report (ETCD_UNREPORTED, and `vote` when no log lines are read). */
      unreported: StateField[];
      /**
       * False when the model's timing, switches and fsync are not what the members run with but a
       * placeholder: etcd's APIs do not tell its heartbeat, election timeout or PreVote, so an attached
       * cluster's are unknown (show them as not exposed). Absent: known (a cluster raft-console runs).
       */
      timingKnown?: boolean;
    };

/** An etcd member's identity beside the node id raft-console gives it. */
export interface EtcdNodeInfo {
  /** The member id as etcd's logs print it (lowercase hex, no leading zeros); '' until the member has one. */
  memberId: string;
  /** The member's name (`--name`). */
  name: string;
  /** Where clients reach it, e.g. http://127.0.0.1:2379. */
  clientUrl: string;
  /** The peer URL it advertises (for a local cluster: the supervisor's fault proxy in front of it). */
  peerUrl: string;
  learner: boolean;
  /** Its backend database size in bytes, from its status; null until polled. */
  dbSize: number | null;
}

export const RAFT_CONSOLE_ENGINE: EngineInfo = { kind: 'raft-console' };

/** Whether the cluster's nodes report that field of their state: false means show it as not exposed. */
export function reports(engine: EngineInfo, field: StateField): boolean {
  return engine.kind === 'raft-console' || !engine.unreported.includes(field);
}

/** Whether `ClusterModel.timing` (and the switches and fsync beside it) is what the nodes run with. */
export function timingKnown(engine: EngineInfo): boolean {
  return engine.kind === 'raft-console' || engine.timingKnown !== false;
}

/** "etcd 3.4.23" or "raft-console", for headers and sentences. */
export function engineName(engine: EngineInfo): string {
  if (engine.kind === 'raft-console') return 'raft-console';
  return engine.version === null ? 'etcd' : `etcd ${engine.version}`;
}
