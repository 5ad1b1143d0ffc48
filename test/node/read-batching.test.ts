// Reads are batched (by the core, src/raft/readindex.ts): reads that arrive while a ReadIndex round
// is in flight share the next round, and are answered at its index, never at the index of a round
// that began before them. Each get is its own core.readIndex(); the heartbeats show the rounds.
import { describe, expect, it } from 'vitest';
import type { KvStateMachine } from '../../src/kv/index.js';
import type { ClientRequest, NodeStatus } from '../../src/node/client-protocol.js';
import { ClientService } from '../../src/node/client-service.js';
import { RaftDriver } from '../../src/node/raft-driver.js';
import type { Heartbeat, Message } from '../../src/raft/types.js';
import type { ClientConnection } from '../../src/transport/client-connection.js';
import { newCluster } from '../raft/harness.js';

/** A 3-node cluster's leader n1 behind a ClientService and a RaftDriver; every heartbeat it sends is kept. */
function leaderService() {
  const c = newCluster([1, 2, 3], { seed: 3 });
  c.electLeader(1);
  c.tickAll(1);
  const core = c.raft(1);
  const commit = core.status().commit;
  const sent: Message[] = [];
  let service: ClientService | null = null;
  const driver = new RaftDriver(
    core,
    {
      observe: () => {},
      persist: async () => {},
      send: (messages) => sent.push(...messages),
      apply: async (rd) => service!.readStates(rd.readStates),
      advanced: async () => {},
    },
    (err) => {
      throw err;
    },
  );
  // The state machine has applied everything the reads can ask for.
  const applied = { appliedIndex: Number.MAX_SAFE_INTEGER, get: (key: string) => `value of ${key}` } as unknown as KvStateMachine;
  service = new ClientService({
    driver,
    kv: () => applied,
    leaderHint: () => null,
    status: () => ({}) as NodeStatus,
    requestTimeoutMs: 60_000,
  });
  const replies: Array<{ id: number; index?: number }> = [];
  const client: ClientConnection = {
    id: 1,
    clientId: 1,
    remote: 'test',
    reply: (v) => (replies.push(v as { id: number }), true),
    close: () => {},
  };
  const get = (id: number): void => service.handle({ id, type: 'get', key: `k${id}` } satisfies ClientRequest, client);
  const rounds = (): string[] => [
    ...new Set(sent.filter((m): m is Heartbeat => m.type === 'heartbeat' && m.context !== undefined).map((m) => m.context!)),
  ];
  const answer = async (context: string): Promise<void> => {
    driver.run((r) => r.step({ type: 'heartbeat-response', from: 2, to: 1, term: r.status().term, context }));
    await driver.idle();
  };
  return { commit, driver, service, replies, get, rounds, answer };
}

describe('reads on a leader', () => {
  it('share one heartbeat round while one is in flight, and a read never uses a round that began before it', async () => {
    const { commit, driver, service, replies, get, rounds, answer } = leaderService();

    get(1);
    await driver.idle();
    get(2);
    get(3);
    await driver.idle();
    expect(rounds()).toHaveLength(1); // reads 2 and 3 wait: they came after round 1 began

    await answer(rounds()[0]!);
    expect(replies).toEqual([{ id: 1, ok: true, key: 'k1', value: 'value of k1', index: commit }]);
    expect(rounds()).toHaveLength(2); // one round for both waiting reads

    // Read 4 arrives while round 2 is in flight: it waits for round 3.
    get(4);
    await answer(rounds()[1]!);
    expect(replies.slice(1).map((r) => [r.id, r.index])).toEqual([
      [2, commit],
      [3, commit],
    ]);
    expect(rounds()).toHaveLength(3);
    expect(replies.map((r) => r.id)).toEqual([1, 2, 3]);
    await answer(rounds()[2]!);
    expect(replies.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    service.close();
  });

  it('64 gets that arrive together cost two rounds: the first get starts one, the other 63 share the next', async () => {
    const { commit, driver, service, replies, get, rounds, answer } = leaderService();
    for (let id = 1; id <= 64; id++) get(id);
    await driver.idle();
    expect(rounds()).toHaveLength(1);
    await answer(rounds()[0]!);
    expect(replies.map((r) => r.id)).toEqual([1]);
    expect(rounds()).toHaveLength(2);
    await answer(rounds()[1]!);
    expect(replies.map((r) => [r.id, r.index])).toEqual(Array.from({ length: 64 }, (_, i) => [i + 1, commit]));
    expect(rounds()).toHaveLength(2);
    service.close();
  });
});
