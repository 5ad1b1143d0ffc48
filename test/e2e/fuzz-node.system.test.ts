// The fuzzer of test/fuzz against a live node: mutated and random frames (valid prefixes, deep
// nesting, huge numbers, wrong types) on its client port and on its peer port, each on a
// connection of its own after a proper hello. Afterwards the node still runs and answers a status
// request, and its cluster still commits. Seeded like the decoder fuzzer (FUZZ_SEED).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TERM_OR_INDEX } from '../../src/raft/types.js';
import { CLIENT_REQUESTS, FUZZ_SEED, PEER_MESSAGES, bodies } from '../fuzz/arbitraries.js';
import { Cluster } from './cluster.js';
import { frame } from './wire.js';

const CASES = 150;

describe('a live node fed fuzzed frames', () => {
  it('stays up, answers status, and its cluster keeps committing', async () => {
    const cluster = await Cluster.start(3);
    const { id: leader } = await cluster.leader();
    const follower = cluster.ids.find((id) => id !== leader)!;
    // Peer messages as the leader sends them to this follower: addressed right, so that they get
    // past the routing checks to the field checks.
    const peerBases = PEER_MESSAGES.map((m) => ({ ...m, from: leader, to: follower }));
    const cases = fc.sample(fc.tuple(fc.boolean(), fc.oneof(bodies(CLIENT_REQUESTS), bodies(peerBases)), fc.integer({ min: 1, max: 3 })), {
      seed: FUZZ_SEED,
      numRuns: CASES,
    });
    const seen = new Map<unknown, number>();
    // The leader is paused while the fuzzer poses as it: redialing, it would take the fuzzer's
    // connection's place (the newest connection from a peer wins) before its frames were read.
    cluster.node(leader).pause();
    for (const [asPeer, body, copies] of cases) {
      const c = asPeer ? await cluster.connect(follower, 'peer', leader) : await cluster.connect(follower, 'client');
      // Sent, then half-closed: the node reads every frame, then refuses the connection or closes it.
      const frames = await c.finish(Buffer.concat(Array.from({ length: copies }, () => frame(body))));
      const code = frames.find((f) => f.type === 'error')?.code ?? 'none';
      seen.set(code, (seen.get(code) ?? 0) + 1);
      expect(
        cluster.node(follower).running,
        `n${follower} exited after ${JSON.stringify(body.slice(0, 200))} (FUZZ_SEED=${FUZZ_SEED})`,
      ).toBe(true);
    }
    cluster.node(leader).resume();
    // The fuzzer reached past the frame checks into the validators.
    expect(seen.get('invalid-request') ?? 0).toBeGreaterThan(0);
    expect(seen.get('invalid-message') ?? 0).toBeGreaterThan(0);
    expect(seen.get('bad-frame') ?? 0).toBeGreaterThan(0);

    const status = await cluster.probe.status(follower);
    expect(status.term).toBeLessThanOrEqual(MAX_TERM_OR_INDEX);
    expect((await cluster.client().put('after-fuzz', '1')).result.ok).toBe(true);
    await cluster.converged(cluster.ids);
    for (const id of cluster.ids) expect(cluster.node(id).running, `n${id} is running`).toBe(true);
  });
});
