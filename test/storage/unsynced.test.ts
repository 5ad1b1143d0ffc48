// A step that only moves the commit index (Ready.mustSync false) is written without an fdatasync,
// as etcd's MustSync: Raft never needs the commit index durable. The next synced write makes it
// durable; a crash before that may lose or tear it even though a record written after it is on
// disk (its fdatasync never completed), and open cuts all of that off, but still refuses damage
// that was durable before a completed fdatasync.
import { open, readFile, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataDirError } from '../../src/storage/index.js';
import { entries, hardState, openStorage, segmentFiles, tempDataDir } from './fixtures.js';

async function fileHandlePrototype(): Promise<FileHandle> {
  const handle = await open(tmpdir(), 'r');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** The size of the directory's only segment: where the next record will start. */
async function segmentSize(dir: string): Promise<number> {
  return (await stat(join(dir, (await segmentFiles(dir))[0]!))).size;
}

/**
 * Entries 1-3 (commit 1), then commit 3 without an fdatasync, then entries 4-5 (commit 3): returns
 * where the unsynced record and the one after it start, and the segment's bytes.
 */
async function logWithUnsyncedCommit(dir: string): Promise<{ segment: string; unsyncedAt: number; nextAt: number; bytes: Buffer }> {
  const { storage } = await openStorage(dir);
  await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 1, 1) });
  const unsyncedAt = await segmentSize(dir);
  await storage.save({ hardState: hardState(1, 3, 1), mustSync: false });
  const nextAt = await segmentSize(dir);
  await storage.save({ entries: entries(4, 5, 1), hardState: hardState(1, 3, 1) });
  await storage.close();
  const segment = join(dir, (await segmentFiles(dir))[0]!);
  return { segment, unsyncedAt, nextAt, bytes: await readFile(segment) };
}

describe('a commit-only step (mustSync false)', () => {
  it('is written without an fdatasync, and reads back', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    const datasync = vi.spyOn(await fileHandlePrototype(), 'datasync');
    await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 1, 1) });
    expect(datasync).toHaveBeenCalledTimes(1);
    await storage.save({ hardState: hardState(1, 3, 1), mustSync: false });
    expect(datasync).toHaveBeenCalledTimes(1);
    await storage.save({ entries: entries(4, 4, 1), hardState: hardState(1, 3, 1) });
    expect(datasync).toHaveBeenCalledTimes(2);
    await storage.close();
    const { restored } = await openStorage(dir);
    expect(restored.hardState).toEqual(hardState(1, 3, 1));
    expect(restored.entries).toEqual(entries(1, 4, 1));
  });

  it('refuses to skip the fdatasync of entries, a snapshot, a term or a vote', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 1, 1) });
    const refused = 'a step with entries, a snapshot, or a new term or vote must be synced';
    await expect(storage.save({ entries: entries(4, 4, 1), mustSync: false })).rejects.toThrow(refused);
    await expect(storage.save({ hardState: hardState(2, 1, 0), mustSync: false })).rejects.toThrow(refused);
    await expect(storage.save({ hardState: hardState(1, 1, 2), mustSync: false })).rejects.toThrow(refused);
  });

  it('is synced before a new segment starts, since open repairs only the last one', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir, { segmentBytes: 1 });
    await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 1, 1) });
    const datasync = vi.spyOn(await fileHandlePrototype(), 'datasync');
    await storage.save({ hardState: hardState(1, 2, 1), mustSync: false });
    expect(datasync).not.toHaveBeenCalled(); // in a second segment
    await storage.save({ hardState: hardState(1, 3, 1), mustSync: false });
    expect(datasync).toHaveBeenCalledTimes(1); // the second segment, before the third starts
    expect(await segmentFiles(dir)).toHaveLength(3);
  });
});

describe('power lost before the fdatasync after a commit-only record', () => {
  it('the commit-only record lost, the next record on disk: both are cut off, the synced log stays', async () => {
    const original = await tempDataDir();
    const { segment, unsyncedAt, nextAt, bytes } = await logWithUnsyncedCommit(original);
    // The page holding the unsynced record never reached the disk; the next record's did.
    bytes.fill(0, unsyncedAt, nextAt);
    await writeFile(segment, bytes);
    const { restored, recovery } = await openStorage(original);
    expect(restored.entries).toEqual(entries(1, 3, 1));
    expect(restored.hardState).toEqual(hardState(1, 1, 1));
    expect(recovery.tornTail).toMatchObject({ offset: unsyncedAt, bytes: bytes.length - unsyncedAt });
    expect(await segmentSize(original)).toBe(unsyncedAt);
  });

  it('the commit-only record torn anywhere, whatever survived after it: the same', async () => {
    const original = await tempDataDir();
    const { segment, unsyncedAt, nextAt, bytes } = await logWithUnsyncedCommit(original);
    for (let at = unsyncedAt; at < nextAt; at += 3) {
      const copy = Buffer.from(bytes);
      copy[at] = copy[at]! ^ 0xff;
      await writeFile(segment, copy);
      const { storage, restored } = await openStorage(original, { unsafeNoFsync: true });
      expect(restored.hardState, `damage at ${at}`).toEqual(hardState(1, 1, 1));
      expect(restored.entries).toEqual(entries(1, 3, 1));
      await storage.close();
    }
  });

  it('damage in a record synced before later ones were written is still refused', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 1, 1) });
    const syncedAt = await segmentSize(dir);
    await storage.save({ entries: entries(4, 5, 1), hardState: hardState(1, 3, 1) });
    // Written after the record above was durable: it says so, and cannot explain damage there.
    await storage.save({ hardState: hardState(1, 5, 1), mustSync: false });
    await storage.save({ entries: entries(6, 6, 1), hardState: hardState(1, 5, 1) });
    await storage.close();
    const segment = join(dir, (await segmentFiles(dir))[0]!);
    const bytes = await readFile(segment);
    bytes[syncedAt + 20] = bytes[syncedAt + 20]! ^ 0xff;
    await writeFile(segment, bytes);
    const err = await openStorage(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataDirError);
    expect((err as DataDirError).message).toContain(`is corrupt at byte ${syncedAt} (checksum mismatch, with good records after it)`);
  });
});
