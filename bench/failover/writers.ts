// The trial's writers: RaftLoadClients (bench/cluster/load-client.ts, used as it is), one clientId
// each, with at most one write in flight, started on different nodes. They write the burst before
// the kill, then keep writing through the failover until one write is acknowledged in a new term.
import { RaftLoadClient, StoppedError, type Ack, type RetryPolicy } from '../cluster/load-client.js';
import type { FailoverCluster } from './cluster.js';

/**
 * A refused or leaderless attempt is retried `retryDelayMs` later (the leader watch's interval: a
 * write is seen about as late as a leader), an attempt with no answer (a paused node) is abandoned
 * after 500 ms, a write given up on after 12 s, beyond the trial's 10 s.
 */
const policy = (retryDelayMs: number): RetryPolicy => ({ retryDelayMs, attemptTimeoutMs: 500, giveUpMs: 12_000 });

export class Writers {
  private readonly clients: RaftLoadClient[];
  private seq = 0;

  /** Each writer starts at the leader, `leader`: the paused follower would hold a first attempt up. */
  constructor(cluster: FailoverCluster, name: string, count: number, leader: number, retryDelayMs: number) {
    const addresses = cluster.addresses();
    this.clients = Array.from(
      { length: count },
      (_, i) => new RaftLoadClient(cluster.clusterId, cluster.secret, addresses, `${name}-w${i}`, leader - 1, policy(retryDelayMs)),
    );
  }

  /** `total` writes, spread over the writers; resolves when every one is acknowledged. */
  async burst(total: number): Promise<void> {
    const each = Math.ceil(total / this.clients.length);
    await Promise.all(
      this.clients.map(async (c) => {
        for (let k = 0; k < each; k++) await c.put(this.key(), 'burst');
      }),
    );
  }

  /**
   * Every writer writes until one write is acknowledged in a term above `oldTerm`; resolves with it,
   * or null after `timeoutMs`. The writes still in flight then are left to finish or fail: close().
   */
  firstAckAbove(oldTerm: number, timeoutMs: number): Promise<Ack | null> {
    return new Promise((resolve, reject) => {
      const race = { over: false };
      const end = (settle: () => void): void => {
        if (race.over) return;
        race.over = true;
        clearTimeout(timer);
        settle();
      };
      const timer = setTimeout(() => end(() => resolve(null)), timeoutMs);
      for (const c of this.clients)
        void (async () => {
          try {
            while (!race.over) {
              const ack = await c.put(this.key(), 'failover');
              if (ack.term > oldTerm) end(() => resolve(ack));
            }
          } catch (err) {
            if (!(err instanceof StoppedError)) end(() => reject(err instanceof Error ? err : new Error(String(err))));
          }
        })();
    });
  }

  close(): void {
    for (const c of this.clients) c.close();
  }

  private key(): string {
    return `failover-${this.seq++ % 100}`;
  }
}
