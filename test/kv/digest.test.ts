// The applied-state digest chain: the same entries give the same digest on every replica, one entry
// that differs (even at the same index and term) changes it from there on, a snapshot carries it so
// a restored machine continues the chain, and a restart (snapshot, then the log replayed) recomputes
// it exactly. Also the checkpoints a node reports, and the digest's cost per entry.
import { describe, expect, it } from 'vitest';
import { GENESIS_DIGEST, KvStateMachine, nextDigest } from '../../src/kv/index.js';
import { DIGEST_CHECKPOINT_EVERY, DIGEST_CHECKPOINTS_KEPT, DigestCheckpoints } from '../../src/node/state-report.js';
import type { Entry } from '../../src/raft/types.js';
import { Random } from '../../src/sim/random.js';
import { forSeeds, normal, put, randomLog, Replica } from './fixtures.js';
import { encodeCommand } from '../../src/kv/index.js';

/** The digest after each entry of `log`, applied in order to a new machine. */
function chain(log: readonly Entry[]): string[] {
  const m = new KvStateMachine();
  return log.map((e) => {
    m.apply(e);
    return m.digest!;
  });
}

describe('the applied-state digest', () => {
  it('starts at the genesis digest and is 16 hex digits after every entry, of every type', () => {
    expect(new KvStateMachine().digest).toBe(GENESIS_DIGEST);
    for (const d of chain(randomLog(1, 200))) expect(d).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is the same on two replicas that apply the same entries (seeded random logs)', () => {
    forSeeds(10, (seed) => expect(chain(randomLog(seed, 300))).toEqual(chain(randomLog(seed, 300))));
  });

  it('differs from the first differing entry on, even at the same index and term (a forged append)', () => {
    const log = randomLog(3, 100);
    const forged = [...log];
    forged[41] = normal(42, encodeCommand(put('mallory', 1, 'k0', 'forged')), log[41]!.term);
    const a = chain(log);
    const b = chain(forged);
    expect(b.slice(0, 41)).toEqual(a.slice(0, 41));
    for (let i = 41; i < 100; i++) expect(b[i], `digest at ${i + 1}`).not.toBe(a[i]);
  });

  it('tells apart what the index, the term, the type and the data hold, not only their concatenation', () => {
    const d = (e: Entry) => nextDigest(GENESIS_DIGEST, e);
    const all = [
      d(normal(1, 'ab', 1)),
      d(normal(1, 'ab', 2)),
      d(normal(2, 'ab', 1)),
      d(normal(1, 'a', 1)),
      d(normal(1, '', 1)),
      d({ type: 'noop', index: 1, term: 1 }),
      d({ type: 'config', index: 1, term: 1, change: { type: 'add-learner', node: 4 }, membership: { voters: [1, 2, 3], learners: [4] } }),
      d({ type: 'config', index: 1, term: 1, change: { type: 'add-learner', node: 4 }, membership: { voters: [1, 2], learners: [3, 4] } }),
    ];
    expect(new Set(all).size).toBe(all.length);
    // A config entry's fields in another order (decoded elsewhere) give the same digest.
    expect(
      d({ membership: { learners: [4], voters: [1, 2, 3] }, change: { node: 4, type: 'add-learner' }, term: 1, index: 1, type: 'config' }),
    ).toBe(all[6]);
  });

  it('continues through a snapshot: a machine restored at any point ends with the digest of one that never snapshotted', () => {
    forSeeds(20, (seed) => {
      const rnd = new Random(seed, 'digest-snapshots');
      const log = randomLog(seed, 300);
      const steady = new KvStateMachine();
      let restored = new KvStateMachine();
      for (const e of log) {
        if (rnd.chance(0.02)) restored = KvStateMachine.restore(restored.serialize());
        steady.apply(e);
        restored.apply(e);
        expect(restored.digest).toBe(steady.digest);
      }
    });
  });

  it('is recomputed on a restart: the snapshot on disk, then the log after it replayed', () => {
    const log = randomLog(7, 400);
    const before = new Replica();
    before.applyAll(log.slice(0, 250));
    const onDisk = before.machine.serialize();
    before.applyAll(log.slice(250));
    // The process dies; the new one restores the snapshot and the core hands it entries 251-400 again.
    const after = new Replica(KvStateMachine.restore(onDisk));
    after.applyAll(log.slice(250));
    expect(after.machine.digest).toBe(before.machine.digest);
    expect(after.machine.digest).toBe(chain(log).at(-1));
  });

  it('is unknown (null) after a version 1 snapshot, which had none, and stays so', () => {
    const { digest: _digest, ...v2 } = JSON.parse(new KvStateMachine().serialize()) as Record<string, unknown>;
    const m = KvStateMachine.restore(JSON.stringify({ ...v2, v: 1 }));
    expect(m.digest).toBeNull();
    new Replica(m).noop();
    expect(m.digest).toBeNull();
    expect(JSON.parse(m.serialize())).toMatchObject({ v: 2, digest: null });
  });

  it('costs microseconds per entry: nothing next to an fsync', () => {
    const value = 'x'.repeat(100);
    const entries = Array.from({ length: 20_000 }, (_, i) => normal(i + 1, encodeCommand(put('c', i + 1, `k${i % 100}`, value))));
    let d = GENESIS_DIGEST;
    for (const e of entries.slice(0, 2000)) d = nextDigest(d, e); // warm up
    const started = process.hrtime.bigint();
    for (const e of entries) d = nextDigest(d, e);
    const perEntryUs = Number(process.hrtime.bigint() - started) / 1000 / entries.length;
    console.log(`applied-state digest: ${perEntryUs.toFixed(2)} µs per entry of ${entries[0]!.data.length} bytes`);
    // Generous: an fsync takes a millisecond or more; this only catches an accidental slow path.
    expect(perEntryUs).toBeLessThan(100);
  });
});

