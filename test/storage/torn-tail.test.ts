// Power lost in the middle of writing the last record: the torn record is cut off and the node
// starts with everything before it. Only the last record can be torn when every save is synced,
// since the next write starts after its fdatasync, and it was never acknowledged (unsynced.test.ts
// covers the records written without one).
import { appendFile, copyFile, mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entries, entry, hardState, openStorage, segmentFiles, tempDataDir } from './fixtures.js';

/** A directory whose last record is a save of entries 6-8; returns where that record starts. */
async function logWithLastRecord(dir: string): Promise<{ segment: string; lastRecordAt: number; size: number }> {
  const { storage } = await openStorage(dir);
  await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 1, 1) });
  await storage.save({ entries: entries(4, 5, 1), hardState: hardState(1, 3, 1) });
  const segment = join(dir, (await segmentFiles(dir))[0]!);
  const lastRecordAt = (await stat(segment)).size;
  await storage.save({ entries: entries(6, 8, 2), hardState: hardState(2, 5, 0) });
  await storage.close();
  return { segment, lastRecordAt, size: (await stat(segment)).size };
}

describe('a torn write at the tail of the log', () => {
  it('cut at every byte inside the last record: the node opens without it, earlier records intact, and appends after', async () => {
    const original = await tempDataDir();
    const { segment, lastRecordAt, size } = await logWithLastRecord(original);
    const segmentName = segment.slice(original.length + 1);
    const bytes = await readFile(segment);
    expect(size - lastRecordAt).toBeGreaterThan(8);

    for (let cut = lastRecordAt; cut < size; cut++) {
      const dir = await tempDataDir();
      await mkdir(dir);
      await copyFile(join(original, 'identity.json'), join(dir, 'identity.json'));
      await writeFile(join(dir, segmentName), bytes.subarray(0, cut));

      const { storage, restored, recovery } = await openStorage(dir, { unsafeNoFsync: true });
      expect(restored.entries, `cut at ${cut}`).toEqual(entries(1, 5, 1));
      expect(restored.hardState).toEqual(hardState(1, 3, 1));
      expect(recovery.tornTail === null).toBe(cut === lastRecordAt);
      if (recovery.tornTail !== null) expect(recovery.tornTail).toMatchObject({ offset: lastRecordAt, bytes: cut - lastRecordAt });

      await storage.save({ entries: [entry(6, 3)], hardState: hardState(3, 6) });
      await storage.close();
      const reopened = await openStorage(dir, { unsafeNoFsync: true });
      expect(reopened.restored.entries).toEqual([...entries(1, 5, 1), entry(6, 3)]);
      expect(reopened.recovery.tornTail).toBeNull();
      await reopened.storage.close();
    }
  });

  it('zeros after the last record (a file extended by the crash, its data never written) are cut off', async () => {
    const dir = await tempDataDir();
    const { segment, size } = await logWithLastRecord(dir);
    await appendFile(segment, Buffer.alloc(4096));
    const { restored, recovery } = await openStorage(dir);
    expect(restored.entries).toEqual([...entries(1, 5, 1), ...entries(6, 8, 2)]);
    expect(recovery.tornTail).toMatchObject({ offset: size, bytes: 4096, reason: 'the length field is 0' });
    expect((await stat(segment)).size).toBe(size);
  });

  it('a last record whose bytes were half written (garbage where its end should be) is cut off', async () => {
    const dir = await tempDataDir();
    const { segment, lastRecordAt, size } = await logWithLastRecord(dir);
    const bytes = await readFile(segment);
    bytes.fill(0xa5, size - 10);
    await writeFile(segment, bytes);
    const { restored, recovery } = await openStorage(dir);
    expect(restored.entries).toEqual(entries(1, 5, 1));
    expect(recovery.tornTail).toMatchObject({ offset: lastRecordAt, reason: 'checksum mismatch' });
  });

  it('a new segment torn before its first record was whole leaves the previous segment as the log', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir, { segmentBytes: 1 });
    await storage.save({ entries: entries(1, 2, 1), hardState: hardState(1, 1) });
    await storage.save({ entries: entries(3, 4, 1), hardState: hardState(1, 2) });
    await storage.close();
    const [, second] = await segmentFiles(dir);
    await truncate(join(dir, second!), 5);

    const reopened = await openStorage(dir, { segmentBytes: 1 });
    expect(reopened.restored.entries).toEqual(entries(1, 2, 1));
    await reopened.storage.save({ entries: entries(3, 3, 2), hardState: hardState(2, 2) });
    await reopened.storage.close();
    expect((await openStorage(dir)).restored.entries).toEqual([...entries(1, 2, 1), entry(3, 2)]);
  });
});
