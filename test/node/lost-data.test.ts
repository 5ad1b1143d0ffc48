// The lost-data check at start (src/node/lost-data.ts) against a commit index written without an
// fdatasync (Ready.mustSync false): power lost before the next fdatasync takes that record, and the
// node restarts with a lower commit index than it reported as durable. That is no lost data: the
// check compares the recovered term and last index, and the entries up to any commit index it
// reported were synced before it.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventStream } from '../../src/node/event-stream.js';
import { recoveryAtStart } from '../../src/node/lost-data.js';
import type { NodeOptions } from '../../src/node/options.js';
import { entries, hardState, openStorage, segmentFiles, tempDataDir } from '../storage/fixtures.js';

describe('recoveryAtStart', () => {
  it('a commit index lost with its unsynced record is not lost data', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: entries(1, 3, 1), hardState: hardState(1, 1, 1) });
    const segment = join(dir, (await segmentFiles(dir))[0]!);
    const syncedBytes = (await stat(segment)).size;
    // The node reports term 1, commit 3 as durable once this save resolves.
    await storage.save({ hardState: hardState(1, 3, 1), mustSync: false });
    await storage.close();
    // Power lost: the unsynced record never reached the disk.
    await writeFile(segment, (await readFile(segment)).subarray(0, syncedBytes));

    const reopened = await openStorage(dir);
    expect(reopened.restored.hardState).toEqual(hardState(1, 1, 1));
    const said: string[] = [];
    const events = { lifecycle: (_e: unknown, text: string) => said.push(text) } as unknown as EventStream;
    const options = { id: 1, acknowledged: { term: 1, commit: 3 } } as unknown as NodeOptions;
    expect(await recoveryAtStart(options, reopened.storage, reopened.restored, events)).toBeNull();
    expect(said).toEqual([]);
  });
});
