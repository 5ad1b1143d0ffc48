// When each surviving node came to know the new leader. A node's state lines would tell, but they
// are coalesced to one per 50 ms (src/node/event-stream.ts), and in an election the line with the
// new term goes out at once and the one naming the leader, a millisecond later, waits out the
// rest of those 50 ms: a state line can be 50 ms late, as long as a whole 12-24 ms election. So
// each survivor is also asked for its `status` every few milliseconds over one open connection
// from the kill on, and a node knows the leader from the first answer naming it: at most that
// interval plus a round trip late. The winner's own role change (an event, written at once) dates
// its knowledge exactly.
import { sleep } from '../children.js';
import { FrameConnection } from '../cluster/load-client.js';
import type { NodeStatus } from '../../src/node/client-protocol.js';
import type { FailoverCluster } from './cluster.js';

/**
 * How often a survivor is asked (and a writer retries): a thirtieth of the minimum election
 * timeout, from 1 to 5 ms (5 ms for the 150-x ranges, 1 ms for 12-24), fine beside the times
 * measured without keeping the nodes (and on a small machine, their cores) busy answering.
 */
export const pollMs = (minTimeoutMs: number): number => Math.min(5, Math.max(1, Math.round(minTimeoutMs / 30)));

/** The wall clock (Date.now() base, as the nodes' events) with the fraction of a millisecond. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export interface LeaderKnown {
  leader: number;
  term: number;
  /** For each survivor, when it first named this leader in this term (wall clock). */
  knownAt: Map<number, number>;
}

/** Connections to every node, opened before the trial so that the watch does not start with handshakes, nor wait on a paused node's. */
export class LeaderWatch {
  private constructor(
    private readonly cluster: FailoverCluster,
    private readonly conns: Map<number, FrameConnection>,
  ) {}

  static async open(cluster: FailoverCluster): Promise<LeaderWatch> {
    const conns = new Map<number, FrameConnection>();
    try {
      for (const id of cluster.ids) conns.set(id, await FrameConnection.connect(cluster.address(id), cluster.clusterId, cluster.secret));
    } catch (err) {
      for (const c of conns.values()) c.close();
      throw err;
    }
    return new LeaderWatch(cluster, conns);
  }

  /**
   * Polls the survivors until every one names the same leader in the same term above `oldTerm`, the
   * leader itself among them; null after `timeoutMs`.
   */
  async until(
    survivors: readonly number[],
    oldTerm: number,
    since: number,
    timeoutMs: number,
    everyMs: number,
  ): Promise<LeaderKnown | null> {
    const latest = new Map<number, { term: number; leader: number; role: string }>();
    /** Per survivor, when it first named each "term:leader". */
    const first = new Map<number, Map<string, number>>();
    const deadline = wallNow() + timeoutMs;
    let result: LeaderKnown | null = null;
    const agreed = (): LeaderKnown | null => {
      const views = survivors.map((id) => latest.get(id));
      const v = views[0];
      if (v === undefined || v.term <= oldTerm || v.leader === 0) return null;
      if (!views.every((w) => w !== undefined && w.term === v.term && w.leader === v.leader)) return null;
      if (latest.get(v.leader)?.role !== 'leader') return null;
      const key = `${v.term}:${v.leader}`;
      const knownAt = new Map(survivors.map((id) => [id, first.get(id)!.get(key)!]));
      // The winner's role-change event dates its own knowledge to the millisecond.
      const won = this.cluster.roleChangesSince(since).find((c) => c.node === v.leader && c.to === 'leader' && c.term === v.term);
      if (won !== undefined) knownAt.set(v.leader, Math.min(knownAt.get(v.leader)!, won.ts));
      return { leader: v.leader, term: v.term, knownAt };
    };
    await Promise.all(
      survivors.map(async (id) => {
        let conn = this.conns.get(id)!;
        first.set(id, new Map());
        while (result === null && wallNow() < deadline) {
          let s: NodeStatus;
          try {
            s = (await conn.request({ type: 'status' }, 1000)).status as NodeStatus;
          } catch {
            // A survivor that does not answer is no survivor that knows the leader: asked again.
            if (!conn.open) conn = await this.reconnect(id);
            await sleep(everyMs);
            continue;
          }
          const at = wallNow();
          latest.set(id, { term: s.term, leader: s.leader, role: s.role });
          const key = `${s.term}:${s.leader}`;
          if (!first.get(id)!.has(key)) first.get(id)!.set(key, at);
          result ??= agreed();
          await sleep(everyMs);
        }
      }),
    );
    return result;
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
  }

  /** A new connection to `id`, or the closed one again if it cannot be had now (the next request fails fast). */
  private async reconnect(id: number): Promise<FrameConnection> {
    try {
      const conn = await FrameConnection.connect(this.cluster.address(id), this.cluster.clusterId, this.cluster.secret, 200);
      this.conns.set(id, conn);
      return conn;
    } catch {
      return this.conns.get(id)!;
    }
  }
}
