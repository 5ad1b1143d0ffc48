// Writes whose outcome a client cannot know (the leader froze before answering) are retried with
// the same (clientId, seq), and applied once however many copies reach the log. And a write handed
// to a leader stranded in a minority, with `via`, comes back as the failure it is.
import { describe, expect, it } from 'vitest';
import { decodeCommand } from '../../src/kv/index.js';
import type { Entry } from '../../src/raft/types.js';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { Cluster } from './cluster.js';

/** The log entries that carry the write (clientId, seq). */
function copiesOf(entries: Entry[], clientId: string, seq: number): Entry[] {
  return entries.filter((e) => {
    if (e.type !== 'normal') return false;
    const decoded = decodeCommand(e.data);
    return decoded.ok && decoded.command.clientId === clientId && decoded.command.seq === seq;
  });
}

describe('exactly-once writes across a leader change', () => {
  it('a write sent to a leader that froze before answering is retried on the new leader and applied once', async () => {
    const cluster = await Cluster.start(3);
    const client = cluster.client({ timeoutMs: 20_000, attemptTimeoutMs: 500 });
    await client.put('warm', 'up'); // seq 1: the client's session exists on every replica
    const clientId = client.clientId;
    await cluster.converged();
    const old = await cluster.leader();
    const followers = cluster.ids.filter((id) => id !== old.id);
    await client.get('warm'); // the client knows the leader: its next write goes there first
    const { lastIndex: before } = await cluster.probe.status(old.id);

    // The followers freeze: the leader's append for the next write waits, unread, in their sockets.
    for (const id of followers) cluster.node(id).pause();
    const write = client.submit('count me once'); // seq 2, to the leader
    // The leader prints its state after it has appended the entry and handed the append to its
    // peer links; then it freezes too, before it can hear of a commit or answer.
    await cluster.node(old.id).waitFor('the leader to append the write', (e) => e.kind === 'state' && (e.lastIndex as number) > before);
    await new Promise((resolve) => setTimeout(resolve, 50));
    cluster.node(old.id).pause();
    for (const id of followers) cluster.node(id).resume();

    // The followers take the append they had waiting, elect one of them, and the client's retry
    // (same seq) reaches it.
    const next = await cluster.leader(followers, old.term + 1);
    const result = await write;
    expect(followers).toContain(result.leader.id);
    expect(result.result).toEqual({ ok: true, op: 'submit' });

    cluster.node(old.id).resume();
    const { commit: end, kv } = await cluster.converged(cluster.ids);
    expect(kv.stats().submitted).toBe(1);
    for (const s of await cluster.statuses()) expect(s.kv.submitted).toBe(1);
    const log = await cluster.committedLog(next.id, end);
    const copies = copiesOf(log, clientId, 2);
    // Both the frozen leader's entry (its term) and the retry's (the new term) are in the log.
    expect(copies.map((e) => e.term)).toContain(old.term);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    expect(copiesOf(log, clientId, 1)).toHaveLength(1);
  });

  it('via: a write handed to a leader stranded in a minority stays uncommitted and is reported as such', async () => {
    const cluster = await Cluster.start(3);
    const client = cluster.client();
    await client.put('warm', 'up');
    await cluster.converged();
    const { id: leader } = await cluster.leader();
    const followers = cluster.ids.filter((id) => id !== leader);
    const { commit } = await cluster.probe.status(leader);

    for (const id of followers) cluster.node(id).pause();
    const stranded = client.put('k', 'lonely', { via: leader, timeoutMs: 10_000 }).catch((e: unknown) => e);
    const seen = await waitFor(
      'the stranded leader to append the write',
      async () => {
        const s = await cluster.probe.status(leader);
        return s.lastIndex > commit ? s : undefined;
      },
      COSTLY_PROBE,
    );
    expect(seen.commit).toBe(commit);
    const err = (await stranded) as { code?: string; message?: string };
    expect(['leadership-lost', 'timeout']).toContain(err.code);
    expect(err.message).toContain(`n${leader}`);
    expect((await cluster.probe.status(leader)).commit).toBe(commit);

    for (const id of followers) cluster.node(id).resume();
    await cluster.leader();
    expect((await client.put('k', 'together')).result.ok).toBe(true);
    expect((await client.get('k')).value).toBe('together');
  });
});
