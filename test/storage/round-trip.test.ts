// What is saved is what a restart reads back: entries, hard state, truncated suffixes.
import { describe, expect, it } from 'vitest';
import { Raft } from '../../src/raft/raft.js';
import { entries, entry, hardState, openStorage, tempDataDir } from './fixtures.js';

describe('a data directory round trip', () => {
  it('a new directory opens empty, ready for the core', async () => {
    const dir = await tempDataDir();
    const { restored, recovery } = await openStorage(dir);
    expect(restored).toEqual({ hardState: { term: 0, vote: 0, commit: 0 }, snapshot: null, entries: [] });
    expect(recovery).toEqual({ created: true, tornTail: null, snapshotCompleted: false });
  });

  it('reopening gives back the saved entries and the last hard state', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ hardState: hardState(1, 0, 2) });
    await storage.save({ entries: entries(1, 3, 1), hardState: null });
    await storage.save({ entries: entries(4, 5, 1), hardState: hardState(1, 4, 2) });
    await storage.close();

    const { restored, recovery } = await openStorage(dir);
    expect(recovery.created).toBe(false);
    expect(restored).toEqual({ hardState: hardState(1, 4, 2), snapshot: null, entries: entries(1, 5, 1) });
  });

  it('a conflicting suffix replaced by entries of a later term stays replaced after a restart, and appending goes on', async () => {
    const dir = await tempDataDir();
    let { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 6, 1), hardState: hardState(1, 2) });
    await storage.save({ entries: entries(4, 5, 2), hardState: hardState(2, 3) });
    await storage.close();

    ({ storage } = await openStorage(dir));
    await storage.save({ entries: entries(6, 7, 2), hardState: hardState(2, 6) });
    await storage.close();

    const { restored } = await openStorage(dir);
    expect(restored.entries).toEqual([...entries(1, 3, 1), ...entries(4, 7, 2)]);
    expect(restored.hardState).toEqual(hardState(2, 6));
  });

  it('merged Readys: one save whose entries truncate partway through replays like separate saves', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 4, 1), hardState: hardState(1, 1) });
    // Ready A appended 5..6 in term 1, Ready B then replaced 4.. with term 2: merged into one step.
    await storage.save({ entries: [...entries(5, 6, 1), ...entries(4, 5, 2)], hardState: hardState(2, 3) });
    await storage.close();

    const { restored } = await openStorage(dir);
    expect(restored.entries).toEqual([...entries(1, 3, 1), ...entries(4, 5, 2)]);
  });

  it('a restored state is accepted by the core', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: [{ type: 'noop', index: 1, term: 3 }, entry(2, 3)], hardState: hardState(3, 2, 1) });
    await storage.close();

    const { restored } = await openStorage(dir);
    const core = new Raft({ id: 1, voters: [1, 2, 3], random: () => 0.5 }, restored);
    expect(core.status()).toMatchObject({ term: 3, vote: 1, commit: 2, lastIndex: 2, lastTerm: 3 });
  });

  it('a single-node core persisting every Ready, compacting on the way, restarts where it stopped', async () => {
    const dir = await tempDataDir();
    const config = { id: 1, voters: [1], random: () => 0.5 };
    let { storage, restored } = await openStorage(dir, { segmentBytes: 512 });
    let core = new Raft(config, restored);
    const drain = async () => {
      while (core.hasReady()) {
        const rd = core.ready();
        await storage.save(rd);
        core.persisted(rd);
        core.advance(rd);
      }
    };
    core.campaign();
    await drain();
    for (let i = 0; i < 50; i++) {
      core.propose(`w${i}`);
      if (i % 7 === 0) await drain();
      if (i === 30) await storage.beginSnapshot(core.compact(core.status().applied, 'state')).done;
    }
    await drain();
    const before = core.status();
    expect(before).toMatchObject({ role: 'leader', commit: 51, applied: 51 });
    expect(before.snapshotIndex).toBeGreaterThan(0);
    await storage.close();

    ({ storage, restored } = await openStorage(dir, { segmentBytes: 512 }));
    core = new Raft(config, restored);
    const after = core.status();
    expect(after).toMatchObject({ term: before.term, vote: 1, commit: 51, lastIndex: 51, snapshotIndex: before.snapshotIndex });
    expect(restored.entries.map((e) => e.type === 'normal' && e.data).at(-1)).toBe('w49');
  });

  it('refuses, writing nothing, a step that does not attach to the stored log', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 1) });
    await expect(storage.save({ entries: [entry(5, 1)] })).rejects.toThrow('entry 5 does not attach to the stored log (1-3)');
    await expect(storage.save({ entries: [entry(1, 1), entry(3, 1)] })).rejects.toThrow('entry 3 does not attach');
    await expect(storage.save({ hardState: hardState(1, 9) })).rejects.toThrow('commit index 9 is outside the stored log (0-3)');
    await expect(storage.save({ entries: [entry(4, 2)] })).rejects.toThrow(
      "an entry or snapshot of term 2 is above the hard state's term 1",
    );
    await expect(storage.save({ hardState: hardState(0) })).rejects.toThrow('term 0 is below the stored term 1');
    // The storage is still usable after a refused step.
    await storage.save({ entries: [entry(4, 1)] });
    await storage.close();
    expect((await openStorage(dir)).restored.entries).toEqual(entries(1, 4, 1));
  });
});
