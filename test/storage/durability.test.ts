// Nothing is acknowledged before it is on disk, one fdatasync covers a whole save, and a failed
// write stops the storage rather than letting the node carry on over an unknown disk state.
import type { FileHandle } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { entries, fileHandlePrototype, hardState, openStorage, tempDataDir } from './fixtures.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('durability', () => {
  it('a save costs one fdatasync whether it carries 1 entry or 256 (group commit)', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    const datasync = vi.spyOn(await fileHandlePrototype(), 'datasync');
    await storage.save({ entries: entries(1, 1, 1), hardState: hardState(1) });
    expect(datasync).toHaveBeenCalledTimes(1);
    await storage.save({ entries: entries(2, 257, 1), hardState: hardState(1, 100) });
    expect(datasync).toHaveBeenCalledTimes(2);
  });

  it('a save resolves only after its fdatasync has completed', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    const proto = await fileHandlePrototype();
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the original, called below with .call(this) on each handle
    const realDatasync = proto.datasync;
    let releaseSync!: () => void;
    let syncStarted!: () => void;
    const started = new Promise<void>((resolve) => (syncStarted = resolve));
    vi.spyOn(proto, 'datasync').mockImplementation(function (this: FileHandle) {
      syncStarted();
      return new Promise<void>((resolve) => {
        releaseSync = () => void realDatasync.call(this).then(resolve);
      });
    });

    let acknowledged = false;
    const saved = storage.save({ hardState: hardState(1, 0, 2) }).then(() => (acknowledged = true));
    await started;
    // Let every other pending callback run: the save must still be waiting on the disk.
    await new Promise((resolve) => setImmediate(resolve));
    expect(acknowledged).toBe(false);
    releaseSync();
    await saved;
    expect(acknowledged).toBe(true);
  });

  it('starting a new segment also syncs the directory, so the new file cannot vanish', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir, { segmentBytes: 1 });
    await storage.save({ entries: entries(1, 1, 1), hardState: hardState(1) });
    const sync = vi.spyOn(await fileHandlePrototype(), 'sync');
    await storage.save({ entries: entries(2, 2, 1) });
    expect(sync).toHaveBeenCalledTimes(1);
  });

  it('with unsafeNoFsync nothing is synced, and the storage says it is unsafe', async () => {
    const proto = await fileHandlePrototype();
    const datasync = vi.spyOn(proto, 'datasync');
    const sync = vi.spyOn(proto, 'sync');
    const { storage } = await openStorage(await tempDataDir(), { unsafeNoFsync: true, segmentBytes: 1 });
    expect(storage.unsafeNoFsync).toBe(true);
    await storage.save({ entries: entries(1, 10, 1), hardState: hardState(1) });
    await storage.save({ entries: entries(11, 20, 1), hardState: hardState(1) });
    expect(datasync).not.toHaveBeenCalled();
    expect(sync).not.toHaveBeenCalled();
  });

  it('after a failed fdatasync every later call fails: the node must restart', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    const proto = await fileHandlePrototype();
    vi.spyOn(proto, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(storage.save({ hardState: hardState(1) })).rejects.toThrow('EIO');
    await expect(storage.save({ hardState: hardState(2) })).rejects.toThrow(/unusable after an earlier I\/O error .*restart the node/);
    await storage.close();
  });

  it('calls made without waiting run one at a time, in call order', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    const saves = [];
    for (let i = 1; i <= 20; i++) saves.push(storage.save({ entries: entries(i, i, 1), hardState: hardState(1, i - 1) }));
    await Promise.all(saves);
    await storage.close();
    const { restored } = await openStorage(dir);
    expect(restored.entries).toEqual(entries(1, 20, 1));
    expect(restored.hardState).toEqual(hardState(1, 19));
  });
});
