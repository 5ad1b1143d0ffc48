// The supervisor's watch on its control file: it says once when the file is gone (its folder
// deleted), and never while the file stays.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { watchFile } from '../../src/supervisor/folder-watch.js';
import { waitFor } from '../support/wait.js';

async function watched(): Promise<{ folder: string; calls: () => number; stop: () => void }> {
  const folder = await mkdtemp(join(tmpdir(), 'raft-console-watch-'));
  await writeFile(join(folder, 'control.json'), '{}');
  let n = 0;
  const stop = watchFile(join(folder, 'control.json'), () => (n += 1), 5);
  return { folder, calls: () => n, stop };
}

describe('watching the control file', () => {
  test('tells once when its folder is deleted', async () => {
    const w = await watched();
    await rm(w.folder, { recursive: true });
    await waitFor('the watch to tell', () => (w.calls() > 0 ? true : undefined));
    // Any later look would tell again: it stopped looking.
    await new Promise((resolve) => setImmediate(resolve));
    expect(w.calls()).toBe(1);
    w.stop();
  });

  test('says nothing while other files in the folder come and go', async () => {
    const w = await watched();
    for (let i = 0; i < 20; i++) {
      await writeFile(join(w.folder, `f${i}`), 'x');
      await rm(join(w.folder, `f${i}`));
    }
    expect(w.calls()).toBe(0);
    w.stop();
    await rm(w.folder, { recursive: true });
  });
});
