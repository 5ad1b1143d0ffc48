// After the faults are healed: waits for the cluster to settle (one leader every node follows, every
// node holding and having applied the leader's whole log), then asks every node for its status and
// its log and compares them. Raft's Log Matching and State Machine Safety say that committed
// entries are the same on every node, so after settling the logs must be equal where they overlap
// (a node's log starts after its last snapshot) and so must the state machines built from them.
// An etcd member shows neither its log nor its last index: there, settling means every member has
// committed and applied what the leader committed, and the comparison is of what each member's own
// store holds (a local, serializable read of every key at the same revision).
import { thousands } from '../cluster-model/plural.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  clusterSecret,
  leaderOf,
  memberIds,
  members,
  until,
  type ClusterModel,
  type ClusterSource,
  type NodeRaftState,
} from '../cluster-model/index.js';
import { RaftClient, RaftClientError } from '../client/index.js';
import { reports } from '../cluster-model/engine.js';
import { EtcdError } from '../etcd/errors.js';
import { EtcdGateway } from '../etcd/gateway.js';
import type { CheckOutcome } from './checks.js';

/** The index every node must have committed and applied: the leader's last one, or its commit index where the engine does not report the last (etcd). */
function tipOf(m: ClusterModel, leader: NodeRaftState): number {
  return reports(m.engine, 'lastIndex') ? leader.lastIndex : leader.commit;
}

/** One leader of the highest term, every member running, following it, and caught up with its log. */
export function settled(m: ClusterModel): boolean {
  const nodes = members(m);
  if (nodes.some((n) => n.process.state !== 'running' || n.raft === null)) return false;
  const leaders = nodes.filter((n) => n.raft!.role === 'leader');
  if (leaders.length !== 1) return false;
  const top = leaders[0]!.raft!;
  const tip = tipOf(m, top);
  const lastIndexReported = reports(m.engine, 'lastIndex');
  return nodes.every(
    (n) =>
      n.raft!.term === top.term &&
      n.raft!.leader === top.leader &&
      (!lastIndexReported || n.raft!.lastIndex === tip) &&
      n.raft!.commit === tip &&
      n.raft!.applied === tip,
  );
}

/**
 * Waits until the cluster has settled; the check fails (a liveness failure) if it has not within
 * `timeoutMs`. A cluster whose safety monitor found a violation may never settle: that is not
 * waited for.
 */
export async function awaitSettled(target: ClusterSource, timeoutMs: number): Promise<CheckOutcome> {
  const started = performance.now();
  const broken = (m: ClusterModel): boolean => (m.safety as ClusterModel['safety'] | undefined)?.ok === false;
  const ok = await until(target, (m) => settled(m) || broken(m), timeoutMs);
  const took = ((performance.now() - started) / 1000).toFixed(1);
  if (ok && !settled(target.model))
    return {
      name: 'settled',
      ok: null,
      text: 'not waited for: the safety monitor found a violation (below), after which the cluster may never settle',
    };
  if (ok) {
    // Settled: every member runs and exactly one leads, so it is the leader of the highest term.
    const leader = leaderOf(target.model)!;
    return {
      name: 'settled',
      ok: true,
      text: `settled ${took} s after healing: n${leader.id} leads term ${leader.raft!.term}, every node applied the log to index ${tipOf(target.model, leader.raft!)}`,
    };
  }
  const states = members(target.model).map((n) =>
    n.raft === null
      ? `n${n.id} ${n.process.state}`
      : `n${n.id} ${n.process.state} ${n.raft.role} term ${n.raft.term} last ${n.raft.lastIndex} commit ${n.raft.commit} applied ${n.raft.applied}`,
  );
  return {
    name: 'settled',
    ok: false,
    text: `the cluster did not settle within ${took} s of healing (no single leader with every node caught up): ${states.join('; ')}`,
  };
}

interface NodeHoldings {
  id: number;
  lastIndex: number;
  lastTerm: number;
  commit: number;
  applied: number;
  firstIndex: number;
  kv: { keys: number; sessions: number; submitted: number };
  /** index -> the entry as JSON, from firstIndex to lastIndex. */
  entries: Map<number, string>;
}

async function holdings(client: RaftClient, id: number, timeoutMs: number): Promise<NodeHoldings> {
  const s = await client.status(id, { timeoutMs });
  const entries = new Map<number, string>();
  let from = s.firstIndex;
  while (from <= s.lastIndex) {
    const page = await client.log(id, { from, to: s.lastIndex }, { timeoutMs });
    if (page.entries.length === 0) break;
    for (const { committed: _committed, ...e } of page.entries) entries.set(e.index, JSON.stringify(e));
    from = page.entries.at(-1)!.index + 1;
  }
  return {
    id,
    lastIndex: s.lastIndex,
    lastTerm: s.lastTerm,
    commit: s.commit,
    applied: s.applied,
    firstIndex: s.firstIndex,
    kv: s.kv,
    entries,
  };
}

