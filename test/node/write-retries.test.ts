// A client that resends a write (same clientId and seq) to a leader that has not committed it yet,
// as the client library does when an attempt times out, joins the entry already appended: the log
// gets one entry however often the write is sent, and every copy of the request gets its answer.
import { describe, expect, it } from 'vitest';
import type { KvStateMachine } from '../../src/kv/index.js';
import type { ClientRequest, NodeStatus } from '../../src/node/client-protocol.js';
import { ClientService } from '../../src/node/client-service.js';
import { RaftDriver } from '../../src/node/raft-driver.js';
import type { ClientConnection } from '../../src/transport/client-connection.js';
import { newCluster } from '../raft/harness.js';

function leaderService(): { service: ClientService; driver: RaftDriver; lastIndex: () => number; term: number } {
  const c = newCluster([1, 2, 3], { seed: 5 });
  c.electLeader(1);
  c.tickAll(1);
  const core = c.raft(1);
  const driver = new RaftDriver(
    core,
    { observe: () => {}, persist: async () => {}, send: () => {}, apply: async () => {}, advanced: async () => {} },
    (err) => {
      throw err;
    },
  );
  const service = new ClientService({
    driver,
    kv: () => ({ appliedIndex: 0 }) as unknown as KvStateMachine,
    leaderHint: () => null,
    status: () => ({}) as NodeStatus,
    requestTimeoutMs: 60_000,
  });
  return { service, driver, lastIndex: () => core.status().lastIndex, term: core.status().term };
}

describe('a write resent to the leader before it committed', () => {
  it('adds no second entry, and every copy of the request is answered when the entry applies', async () => {
    const { service, driver, lastIndex, term } = leaderService();
    const replies: unknown[] = [];
    const client: ClientConnection = { id: 1, clientId: 1, remote: 'test', reply: (v) => (replies.push(v), true), close: () => {} };
    const submit = (id: number, seq: number): void =>
      service.handle({ id, type: 'submit', clientId: 'c-1', seq, text: 'once' } satisfies ClientRequest, client);
    const before = lastIndex();

    submit(1, 1);
    await driver.idle();
    submit(2, 1); // the client's retry after its attempt timed out
    submit(3, 1);
    await driver.idle();
    expect(lastIndex()).toBe(before + 1);

    service.applied([{ index: before + 1, term, clientId: 'c-1', seq: 1, result: { ok: true, op: 'submit' } }]);
    expect(replies).toEqual([1, 2, 3].map((id) => ({ id, ok: true, index: before + 1, term, result: { ok: true, op: 'submit' } })));

    // The client's next write is a new entry.
    submit(4, 2);
    await driver.idle();
    expect(lastIndex()).toBe(before + 2);
    service.close();
  });

  it('fails every copy when the leader loses its leadership, so the client retries elsewhere', async () => {
    const { service, driver } = leaderService();
    const replies: Array<{ id: number; ok: boolean; error?: { code: string } }> = [];
    const client: ClientConnection = {
      id: 1,
      clientId: 1,
      remote: 'test',
      reply: (v) => (replies.push(v as (typeof replies)[number]), true),
      close: () => {},
    };
    for (const id of [1, 2])
      service.handle({ id, type: 'put', clientId: 'c-2', seq: 1, key: 'k', value: 'v' } satisfies ClientRequest, client);
    await driver.idle();
    service.roleChanged('follower');
    expect(replies.map((r) => [r.id, r.error?.code])).toEqual([
      [1, 'leadership-lost'],
      [2, 'leadership-lost'],
    ]);
    service.close();
  });
});
