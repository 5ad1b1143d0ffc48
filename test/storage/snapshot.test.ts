// Snapshots: the node's own (compaction) and the leader's (InstallSnapshot), written atomically,
// with old segments removed only once the snapshot is durable, and crashes at every step harmless.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableDir } from '../../src/storage/durable-dir.js';
import { writeSnapshotFile } from '../../src/storage/snapshot-file.js';
import { entries, hardState, openStorage, segmentFiles, snapshotAt, tempDataDir } from './fixtures.js';

describe('snapshots', () => {
  it('after beginSnapshot a restart gets the snapshot and only the entries after it; covered segments are gone', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir, { segmentBytes: 200 });
    for (let i = 1; i <= 40; i += 4) await storage.save({ entries: entries(i, i + 3, 1), hardState: hardState(1, i + 3) });
    const before = await segmentFiles(dir);
    expect(before.length).toBeGreaterThan(5);

    await storage.beginSnapshot(snapshotAt(30, 1)).done;
    const after = await segmentFiles(dir);
    expect(after.length).toBeLessThan(before.length);
    expect(after[0]).not.toBe(before[0]);
    await storage.close();

    const { restored } = await openStorage(dir, { segmentBytes: 200 });
    expect(restored.snapshot).toEqual(snapshotAt(30, 1));
    expect(restored.entries).toEqual(entries(31, 40, 1));
    expect(restored.hardState).toEqual(hardState(1, 40));
  });

  it('a temporary snapshot file left by a crash before its rename is ignored and removed', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 5, 1), hardState: hardState(1, 5) });
    await storage.beginSnapshot(snapshotAt(2, 1)).done;
    await storage.close();
    // The crash came while snapshot 4 was being written: the temp file is half there, not renamed.
    await writeFile(join(dir, 'snapshot.dat.tmp'), 'half a snaps');

    const { restored } = await openStorage(dir);
    expect(restored.snapshot).toEqual(snapshotAt(2, 1));
    expect(restored.entries).toEqual(entries(3, 5, 1));
    expect(await readdir(dir)).not.toContain('snapshot.dat.tmp');
  });

  it('a snapshot from the leader replaces a log that does not hold its last entry', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 8, 1), hardState: hardState(1, 3) });
    // The leader of term 2 compacted to 10; our entry 8 is not its entry 8 anyway.
    await storage.save({ snapshot: snapshotAt(10, 2), entries: entries(11, 12, 2), hardState: hardState(2, 10) });
    await storage.save({ entries: entries(13, 13, 2), hardState: hardState(2, 12) });
    await storage.close();

    const { restored } = await openStorage(dir);
    expect(restored.snapshot).toEqual(snapshotAt(10, 2));
    expect(restored.entries).toEqual(entries(11, 13, 2));
    expect(restored.hardState).toEqual(hardState(2, 12));
  });

  it("entries after a leader's snapshot that belong to another history do not come back", async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 30, 1), hardState: hardState(1, 5) });
    await storage.save({ snapshot: snapshotAt(20, 2), hardState: hardState(2, 20) });
    await storage.close();
    const { restored } = await openStorage(dir);
    expect(restored).toEqual({ hardState: hardState(2, 20), snapshot: snapshotAt(20, 2), entries: [] });
  });

  it('a suffix cut back below the old last entry, then compacted up to the new last entry, stays cut', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 30, 1), hardState: hardState(1, 10) });
    await storage.save({ entries: entries(20, 22, 2), hardState: hardState(2, 22) });
    await storage.beginSnapshot(snapshotAt(22, 2)).done;
    await storage.close();
    const { restored } = await openStorage(dir);
    expect(restored).toEqual({ hardState: hardState(2, 22), snapshot: snapshotAt(22, 2), entries: [] });
  });

  it('a snapshot whose last entry the log holds keeps the entries after it', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 8, 1), hardState: hardState(1, 3) });
    await storage.save({ snapshot: snapshotAt(5, 1), hardState: hardState(1, 5) });
    await storage.close();
    const { restored } = await openStorage(dir);
    expect(restored.entries).toEqual(entries(6, 8, 1));
  });

  it('a crash after snapshot.dat was installed but before the log marked it: the install is completed at the restart, and stays so', async () => {
    const dir = await tempDataDir();
    let { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 8, 1), hardState: hardState(1, 3, 2) });
    await storage.close();
    // save({ snapshot }) got as far as renaming snapshot.dat into place, then the power went.
    await writeSnapshotFile(new DurableDir(dir, true), snapshotAt(20, 3));

    let opened = await openStorage(dir);
    expect(opened.recovery.snapshotCompleted).toBe(true);
    // Entries of another history are gone; the snapshot is committed; term 3 has no vote from us yet.
    expect(opened.restored).toEqual({ hardState: hardState(3, 20, 0), snapshot: snapshotAt(20, 3), entries: [] });
    storage = opened.storage;
    await storage.save({ entries: entries(21, 22, 3), hardState: hardState(3, 21, 0) });
    await storage.close();

    opened = await openStorage(dir);
    expect(opened.recovery.snapshotCompleted).toBe(false);
    expect(opened.restored).toEqual({ hardState: hardState(3, 21, 0), snapshot: snapshotAt(20, 3), entries: entries(21, 22, 3) });
  });

  it("a crash after the node's own snapshot.dat was written but before the log marked it keeps every entry", async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 8, 1), hardState: hardState(1, 6, 1) });
    await storage.close();
    await writeSnapshotFile(new DurableDir(dir, true), snapshotAt(6, 1));

    const { restored, recovery } = await openStorage(dir);
    expect(recovery.snapshotCompleted).toBe(true);
    expect(restored).toEqual({ hardState: hardState(1, 6, 1), snapshot: snapshotAt(6, 1), entries: entries(7, 8, 1) });
  });
});