/** The first way in which the nodes disagree, or null when they hold the same. */
function disagreement(nodes: NodeHoldings[]): { definite: boolean; text: string } | null {
  const [first, ...others] = nodes;
  if (first === undefined) return null;
  for (const n of others) {
    // Committed entries at the same index must be equal: anything else breaks safety, settled or not.
    const lo = Math.max(first.firstIndex, n.firstIndex);
    for (let i = lo; i <= Math.min(first.commit, n.commit); i++) {
      const a = first.entries.get(i);
      const b = n.entries.get(i);
      if (a !== undefined && b !== undefined && a !== b)
        return { definite: true, text: `committed entry ${i} differs: n${first.id} holds ${a}, n${n.id} holds ${b}` };
    }
  }
  for (const n of others) {
    for (const field of ['lastIndex', 'lastTerm', 'commit', 'applied'] as const)
      if (n[field] !== first[field]) return { definite: false, text: `n${first.id} has ${field} ${first[field]}, n${n.id} ${n[field]}` };
    if (JSON.stringify(n.kv) !== JSON.stringify(first.kv))
      return {
        definite: true,
        text: `the state machines differ at the same applied index ${n.applied}: n${first.id} ${JSON.stringify(first.kv)}, n${n.id} ${JSON.stringify(n.kv)}`,
      };
  }
  return null;
}

/**
 * Compares what every member holds, asking each node itself. A difference in committed entries or
 * in the state at the same applied index is a violation at once; a node merely behind is asked
 * again until `timeoutMs`. On etcd, what each member's store holds for `keys`.
 */
export async function compareNodes(target: ClusterSource, timeoutMs: number, keys: readonly string[]): Promise<CheckOutcome> {
  const m = target.model;
  if (m.engine.kind === 'etcd') return compareEtcdMembers(m, keys, timeoutMs);
  const ids = memberIds(m);
  const client = new RaftClient({
    clusterId: m.clusterId,
    secret: clusterSecret(m.folder),
    nodes: members(m).map((n) => ({ id: n.id, address: n.address })),
  });
  const deadline = performance.now() + timeoutMs;
  let last: string;
  try {
    for (;;) {
      try {
        const nodes = await Promise.all(ids.map((id) => holdings(client, id, Math.max(1000, deadline - performance.now()))));
        const d = disagreement(nodes);
        if (d === null) {
          const n = nodes[0]!;
          const overlap = Math.min(...nodes.map((x) => x.entries.size));
          return {
            name: 'converged',
            ok: true,
            text: `all ${nodes.length} nodes hold the same log to index ${n.lastIndex} (term ${n.lastTerm}; ${thousands(overlap)} entries compared on each), applied it, and hold the same state (${n.kv.keys} keys, ${n.kv.sessions} sessions)`,
          };
        }
        if (d.definite) return { name: 'converged', ok: false, text: d.text };
        last = d.text;
      } catch (err) {
        if (!(err instanceof RaftClientError)) throw err;
        last = err.message;
      }
      if (performance.now() >= deadline) return { name: 'converged', ok: false, text: `the nodes did not converge: ${last}` };
      await sleep(200);
    }
  } finally {
    client.close();
  }
}

interface EtcdHoldings {
  id: number;
  /** The member's store revision when it answered (the same for every key: nothing writes any more). */
  revision: number;
  values: Array<string | null>;
}

async function etcdHoldings(gateway: EtcdGateway, id: number, endpoint: string, keys: readonly string[]): Promise<EtcdHoldings> {
  const values: Array<string | null> = [];
  let revision = 0;
  for (const key of keys) {
    // Serializable: the member's own store, which is what is compared, not the leader's answer.
    const r = await gateway.get(key, { endpoint, serializable: true });
    values.push(r.value);
    revision = Math.max(revision, r.revision);
  }
  return { id, revision, values };
}

/**
 * etcd's members show no log to compare: each member is asked, locally, for its store revision
 * (one per applied write) and the value of every key. At the same revision the stores must hold
 * the same values; a member at another revision is behind (or ahead) and asked again until
 * `timeoutMs`.
 */
async function compareEtcdMembers(m: ClusterModel, keys: readonly string[], timeoutMs: number): Promise<CheckOutcome> {
  const nodes = members(m).flatMap((n) => (n.etcd === undefined || n.etcd.clientUrl === '' ? [] : [{ id: n.id, url: n.etcd.clientUrl }]));
  const gateway = new EtcdGateway({ endpoints: nodes.map((n) => n.url), timeoutMs: 2000 });
  const deadline = performance.now() + timeoutMs;
  let last: string;
  try {
    for (;;) {
      try {
        const held = await Promise.all(nodes.map((n) => etcdHoldings(gateway, n.id, n.url, keys)));
        const [first, ...others] = held;
        if (first === undefined) return { name: 'converged', ok: null, text: 'no member has a client URL to ask' };
        const behind = others.find((h) => h.revision !== first.revision);
        if (behind === undefined) {
          for (const h of others)
            for (let i = 0; i < keys.length; i++)
              if (h.values[i] !== first.values[i])
                return {
                  name: 'converged',
                  ok: false,
                  text: `at the same revision ${first.revision}, n${first.id} holds ${JSON.stringify(first.values[i])} in ${keys[i]!} and n${h.id} ${JSON.stringify(h.values[i])}`,
                };
          return {
            name: 'converged',
            ok: true,
            text: `all ${held.length} members are at revision ${first.revision} and hold the same values in the ${keys.length} keys (each asked for its own copy; etcd shows no log to compare)`,
          };
        }
        last = `n${first.id} is at revision ${first.revision}, n${behind.id} at ${behind.revision}`;
      } catch (err) {
        if (!(err instanceof EtcdError)) throw err;
        last = err.message;
      }
      if (performance.now() >= deadline) return { name: 'converged', ok: false, text: `the members did not converge: ${last}` };
      await sleep(200);
    }
  } finally {
    gateway.close();
  }
}
