// recovery.json: the recovering mode of a node that lost data survives a restart, ends when
// cleared, and a damaged file refuses to start (silently dropping it would let the node vote).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirError } from '../../src/storage/index.js';
import { openStorage, tempDataDir } from './fixtures.js';

describe('recovery.json', () => {
  it('is kept across a restart and removed when recovery ends', async () => {
    const dir = await tempDataDir();
    let { storage } = await openStorage(dir);
    expect(await storage.loadRecovery()).toBeNull();
    await storage.saveRecovery({ untilIndex: 120, aboveTerm: 5 });
    await storage.close();
    ({ storage } = await openStorage(dir));
    expect(await storage.loadRecovery()).toEqual({ untilIndex: 120, aboveTerm: 5 });
    await storage.saveRecovery(null);
    await storage.close();
    ({ storage } = await openStorage(dir));
    expect(await storage.loadRecovery()).toBeNull();
    await storage.close();
  });

  it('damaged, it is refused with the command to run', async () => {
    const dir = await tempDataDir();
    const { storage } = await openStorage(dir);
    await writeFile(join(dir, 'recovery.json'), '{"untilIndex": -1}');
    const err = await storage.loadRecovery().then(
      () => null,
      (e: unknown) => e,
    );
    await storage.close();
    expect(err).toBeInstanceOf(DataDirError);
    expect((err as DataDirError).message).toBe(
      `recovery file ${join(dir, 'recovery.json')} is corrupt: this node lost data and must not vote until it caught up; run \`raft-console replace <id>\` to start it again empty`,
    );
  });
});
