// Long histories over many small segments. The random one (appends, conflicting suffixes, hard
// states, both kinds of snapshot, restarts with and without close) is checked against the
// simulator's in-memory stable storage, which implements the same Ready contract. Seeded, so a
// failure replays.
import { describe, expect, it } from 'vitest';
import type { Entry, HardState, Snapshot } from '../../src/raft/types.js';
import { Random } from '../../src/sim/random.js';
import { StableStorage } from '../../src/sim/storage.js';
import { entries, entry, hardState, openStorage, segmentFiles, snapshotAt, tempDataDir } from './fixtures.js';

const options = { segmentBytes: 2048, unsafeNoFsync: true };

describe('a log over many segments', () => {
  it('10,000 entries saved in batches of 1 to 40 come back in order', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir, options);
    const rng = new Random(7, 'batches');
    let last = 0;
    while (last < 10_000) {
      const batch = entries(last + 1, Math.min(10_000, last + rng.int(1, 40)), 1);
      last = batch.at(-1)!.index;
      await storage.save({ entries: batch, hardState: hardState(1, last) });
    }
    await storage.close();
    expect((await segmentFiles(dir)).length).toBeGreaterThan(100);
    const { restored } = await openStorage(dir, options);
    expect(restored.entries).toEqual(entries(1, 10_000, 1));
    expect(restored.hardState).toEqual(hardState(1, 10_000));
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`a random history (seed ${seed}) restores what the in-memory model holds, and sheds old segments`, async () => {
      const rng = new Random(seed, 'storage-history');
      const model = new StableStorage();
      const dir = await tempDataDir();
      let { storage } = await openStorage(dir, options);
      let term = 1;
      let restarts = 0;

      const save = async (step: { snapshot?: Snapshot; entries?: Entry[]; hardState: HardState }) => {
        if (step.snapshot !== undefined) model.saveSnapshot(step.snapshot);
        if (step.entries !== undefined) model.append(step.entries);
        model.saveHardState(step.hardState);
        await storage.save(step);
      };

      for (let step = 0; step < 800; step++) {
        const hs = model.hardState;
        const roll = rng.next();
        if (roll < 0.6) {
          // Append; one time in five replace a suffix above the commit index, as a new leader would.
          let from = model.lastIndex + 1;
          const floor = Math.max(hs.commit, model.snapshotIndex);
          if (rng.chance(0.2) && model.lastIndex > floor) {
            from = rng.int(floor + 1, model.lastIndex);
            term++;
          }
          const batch: Entry[] = [];
          for (let i = from; i < from + rng.int(1, 30); i++) {
            batch.push(
              rng.chance(0.05)
                ? {
                    type: 'config',
                    index: i,
                    term,
                    change: { type: 'add-learner', node: 4 },
                    membership: { voters: [1, 2, 3], learners: [4] },
                  }
                : entry(i, term, 'x'.repeat(rng.int(0, 120))),
            );
          }
          const commit = Math.min(batch.at(-1)!.index, hs.commit + rng.int(0, 25));
          await save({ entries: batch, hardState: { term, vote: hs.term === term ? hs.vote : 0, commit } });
        } else if (roll < 0.7) {
          term++;
          await save({ hardState: { term, vote: rng.int(0, 3), commit: hs.commit } });
        } else if (roll < 0.8) {
          if (hs.commit > model.snapshotIndex) {
            const index = rng.int(model.snapshotIndex + 1, hs.commit);
            const snap = snapshotAt(index, model.termAt(index)!);
            model.saveSnapshot(snap);
            await storage.beginSnapshot(snap).done;
          }
        } else if (roll < 0.85) {
          // A snapshot from the leader: usually of another history (all entries go), sometimes not.
          const index = rng.int(hs.commit + 1, model.lastIndex + 10);
          const keeps = index <= model.lastIndex && rng.chance(0.3);
          if (!keeps) term++;
          const snap = snapshotAt(index, keeps ? model.termAt(index)! : term);
          await save({ snapshot: snap, hardState: { term, vote: hs.term === term ? hs.vote : 0, commit: index } });
        } else if (roll < 0.9) {
          // Restart: half the time the process was killed and never closed its files.
          if (rng.chance(0.5)) await storage.close();
          const opened = await openStorage(dir, options);
          expect(opened.restored, `restart at step ${step}`).toEqual(model.restored());
          storage = opened.storage;
          restarts++;
        }
      }
      await storage.close();
      const { restored } = await openStorage(dir, options);
      expect(restored).toEqual(model.restored());
      expect(restarts).toBeGreaterThan(10);
      expect((await segmentFiles(dir))[0]).not.toBe('wal-000000000001.log');
    });
  }
});
