// A data directory is the user's alone: created 0700, and every file in it (identity, log segments,
// the snapshot, files being replaced) 0600, whatever the umask and the parent's mode. Test files
// run in forked processes, which may set their umask.
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entries, hardState, openStorage, snapshotAt, tempDataDir } from './fixtures.js';

let umask: number;
beforeEach(() => {
  umask = process.umask(0);
});
afterEach(() => {
  process.umask(umask);
});

/** mode (octal) of the directory and of everything in it. */
async function modes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = { '.': ((await stat(dir)).mode & 0o777).toString(8) };
  for (const name of await readdir(dir)) out[name] = ((await stat(join(dir, name))).mode & 0o777).toString(8);
  return out;
}

describe('the modes of a data directory', () => {
  it('are 0700 and 0600 under umask 000 in a world-writable parent, segments and snapshot included', async () => {
    const parent = await tempDataDir('parent');
    await mkdir(parent, { mode: 0o777 });
    await chmod(parent, 0o777);
    const dir = join(parent, 'deep', 'n1');
    const { storage } = await openStorage(dir, { segmentBytes: 64 });
    await storage.save({ entries: entries(1, 20, 1), hardState: hardState(1, 20) });
    await storage.beginSnapshot(snapshotAt(10, 1)).done;
    await storage.close();
    const found = await modes(dir);
    expect(Object.keys(found)).toEqual(expect.arrayContaining(['identity.json', 'snapshot.dat']));
    expect(Object.keys(found).filter((n) => n.startsWith('wal-')).length).toBeGreaterThan(1);
    for (const [name, mode] of Object.entries(found)) expect(`${name} ${mode}`).toBe(`${name} ${name === '.' ? '700' : '600'}`);
    expect(((await stat(join(parent, 'deep'))).mode & 0o777).toString(8)).toBe('700');
  });
});
