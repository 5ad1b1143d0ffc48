// The node's own snapshot is written beside the log: its file is written and synced while saves go
// on, and only its installation (rename, the record that marks it, old segments removed) waits in
// the queue. A crash at any point recovers the previous snapshot with every entry after it, or the
// new one with the entries after it, never a mix; and never the previous one again once the new one
// was seen.
import { cp, readdir, type FileHandle } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SnapshotRefusedError } from '../../src/storage/index.js';
import { entries, fileHandlePrototype, hardState, openStorage, snapshotAt, tempDataDir } from './fixtures.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Until released, the next fdatasync (the snapshot file's, when begun first) waits before it syncs. */
async function holdNextDatasync(): Promise<{ reached: Promise<void>; release: () => void }> {
  const proto = await fileHandlePrototype();
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the original, called below with .call(this) on each handle
  const realDatasync = proto.datasync;
  let reachedResolve!: () => void;
  const reached = new Promise<void>((resolve) => (reachedResolve = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  vi.spyOn(proto, 'datasync').mockImplementationOnce(async function (this: FileHandle) {
    reachedResolve();
    await released;
    return realDatasync.call(this);
  });
  return { reached, release };
}

/** A log of entries 1-40 (term 1, all committed) over small segments, with a snapshot at 10. */
async function logWithSnapshot(dir: string) {
  const opened = await openStorage(dir, { segmentBytes: 200 });
  for (let i = 1; i <= 40; i += 4) await opened.storage.save({ entries: entries(i, i + 3, 1), hardState: hardState(1, i + 3) });
  await opened.storage.beginSnapshot(snapshotAt(10, 1)).done;
  return opened.storage;
}

const settled = (p: Promise<unknown>): { now: () => boolean } => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  return { now: () => done };
};

describe("the node's own snapshot, written beside the log", () => {
  it('a save is acknowledged while the snapshot file is still being synced; the snapshot is installed after', async () => {
    const dir = await tempDataDir();
    const storage = await logWithSnapshot(dir);
    const hold = await holdNextDatasync();
    const write = storage.beginSnapshot(snapshotAt(30, 1));
    const installed = settled(write.done);
    await hold.reached;

    await storage.save({ entries: entries(41, 44, 1), hardState: hardState(1, 44) });
    expect(installed.now()).toBe(false);
    hold.release();
    expect(await write.done).toBe('installed');
    await storage.save({ entries: entries(45, 45, 1), hardState: hardState(1, 45) });
    await storage.close();

    const { restored } = await openStorage(dir, { segmentBytes: 200 });
    expect(restored).toEqual({ hardState: hardState(1, 45), snapshot: snapshotAt(30, 1), entries: entries(31, 45, 1) });
    expect(write.bytes).toBeGreaterThan(JSON.stringify(snapshotAt(30, 1)).length);
  });

  it('a crash at any sync recovers the previous snapshot and the whole log, or the new one and the log after it', async () => {
    const dir = await tempDataDir();
    const storage = await logWithSnapshot(dir);
    const proto = await fileHandlePrototype();
    /* eslint-disable @typescript-eslint/unbound-method -- the originals, called below with .call(this) on each handle */
    const realDatasync = proto.datasync;
    const realSync = proto.sync;
    /* eslint-enable @typescript-eslint/unbound-method */
    // What the disk holds when the power goes just before or just after each sync: every write
    // made so far (a write lost with the power is a torn tail or a temporary file, tested elsewhere).
    const crashes: Array<{ copy: string; saveAcknowledged: boolean }> = [];
    let saveAcknowledged = false;
    const crashHere = async (): Promise<void> => {
      const copy = `${dir}-crash-${crashes.length}`;
      crashes.push({ copy, saveAcknowledged });
      await cp(dir, copy, { recursive: true });
    };
    let releaseFirst!: () => void;
    const firstReleased = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstReached!: () => void;
    const reachedFirst = new Promise<void>((resolve) => (firstReached = resolve));
    let calls = 0;
    vi.spyOn(proto, 'datasync').mockImplementation(async function (this: FileHandle) {
      const first = calls++ === 0;
      await crashHere();
      if (first) {
        // The snapshot file's sync: held until a save has gone through beside it.
        firstReached();
        await firstReleased;
      }
      await realDatasync.call(this);
      await crashHere();
    });
    vi.spyOn(proto, 'sync').mockImplementation(async function (this: FileHandle) {
      await crashHere();
      await realSync.call(this);
      await crashHere();
    });

    const write = storage.beginSnapshot(snapshotAt(30, 1));
    await reachedFirst;
    await storage.save({ entries: entries(41, 44, 1), hardState: hardState(1, 44) });
    saveAcknowledged = true;
    releaseFirst();
    expect(await write.done).toBe('installed');
    vi.restoreAllMocks();
    await storage.close();

    const recovered: number[] = [];
    for (const { copy, saveAcknowledged: acknowledged } of crashes) {
      const { storage: reopened, restored } = await openStorage(copy, { segmentBytes: 200 });
      await reopened.close();
      const base = restored.snapshot?.meta.index;
      expect(base === 10 || base === 30, `${copy}: snapshot at ${base}`).toBe(true);
      expect(restored.snapshot).toEqual(snapshotAt(base!, 1));
      const last = base! + restored.entries.length;
      // The save may or may not have reached the disk before it was acknowledged; after, it has.
      expect(acknowledged ? [44] : [40, 44], `${copy}: log ends at ${last}`).toContain(last);
      expect(restored.entries).toEqual(entries(base! + 1, last, 1));
      expect(restored.hardState).toEqual(hardState(1, last));
      expect((await readdir(copy)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      recovered.push(base!);
    }
    // Both sides were crashed into, and once the new snapshot is on disk the old one never comes back.
    expect(recovered).toContain(10);
    expect(recovered.at(-1)).toBe(30);
    expect(recovered.slice(recovered.indexOf(30)).every((b) => b === 30)).toBe(true);
  });

  it("is dropped when the leader's snapshot of a later entry was saved while its file was written", async () => {
    const dir = await tempDataDir();
    const storage = await logWithSnapshot(dir);
    const hold = await holdNextDatasync();
    const write = storage.beginSnapshot(snapshotAt(30, 1));
    await hold.reached;
    await storage.save({ snapshot: snapshotAt(50, 2), hardState: hardState(2, 50) });
    hold.release();
    expect(await write.done).toBe('superseded');
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await storage.close();

    const { restored } = await openStorage(dir, { segmentBytes: 200 });
    expect(restored).toEqual({ hardState: hardState(2, 50), snapshot: snapshotAt(50, 2), entries: [] });
  });

  it('one at a time: another begun before the first is installed is refused, writing nothing', async () => {
    const dir = await tempDataDir();
    const storage = await logWithSnapshot(dir);
    const hold = await holdNextDatasync();
    const write = storage.beginSnapshot(snapshotAt(30, 1));
    await hold.reached;
    expect(() => storage.beginSnapshot(snapshotAt(35, 1))).toThrow(
      expect.objectContaining({ code: 'in-flight', index: 35, message: 'snapshot at 35 begun while another is still being written' }),
    );
    hold.release();
    await write.done;
    expect(storage.beginSnapshot(snapshotAt(35, 1)).bytes).toBeGreaterThan(0);
  });

  it('refuses a snapshot not beyond the stored one at once, and one beyond the saved commit index or log once its turn comes', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 8, 1), hardState: hardState(1, 5) });
    const refusal = async (index: number, term: number): Promise<SnapshotRefusedError> => {
      const err: unknown = await storage.beginSnapshot(snapshotAt(index, term)).done.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SnapshotRefusedError);
      return err as SnapshotRefusedError;
    };
    expect(await refusal(6, 1)).toMatchObject({
      code: 'beyond-commit',
      index: 6,
      message: 'snapshot at 6 is beyond the stored commit index 5',
    });
    expect(await refusal(4, 2)).toMatchObject({
      code: 'term-mismatch',
      index: 4,
      message: 'snapshot at 4 has term 2 but the stored entry there has term 1',
    });
    expect((await readdir(dir)).filter((n) => n.startsWith('snapshot'))).toEqual([]);
    await storage.beginSnapshot(snapshotAt(4, 1)).done;
    expect(() => storage.beginSnapshot(snapshotAt(3, 1))).toThrow(
      expect.objectContaining({ code: 'not-beyond-stored', index: 3, message: 'snapshot at 3 is not beyond the stored one at 4' }),
    );
    // Not a storage failure: saves go on.
    await storage.save({ entries: entries(9, 9, 1), hardState: hardState(1, 9) });
  });

  it('fits the log as the saves called before it leave it, resolved or not', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 8, 1), hardState: hardState(1, 5) });
    const committing = storage.save({ hardState: hardState(1, 8) });
    expect(await storage.beginSnapshot(snapshotAt(8, 1)).done).toBe('installed');
    await committing;
  });

  it('close waits for the snapshot being written to be installed', async () => {
    const dir = await tempDataDir();
    const storage = await logWithSnapshot(dir);
    const write = storage.beginSnapshot(snapshotAt(30, 1));
    await storage.close();
    expect(await write.done).toBe('installed');
    const { restored } = await openStorage(dir, { segmentBytes: 200 });
    expect(restored.snapshot).toEqual(snapshotAt(30, 1));
  });

  it('a failed sync of the snapshot file fails it, and every later call: the node must restart', async () => {
    const dir = await tempDataDir();
    const storage = await logWithSnapshot(dir);
    vi.spyOn(await fileHandlePrototype(), 'datasync').mockRejectedValueOnce(
      Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }),
    );
    await expect(storage.beginSnapshot(snapshotAt(30, 1)).done).rejects.toThrow('EIO');
    await expect(storage.save({ hardState: hardState(2, 40) })).rejects.toThrow(/unusable after an earlier I\/O error/);
    await storage.close();
    const { restored } = await openStorage(dir, { segmentBytes: 200 });
    expect(restored).toEqual({ hardState: hardState(1, 40), snapshot: snapshotAt(10, 1), entries: entries(11, 40, 1) });
  });
});
