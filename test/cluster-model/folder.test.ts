// Which folder a cluster name means: a cluster started with --data-dir is found again by its name
// through the note its supervisor left, a cluster in the data folder itself comes first, and a note
// that no longer leads to the cluster, or is damaged, says what to do.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { clusterFolder, forgetElsewhere, noteElsewhere } from '../../src/cluster-model/folder.js';

let root: string;
let stateDir: string;
let elsewhere: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-console-folder-'));
  stateDir = join(root, 'state');
  elsewhere = join(root, 'elsewhere');
  await mkdir(elsewhere, { recursive: true });
  await writeFile(join(elsewhere, 'cluster.json'), '{}');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the folder of a cluster name', () => {
  test('is the data folder’s own without a note', () => {
    expect(clusterFolder({ name: 'demo', stateDir }).folder).toBe(join(stateDir, 'demo'));
  });

  test('is where --data-dir started it, noted for the name, until forgotten', async () => {
    await noteElsewhere({ name: 'demo', stateDir, dataDir: elsewhere }, 'demo', elsewhere);
    expect(clusterFolder({ name: 'demo', stateDir }).folder).toBe(elsewhere);
    expect(clusterFolder({ name: 'other', stateDir }).folder).toBe(join(stateDir, 'other'));
    await forgetElsewhere({ name: 'demo', stateDir }, 'demo', elsewhere);
    expect(clusterFolder({ name: 'demo', stateDir }).folder).toBe(join(stateDir, 'demo'));
  });

  test('is the data folder’s own when a cluster lives there, note or not', async () => {
    await noteElsewhere({ name: 'demo', stateDir, dataDir: elsewhere }, 'demo', elsewhere);
    await mkdir(join(stateDir, 'demo'), { recursive: true });
    await writeFile(join(stateDir, 'demo', 'cluster.json'), '{}');
    expect(clusterFolder({ name: 'demo', stateDir }).folder).toBe(join(stateDir, 'demo'));
  });

  test('a note whose folder no longer holds the cluster names it and the way on', async () => {
    await noteElsewhere({ name: 'demo', stateDir, dataDir: elsewhere }, 'demo', elsewhere);
    await rm(elsewhere, { recursive: true });
    const note = join(stateDir, '.elsewhere', 'demo.json');
    expect(() => clusterFolder({ name: 'demo', stateDir })).toThrow(
      `the cluster demo was started with --data-dir ${elsewhere}, which no longer holds it: give --data-dir for where it is now, or delete ${note} to forget it`,
    );
  });

  test('a damaged note is named, with the way on', async () => {
    await mkdir(join(stateDir, '.elsewhere'), { recursive: true });
    const note = join(stateDir, '.elsewhere', 'demo.json');
    await writeFile(note, JSON.stringify({ name: 'demo', folder: 'relative/path' }));
    expect(() => clusterFolder({ name: 'demo', stateDir })).toThrow(
      `${note} is damaged (folder must be an absolute path, got "relative/path"): delete it to forget it`,
    );
  });
});
