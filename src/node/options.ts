// What one node process is started with, and the parsing of its command-line spellings. Each parser
// throws a UsageError whose message names the option, what was wrong and an example of a good one.
import { KNOWN_BUG_NAMES, isBugName, type BugName, type RaftSwitches } from '../raft/config.js';
import type { NodeId } from '../raft/types.js';
import type { PeerAddress } from '../transport/index.js';
import type { ClusterSecret } from '../transport/secret.js';
import type { TlsFiles } from '../transport/tls.js';

export class UsageError extends Error {}

/** A node snapshots its state machine once this many applied entries sit in its log, unless told otherwise (--compact-every). */
export const DEFAULT_COMPACT_EVERY = 10_000;

export interface NodeOptions {
  id: NodeId;
  clusterId: string;
  /** The cluster secret every hello proves; NO_SECRET with --insecure-no-auth (see insecureNoAuth). */
  secret: ClusterSecret;
  /** Run without a secret: anybody who can reach the port may join or write. Said in the started line and status. */
  insecureNoAuth: boolean;
  /** Mutual TLS on the port and towards peers (--cert-file, --key-file, --trusted-ca-file), or null. */
  tls: TlsFiles | null;
  listen: { host: string; port: number };
  /** The other voters at bootstrap (ignored once the log holds a configuration). */
  peers: PeerAddress[];
  /** Start with no configuration: wait to be added by the leader (a node joining a running cluster). */
  join: boolean;
  dataDir: string;
  /** Election timeout range and heartbeat interval, in milliseconds. */
  electionTimeoutMs: { min: number; max: number };
  heartbeatMs: number;
  /** How long one tick of the core lasts. */
  tickMs: number;
  unsafeNoFsync: boolean;
  /** Take a snapshot once this many applied entries sit in the log. */
  compactEvery: number;
  requestTimeoutMs: number;
  /** PreVote, CheckQuorum and known bugs switched on, as the whole cluster runs them. */
  switches: RaftSwitches;
  /**
   * What this node had acknowledged, as recorded outside its data directory (the supervisor's
   * cluster folder): a data directory behind it lost data, and the node starts in recovering mode.
   */
  acknowledged: Acknowledged | null;
  /** Start in step mode (step-mode.ts): the supervisor's cluster is stepping when this node (re)starts. */
  step: boolean;
}

/** The highest term and commit index a node was seen at. */
export interface Acknowledged {
  term: number;
  commit: number;
}

/** "5:120" -> term 5, commit 120. */
export function parseAcknowledged(text: string): Acknowledged {
  const m = /^\s*(\d+):(\d+)\s*$/.exec(text);
  const term = Number(m?.[1]);
  const commit = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(term) || !Number.isSafeInteger(commit))
    throw new UsageError(`--acknowledged must be TERM:COMMIT, whole numbers, got "${text}" (e.g. 5:120)`);
  return { term, commit };
}

const integer = (text: string, what: string, example: string, min = 0): number => {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${what} must be a whole number, got "${text}" (e.g. ${example})`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${what} must be at least ${min}, got ${text} (e.g. ${example})`);
  return n;
};

/** "3" -> 3. */
export function parseNodeId(text: string, what = '--id'): NodeId {
  return integer(text, what, '3', 1);
}

/** "127.0.0.1:7003" or "7003" -> host and port. `what` names the option (or --peers entry) in errors. */
export function parseListen(text: string, what = '--listen'): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  const host = at < 0 ? '127.0.0.1' : text.slice(0, at);
  const port = integer(at < 0 ? text : text.slice(at + 1), `${what} port`, '127.0.0.1:7003');
  if (port > 65535) throw new UsageError(`${what} port must be at most 65535, got ${port}`);
  if (host === '') throw new UsageError(`${what} needs a host before the colon, got "${text}" (e.g. 127.0.0.1:7003)`);
  return { host, port };
}

