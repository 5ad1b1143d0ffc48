// Nodes frozen when their supervisor died are ended by the next supervisor of the folder, or a purge.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { endOrphanNodes, recordNodePids } from '../../src/supervisor/orphans.js';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

/** A stand-in for a node: a process whose command line names raft-console and the folder, frozen. */
function frozenNode(folder: string): { pid: number; gone: Promise<NodeJS.Signals | null> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'raft-console', join(folder, 'n1')], { stdio: 'ignore' });
  const gone = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGSTOP');
  return { pid: child.pid!, gone };
}

describe('nodes left behind by a dead supervisor', () => {
  it("are killed when recorded and still running the cluster's folder", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'raft-console-orphans-'));
    folders.push(folder);
    const node = frozenNode(folder);
    recordNodePids(folder, [node.pid]);
    expect(endOrphanNodes(folder)).toEqual([node.pid]);
    expect(await node.gone).toBe('SIGKILL');
  });

  it('are left alone when the pid now belongs to a process of another folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'raft-console-orphans-'));
    const other = mkdtempSync(join(tmpdir(), 'raft-console-orphans-'));
    folders.push(folder, other);
    const stranger = frozenNode(other);
    recordNodePids(folder, [stranger.pid]);
    try {
      expect(endOrphanNodes(folder)).toEqual([]);
    } finally {
      process.kill(stranger.pid, 'SIGKILL');
      await stranger.gone;
    }
  });
});
