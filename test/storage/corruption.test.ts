// Damage a crash cannot explain (a bad record with good ones after it, a bad file that is only ever
// replaced whole) refuses to start, with one line that names the file, the place and what to do.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirError } from '../../src/storage/index.js';
import { entries, hardState, openStorage, segmentFiles, snapshotAt, tempDataDir } from './fixtures.js';

/** Saves three records into one segment; returns the segment and where each record starts. */
async function threeRecords(dir: string): Promise<{ segment: string; starts: number[] }> {
  const { storage } = await openStorage(dir);
  await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 1) });
  await storage.save({ entries: entries(4, 6, 1), hardState: hardState(1, 4) });
  await storage.save({ entries: entries(7, 9, 1), hardState: hardState(1, 7) });
  await storage.close();
  const segment = join(dir, (await segmentFiles(dir))[0]!);
  const bytes = await readFile(segment);
  const starts = [0];
  while (starts.length < 3) starts.push(starts.at(-1)! + 8 + bytes.readUInt32LE(starts.at(-1)! + 4));
  return { segment, starts };
}

async function flipByte(file: string, offset: number): Promise<void> {
  const bytes = await readFile(file);
  bytes.writeUInt8(bytes.readUInt8(offset) ^ 0x10, offset);
  await writeFile(file, bytes);
}

async function openError(dir: string): Promise<DataDirError> {
  const err: unknown = await openStorage(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataDirError);
  return err as DataDirError;
}

describe('a damaged data directory', () => {
  it('a record with a term beyond 2^48 (checksum and all good) is corruption: the node does not run on it', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 2, 1), hardState: hardState(1, 1) });
    await storage.save({ entries: [], hardState: { term: 2 ** 53 - 1, vote: 0, commit: 1 } });
    await storage.close();
    const err = await openError(dir);
    expect(err.problem).toBe('corrupt');
    expect(err.message).toContain('the record has no valid hard state (term and commit from 0 to 281474976710656, vote a node id or 0)');
  });

  it('a flipped byte in the body of an earlier record: refuses, naming the file and the byte offset', async () => {
    const dir = await tempDataDir();
    const { segment, starts } = await threeRecords(dir);
    await flipByte(segment, starts[1]! + 20);
    const err = await openError(dir);
    expect(err.problem).toBe('corrupt');
    expect(err.message).toBe(
      `log segment ${segment} is corrupt at byte ${starts[1]} (checksum mismatch, with good records after it): run \`raft-console replace <id>\` for this node: it moves ${dir} aside and starts the node empty, in recovering mode until it has caught up from the leader (do not delete it by hand: the node would vote again at once)`,
    );
  });

  it('a flipped byte in the length field of an earlier record is damage too, not a torn tail', async () => {
    const dir = await tempDataDir();
    const { segment, starts } = await threeRecords(dir);
    await flipByte(segment, starts[0]! + 5);
    const err = await openError(dir);
    expect(err.message).toContain(`${segment} is corrupt at byte 0 (`);
    expect(err.message).toContain('with good records after it');
  });

  it("a damaged record in a segment that is not the last refuses, even as that segment's last record", async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir, { segmentBytes: 1 });
    await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 1) });
    await storage.save({ entries: entries(4, 6, 1), hardState: hardState(1, 4) });
    await storage.close();
    const [first] = await segmentFiles(dir);
    const size = (await readFile(join(dir, first!))).length;
    await flipByte(join(dir, first!), size - 1);
    const err = await openError(dir);
    expect(err.message).toContain(`${join(dir, first!)} is corrupt at byte 0 (checksum mismatch, in a segment that is not the last)`);
  });

  it('a missing segment between two others refuses', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir, { segmentBytes: 1 });
    for (let i = 1; i <= 3; i++) await storage.save({ entries: entries(i, i, 1), hardState: hardState(1) });
    await storage.close();
    const [, middle] = await segmentFiles(dir);
    await rm(join(dir, middle!));
    expect((await openError(dir)).message).toContain(`log segment ${join(dir, middle!)} is missing`);
  });

  it('a damaged snapshot file refuses (it is replaced atomically, so it cannot be torn)', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 3) });
    await storage.beginSnapshot(snapshotAt(2, 1)).done;
    await storage.close();
    await flipByte(join(dir, 'snapshot.dat'), 30);
    expect((await openError(dir)).message).toBe(
      `snapshot file ${join(dir, 'snapshot.dat')} is corrupt (checksum mismatch): run \`raft-console replace <id>\` for this node: it moves ${dir} aside and starts the node empty, in recovering mode until it has caught up from the leader (do not delete it by hand: the node would vote again at once)`,
    );
  });

  it('a log that marks a snapshot the snapshot file does not hold refuses', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 3) });
    await storage.beginSnapshot(snapshotAt(2, 1)).done;
    await storage.close();
    await rm(join(dir, 'snapshot.dat'));
    expect((await openError(dir)).message).toContain('the log records a snapshot at index 2 term 1 but snapshot.dat holds none');
  });

  it('an unreadable identity file refuses', async () => {
    const dir = await tempDataDir();
    await (await openStorage(dir)).storage.close();
    await writeFile(join(dir, 'identity.json'), '{"format": "raft-console data dir');
    const err = await openError(dir);
    expect(err.message).toBe(
      `identity file ${join(dir, 'identity.json')} is corrupt (not valid JSON): run \`raft-console replace <id>\` for this node: it moves ${dir} aside and starts the node empty, in recovering mode until it has caught up from the leader (do not delete it by hand: the node would vote again at once)`,
    );
  });
});