describe('the digest checkpoints of a state line', () => {
  it('keeps the digest at the latest multiples of 64 and adds the applied index', () => {
    const c = new DigestCheckpoints();
    const m = new KvStateMachine();
    const log = randomLog(2, 700);
    const digests = chain(log);
    for (const e of log) {
      m.apply(e);
      c.applied(e.index, m.digest);
    }
    const kept = Array.from(
      { length: DIGEST_CHECKPOINTS_KEPT },
      (_, i) => 700 - (700 % DIGEST_CHECKPOINT_EVERY) - (DIGEST_CHECKPOINTS_KEPT - 1 - i) * DIGEST_CHECKPOINT_EVERY,
    );
    expect(c.report(700, m.digest)).toEqual([...kept.map((i) => [i, digests[i - 1]]), [700, digests[699]]]);
    // At a checkpoint, the applied index is not repeated.
    expect(c.report(640, digests[639]!).at(-1)).toEqual([640, digests[639]]);
    expect(c.report(640, digests[639]!)).toHaveLength(DIGEST_CHECKPOINTS_KEPT);
  });

  it('starts again from a snapshot installed, and reports nothing while the digest is unknown', () => {
    const c = new DigestCheckpoints();
    c.applied(64, 'aaaaaaaaaaaaaaaa');
    c.restored(1000, 'bbbbbbbbbbbbbbbb');
    expect(c.report(1000, 'bbbbbbbbbbbbbbbb')).toEqual([[1000, 'bbbbbbbbbbbbbbbb']]);
    expect(c.report(1001, 'cccccccccccccccc')).toEqual([
      [1000, 'bbbbbbbbbbbbbbbb'],
      [1001, 'cccccccccccccccc'],
    ]);
    c.restored(2000, null);
    c.applied(2048, null);
    expect(c.report(2050, null)).toEqual([]);
    expect(new DigestCheckpoints().report(0, GENESIS_DIGEST)).toEqual([]);
  });
});
