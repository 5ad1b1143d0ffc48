// `npm run bench:storage`: recovery time of a 100,000-entry log, and save() throughput with fsync
// on, in batches of 1, 16 and 256 entries (and with unsafeNoFsync, to show what the fsync costs).
//
//   npm run bench:storage -- [parent-dir]
//
// Prints one JSON line per measurement. The data directories are made under parent-dir (default:
// the system temp dir; fsync cost depends on the device under it) and removed at the end. Recovery
// is timed in-process with the files in the page cache, i.e. the restart of a node process, not of
// the machine.
import { Command } from 'commander';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../src/raft/types.js';
import { DiskStorage } from '../src/storage/index.js';

const RECOVERY_ENTRIES = 100_000;
const DATA = 'x'.repeat(100);
const identity = { clusterId: 'bench', nodeId: 1 };

function batchOf(from: number, count: number): Entry[] {
  return Array.from({ length: count }, (_, k): Entry => ({ type: 'normal', index: from + k, term: 1, data: DATA }));
}

async function segmentBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) if (name.startsWith('wal-')) total += (await stat(join(dir, name))).size;
  return total;
}

async function benchRecovery(parent: string, batch: number): Promise<void> {
  const dir = await mkdtemp(join(parent, 'recovery-'));
  // Written without fsync to keep the setup short: the files are the same.
  const { storage } = await DiskStorage.open(dir, { ...identity, unsafeNoFsync: true });
  for (let i = 1; i <= RECOVERY_ENTRIES; i += batch) {
    const count = Math.min(batch, RECOVERY_ENTRIES - i + 1);
    await storage.save({ entries: batchOf(i, count), hardState: { term: 1, vote: 1, commit: i + count - 1 } });
  }
  await storage.close();

  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    const opened = await DiskStorage.open(dir, identity);
    times.push(performance.now() - start);
    if (opened.restored.entries.length !== RECOVERY_ENTRIES) throw new Error('recovery lost entries');
    await opened.storage.close();
  }
  console.log(
    JSON.stringify({
      bench: 'recovery',
      entries: RECOVERY_ENTRIES,
      dataBytes: DATA.length,
      entriesPerRecord: batch,
      logBytes: await segmentBytes(dir),
      firstMs: round(times[0]!),
      bestMs: round(Math.min(...times)),
    }),
  );
  await rm(dir, { recursive: true, force: true });
}

async function benchSave(parent: string, batch: number, fsync: boolean): Promise<void> {
  const dir = await mkdtemp(join(parent, 'save-'));
  const { storage } = await DiskStorage.open(dir, { ...identity, unsafeNoFsync: !fsync });
  // As many saves as fit in about two seconds, at most 2,000.
  const latencies: number[] = [];
  const start = performance.now();
  let next = 1;
  while (latencies.length < 2000 && performance.now() - start < 2000) {
    const entries = batchOf(next, batch);
    next += batch;
    const t = performance.now();
    await storage.save({ entries, hardState: { term: 1, vote: 1, commit: next - 1 } });
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  await storage.close();
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'save',
      fsync,
      entriesPerSave: batch,
      saves: latencies.length,
      savesPerSec: Math.round(latencies.length / seconds),
      entriesPerSec: Math.round((latencies.length * batch) / seconds),
      meanMs: round(latencies.reduce((a, b) => a + b, 0) / latencies.length),
      p99Ms: round(latencies[Math.floor(latencies.length * 0.99)]!),
    }),
  );
  await rm(dir, { recursive: true, force: true });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

async function main(parentDir: string): Promise<void> {
  const parent = await mkdtemp(join(parentDir, 'raft-console-storage-bench-'));
  try {
    for (const batch of [1, 256]) await benchRecovery(parent, batch);
    for (const fsync of [true, false]) for (const batch of [1, 16, 256]) await benchSave(parent, batch, fsync);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}

await new Command('bench:storage')
  .description('the write-ahead log: recovery time of 100,000 entries, and save() throughput with and without fsync')
  .argument('[parent-dir]', 'where to make the data folders (fsync cost depends on the device under it)', tmpdir())
  .action(main)
  .parseAsync();
