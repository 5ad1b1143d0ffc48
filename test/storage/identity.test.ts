// A data directory belongs to one node of one cluster; any other refuses to open it and says why.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirError } from '../../src/storage/index.js';
import { openStorage, tempDataDir } from './fixtures.js';

async function openError(dir: string, options: { clusterId?: string; nodeId?: number }): Promise<DataDirError> {
  const err: unknown = await openStorage(dir, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataDirError);
  return err as DataDirError;
}

describe('data directory identity', () => {
  it('the first open records the cluster id, node id and format version', async () => {
    const dir = await tempDataDir();
    await (await openStorage(dir, { clusterId: 'abc', nodeId: 2 })).storage.close();
    expect(JSON.parse(await readFile(join(dir, 'identity.json'), 'utf8'))).toEqual({
      format: 'raft-console data directory',
      version: 1,
      clusterId: 'abc',
      nodeId: 2,
    });
    const { recovery } = await openStorage(dir, { clusterId: 'abc', nodeId: 2 });
    expect(recovery.created).toBe(false);
  });

  it('another cluster id refuses to open', async () => {
    const dir = await tempDataDir();
    await (await openStorage(dir, { clusterId: 'abc', nodeId: 2 })).storage.close();
    const err = await openError(dir, { clusterId: 'def', nodeId: 2 });
    expect(err.problem).toBe('wrong-identity');
    expect(err.message).toBe(`data directory ${dir} belongs to cluster abc, not def: use another --data-dir or delete it`);
  });

  it('another node id refuses to open', async () => {
    const dir = await tempDataDir();
    await (await openStorage(dir, { clusterId: 'abc', nodeId: 2 })).storage.close();
    const err = await openError(dir, { clusterId: 'abc', nodeId: 3 });
    expect(err.problem).toBe('wrong-identity');
    expect(err.message).toBe(`data directory ${dir} belongs to node 2 of cluster abc, not node 3: use another --data-dir or delete it`);
  });

  it('another storage format version refuses to open', async () => {
    const dir = await tempDataDir();
    await (await openStorage(dir)).storage.close();
    const file = join(dir, 'identity.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"version": 1', '"version": 7'));
    const err = await openError(dir, {});
    expect(err.problem).toBe('unsupported-format');
    expect(err.message).toBe(
      `data directory ${dir} is in storage format version 7, this raft-console reads version 1: use a matching raft-console or another --data-dir`,
    );
  });

  it('a directory with other files and no identity is not taken over', async () => {
    const dir = await tempDataDir();
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const err = await openError(dir, {});
    expect(err.problem).toBe('not-a-data-dir');
    expect(err.message).toBe(
      `data directory ${dir} is not empty and has no identity.json, so it is not a raft-console data directory: use another --data-dir`,
    );
  });

  it('an existing empty directory is taken, and missing parent directories are created', async () => {
    const empty = await tempDataDir();
    await mkdir(empty);
    expect((await openStorage(empty)).recovery.created).toBe(true);
    const nested = join(await tempDataDir(), 'a', 'b');
    expect((await openStorage(nested)).recovery.created).toBe(true);
  });
});
