// What the check's workload needs of a cluster's client, whatever the engine: perform one
// operation, at most once, and say how it ended (ok, fail, info) and what it saw of the key. Each
// engine's client decides that from its own errors: raft-console's here (the client library with a
// write session), etcd's in etcd-client.ts (the JSON gateway). The workload (workload.ts) draws
// the operations, times them and records them; it never looks at an engine's errors.
import { RaftClient, RaftClientError, type ClusterSecret, type NodeSpec, type WriteSession } from '../client/index.js';
import { Random } from '../sim/random.js';
import type { OpInput, OpOutcome } from './history.js';

/** How an operation ended, and the value the key held as the operation saw it, when it saw one. */
export interface Performed {
  outcome: OpOutcome;
  holds?: string | null;
}

/** One worker's connection to the cluster: one operation in flight at a time. */
export interface CheckClient {
  /** Performs the operation; a write or cas takes effect at most once, whatever is retried inside. */
  perform(input: OpInput): Promise<Performed>;
  /** Ends the connections; an operation in flight then ends (as info or fail, as its client judges). */
  close(): void;
}

/**
 * Where the clients' reads go: to the leader (null), or to one node only, with no redirect, while an
 * aimed episode (aimed/stale-read.ts) sends them to a leader it cut off. Shared by every worker.
 */
export interface ReadRoute {
  via: number | null;
}

/** Opens the client of worker `index` (its own connections, its own session, its own seeded choices). */
export type ConnectClient = (index: number) => CheckClient;

/** How the reason of a cas that did not match begins, on every engine. */
const CAS_MISMATCH = 'mismatch';

/** A cas the cluster answered without swapping: it changed nothing. */
export function casMismatch(current: string | null): Performed {
  return {
    outcome: { type: 'fail', reason: `${CAS_MISMATCH}: the key held ${JSON.stringify(current)}`, mismatch: { current } },
    holds: current,
  };
}

// --- raft-console --------------------------------------------------------------------------------

/** Codes that mean a write was certainly not applied: the state machine or the client refused it. */
const CERTAIN_REFUSALS = new Set(['invalid-command', 'malformed', 'unsupported-version', 'too-large']);

/**
 * How a failed write or cas is recorded. A session-expired or stale-sequence answer can come to a
 * retry whose first attempt did apply, so only the refusals above are certain.
 */
function writeFailure(err: RaftClientError): OpOutcome {
  return CERTAIN_REFUSALS.has(err.code) ? { type: 'fail', reason: err.code } : { type: 'info', reason: err.code };
}

/**
 * raft-console's client: a RaftClient and a write session per worker. The client retries across
 * leader changes until `opTimeoutMs`; the session (clientId, seq) makes those retries exactly-once.
 * A read is a linearizable ReadIndex read on the leader.
 */
class RaftConsoleCheckClient implements CheckClient {
  private readonly client: RaftClient;
  private readonly session: WriteSession;
  private readonly route: ReadRoute | undefined;

  constructor(o: {
    clusterId: string;
    secret: ClusterSecret;
    nodes: readonly NodeSpec[];
    opTimeoutMs: number;
    random?: () => number;
    route?: ReadRoute | undefined;
  }) {
    this.client = new RaftClient({
      clusterId: o.clusterId,
      secret: o.secret,
      nodes: o.nodes,
      timeoutMs: o.opTimeoutMs,
      ...(o.random === undefined ? {} : { random: o.random }),
    });
    this.session = this.client.session();
    this.route = o.route;
  }

  async perform(input: OpInput): Promise<Performed> {
    if (input.kind === 'read') {
      try {
        const via = this.route?.via ?? null;
        const value = (await this.client.get(input.key, via === null ? {} : { via })).value;
        return { outcome: { type: 'ok', value }, holds: value };
      } catch (err) {
        if (!(err instanceof RaftClientError)) throw err;
        // A read changes nothing: one with no answer is as if it had not been made.
        return { outcome: { type: 'fail', reason: err.code } };
      }
    }
    try {
      if (input.kind === 'write') await this.session.put(input.key, input.value);
      else {
        const r = await this.session.cas(input.key, input.expected, input.value);
        if (!r.result.swapped) return casMismatch(r.result.current);
      }
      return { outcome: { type: 'ok' }, holds: input.value };
    } catch (err) {
      if (!(err instanceof RaftClientError)) throw err;
      return { outcome: writeFailure(err) };
    }
  }

  close(): void {
    this.client.close();
  }
}

/** raft-console clients for a check: worker i's choices of node and backoff seeded from (seed, i). */
export function raftConsoleClients(o: {
  clusterId: string;
  secret: ClusterSecret;
  nodes: readonly NodeSpec[];
  opTimeoutMs: number;
  seed: number;
  route?: ReadRoute;
}): ConnectClient {
  return (index) => new RaftConsoleCheckClient({ ...o, random: new Random(o.seed, 'client', index).asFunction() });
}
