// Real clusters of 3 and 5 node processes: one leader, writes replicated through the client
// library, and every node ending with the same log and the same key-value state.
import { describe, expect, it } from 'vitest';
import { Cluster } from './cluster.js';
import type { NodeProcess } from './node-process.js';

/** Election safety, from the nodes' own events: no term ever had two leaders. */
function leadersByTerm(processes: Iterable<NodeProcess>): Map<number, Set<number>> {
  const byTerm = new Map<number, Set<number>>();
  for (const p of processes)
    for (const e of p.events)
      if (e.kind === 'raft' && e.type === 'role-change' && e.to === 'leader') {
        const term = e.term as number;
        byTerm.set(term, (byTerm.get(term) ?? new Set()).add(e.node));
      }
  return byTerm;
}

describe.each([3, 5])('a %i-node cluster', (size) => {
  it('elects exactly one leader, replicates writes, and every node agrees on the state', async () => {
    const cluster = await Cluster.start(size);
    await cluster.leader();

    const client = cluster.client();
    const expected = new Map<string, string>();
    // Three sessions writing at once, each its own writes in order.
    await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const session = name === 'a' ? client : client.session();
        for (let i = 0; i < 8; i++) {
          const put = await session.put(`${name}${i}`, `v${i}`);
          // Whichever node leads when it commits (a busy machine can delay heartbeats into an election).
          expect(cluster.ids).toContain(put.leader.id);
          expect(put.result).toEqual({ ok: true, op: 'put', previous: null });
          expected.set(`${name}${i}`, `v${i}`);
        }
      }),
    );
    expect((await client.cas('a0', 'v0', 'swapped')).result).toEqual({ ok: true, op: 'cas', swapped: true });
    expected.set('a0', 'swapped');
    expect((await client.delete('b0')).result).toEqual({ ok: true, op: 'delete', existed: true });
    expected.delete('b0');
    const { index: lastWrite } = await client.submit('done');

    expect(await client.get('a0')).toEqual({ value: 'swapped', index: expect.any(Number) });
    expect((await client.get('b0')).value).toBeNull();

    const { id: leader } = await cluster.leader();
    const { commit, kv } = await cluster.converged(cluster.ids, lastWrite);
    expect(commit).toBeGreaterThanOrEqual(lastWrite);
    for (const [key, value] of expected) expect(kv.get(key)).toBe(value);
    expect(kv.stats()).toMatchObject({ keys: expected.size, submitted: 1 });
    for (const s of await cluster.statuses()) expect(s.kv).toMatchObject({ keys: expected.size, submitted: 1 });
    expect(cluster.ids).toContain(leader);

    for (const [t, leaders] of leadersByTerm(cluster.processes.values())) expect([...leaders], `leaders of term ${t}`).toHaveLength(1);
  });
});
