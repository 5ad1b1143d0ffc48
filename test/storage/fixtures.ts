// Shared by the storage tests: temporary data directories (removed after each test), entries, a
// shorthand for opening a node's storage, and the file handles' prototype for spies.
import { mkdtemp, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Entry, HardState, Snapshot } from '../../src/raft/types.js';
import { DiskStorage, type DiskStorageOptions, type OpenedStorage } from '../../src/storage/index.js';

const made: string[] = [];
const opened: DiskStorage[] = [];

afterEach(async () => {
  // Close before removing: a test that failed midway may have left storage open.
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A fresh directory under the system's temp dir; `name` is the data dir inside it (not created). */
export async function tempDataDir(name = 'data'): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'raft-console-storage-'));
  made.push(parent);
  return join(parent, name);
}

export const IDENTITY = { clusterId: 'test-cluster', nodeId: 1 } as const;

export async function openStorage(dir: string, options: Partial<DiskStorageOptions> = {}): Promise<OpenedStorage> {
  const result = await DiskStorage.open(dir, { ...IDENTITY, ...options });
  opened.push(result.storage);
  return result;
}

export function entry(index: number, term: number, data = `v${index}`): Entry {
  return { type: 'normal', index, term, data };
}

/** Entries from..to (inclusive) of one term. */
export function entries(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}

export function hardState(term: number, commit = 0, vote = 0): HardState {
  return { term, vote, commit };
}

export function snapshotAt(index: number, term: number, data = `state@${index}`): Snapshot {
  return { meta: { index, term, membership: { voters: [1, 2, 3], learners: [] } }, data };
}

/** The log segment files in a data directory, oldest first. */
export async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('wal-')).sort();
}

/** The prototype every FileHandle shares, so spies on it see the storage's own handles. */
export async function fileHandlePrototype(): Promise<FileHandle> {
  const handle = await open(tmpdir(), 'r');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}