/** "1=127.0.0.1:7001,2=127.0.0.1:7002" -> peers. */
export function parsePeers(text: string, self: NodeId): PeerAddress[] {
  if (text.trim() === '') return [];
  const peers: PeerAddress[] = [];
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new UsageError(`--peers entry "${part}" must be id=host:port (e.g. 1=127.0.0.1:7001)`);
    const id = parseNodeId(part.slice(0, eq), '--peers id');
    if (id === self) throw new UsageError(`--peers lists n${id}, which is this node (--id ${self}): list only the others`);
    if (peers.some((p) => p.id === id)) throw new UsageError(`--peers lists n${id} twice`);
    // Named as the entry, not as --listen: the user typed it in --peers.
    const { host, port } = parseListen(part.slice(eq + 1), `--peers entry "${part}":`);
    if (port === 0) throw new UsageError(`--peers entry "${part}" needs a real port, not 0`);
    peers.push({ id, host, port });
  }
  return peers;
}

/** "150-300" -> { min: 150, max: 300 }. */
export function parseRange(text: string, what: string): { min: number; max: number } {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`${what} must be a range of milliseconds like 150-300, got "${text}"`);
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < 1 || max < min) throw new UsageError(`${what} must be min-max with 1 <= min <= max, got "${text}"`);
  return { min, max };
}

/** ["vote-not-persisted"] -> the known bugs, each once; an unknown name lists the valid ones. */
export function parseBugs(names: readonly string[]): BugName[] {
  const bugs: BugName[] = [];
  for (const name of names) {
    if (!isBugName(name)) throw new UsageError(`--bug must be one of ${KNOWN_BUG_NAMES.join(', ')}, got "${name}"`);
    if (!bugs.includes(name)) bugs.push(name);
  }
  return bugs;
}

export function parsePositive(text: string, what: string, example: string): number {
  return integer(text, what, example, 1);
}

/**
 * The tick that suits a heartbeat of `heartbeatMs`: the longest that divides it into at least five
 * ticks (10 ms for 50 ms), so that the heartbeat, which falls on whole ticks, is kept exactly, and a
 * tick is short against it. Election timeouts need no whole number of ticks (timingInTicks).
 */
export function tickForHeartbeat(heartbeatMs: number): number {
  for (let tick = Math.floor(heartbeatMs / 5); tick > 1; tick--) if (heartbeatMs % tick === 0) return tick;
  return 1;
}

/** The core's timing in ticks, checked so that a heartbeat fits well inside an election timeout. */
export function timingInTicks(o: Pick<NodeOptions, 'electionTimeoutMs' | 'heartbeatMs' | 'tickMs'>): {
  electionTimeoutMin: number;
  electionTimeoutMax: number;
  heartbeatInterval: number;
} {
  const t = {
    // Not rounded to whole ticks: the core draws the timeout from the continuous range and the node
    // fires it at its millisecond (core-time.ts), so that any range is kept, down to the 150-151 ms
    // and 12-24 ms of the dissertation's Figure 16 (9.3), at any tick length.
    electionTimeoutMin: o.electionTimeoutMs.min / o.tickMs,
    electionTimeoutMax: o.electionTimeoutMs.max / o.tickMs,
    // Heartbeats fall on whole ticks (exact when the tick divides the heartbeat: tickForHeartbeat).
    heartbeatInterval: Math.max(1, Math.round(o.heartbeatMs / o.tickMs)),
  };
  if (t.heartbeatInterval >= t.electionTimeoutMin) {
    const heartbeatMs = t.heartbeatInterval * o.tickMs;
    const rounded = heartbeatMs === o.heartbeatMs ? '' : `, ${heartbeatMs} ms in whole ticks of ${o.tickMs} ms`;
    throw new UsageError(
      `--heartbeat (${o.heartbeatMs} ms${rounded}) must be shorter than the smallest election timeout (${o.electionTimeoutMs.min} ms), or followers time out between heartbeats`,
    );
  }
  return t;
}

/** Whether `host` is a loopback address: only this machine's users can reach a port bound there. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
