// Honest process states and private files, through the built binary on one three-node cluster:
// - started with umask 000, every folder the cluster creates is 0700 and every file 0600;
// - a follower restarted recomputes its applied-state digests from its log: they agree with the
//   others'; once its log is rewritten on disk (one committed entry, same index and term, other
//   data, with a valid checksum) it applies other entries than the rest: its digest differs and the
//   safety monitor raises State Machine Safety, naming it and the index;
// - `restart` of a node that cannot start exits non-zero with the node's own one-line cause, and
//   so does one whose disk is full (a 64 KiB tmpfs, where this machine lets us mount one).
// The tests run in order on the same cluster.
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeCommand } from '../../src/kv/index.js';
import type { NormalEntry } from '../../src/raft/types.js';
import { DiskStorage } from '../../src/storage/index.js';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { Cli, type Status } from './helpers.js';

const NAME = 'honest';
let cli: Cli;
let folder: string;
let clusterId: string;

beforeAll(async () => {
  cli = await Cli.create();
  // The supervisor and its nodes inherit it. (Test files run in forked processes, which may set it.)
  const umask = process.umask(0);
  try {
    const s = await cli.up(NAME, '3');
    folder = s.folder;
    clusterId = s.clusterId;
  } finally {
    process.umask(umask);
  }
}, 120_000);

afterAll(async () => {
  await cli.cleanup();
}, 60_000);

const node = (s: Status, id: number) => s.nodes.find((n) => n.id === id)!;

/** Every path under `dir`, with its permission bits. */
async function modes(dir: string): Promise<Array<[string, number, boolean]>> {
  const out: Array<[string, number, boolean]> = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const st = await stat(path);
    out.push([path, st.mode & 0o777, st.isDirectory()]);
    if (st.isDirectory()) out.push(...(await modes(path)));
  }
  return out;
}

/** Whether this machine lets the test mount a tmpfs (root in a container that allows it). */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('a three-node cluster started with umask 000', () => {
  test("its folder, the nodes' data directories and every file in them are the user's alone: 0700 and 0600", async () => {
    await cli.settled(NAME);
    await cli.ok('submit', '--name', NAME, 'private');
    const all = [[folder, (await stat(folder)).mode & 0o777, true] as [string, number, boolean], ...(await modes(folder))];
    expect(all.map(([p]) => p.slice(folder.length))).toEqual(
      expect.arrayContaining(['/cluster.json', '/token', '/control.json', '/n1', '/n1/identity.json', '/n1/wal-000000000001.log']),
    );
    for (const [path, mode, dir] of all) expect(`${path} ${mode.toString(8)}`).toBe(`${path} ${dir ? '700' : '600'}`);
  }, 120_000);

  test('a follower whose committed entry is rewritten on its disk diverges, and the monitor says so: State Machine Safety', async () => {
    const { leader } = await cli.settled(NAME);
    const f = [1, 2, 3].find((id) => id !== leader.id)!;
    // A plain restart first: the node recomputes its digests from its log, and they agree.
    await cli.ok('restart', '--name', NAME, String(f));
    await cli.ok('submit', '--name', NAME, 'before');
    const target = await waitFor(
      'every node to apply every entry',
      async () => {
        const s = await cli.status(NAME);
        const applied = s.nodes.map((n) => n.raft?.applied ?? 0);
        return applied.every((a) => a === applied[0] && a >= 3) ? applied[0]! : undefined;
      },
      COSTLY_PROBE,
    );
    const agreed = await cli.status(NAME);
    expect(agreed.safety.ok).toBe(true);
    expect(agreed.nodes.map((n) => n.raft!.digests.at(-1))).toEqual([1, 2, 3].map(() => agreed.nodes[0]!.raft!.digests.at(-1)));
    await cli.ok('stop', '--name', NAME, String(f));

    // The last entry, rewritten with the same index and term: the term runs still agree, the data does not.
    const dir = join(folder, `n${f}`);
    const { storage, restored } = await DiskStorage.open(dir, { clusterId, nodeId: f });
    const last = restored.entries.at(-1)!;
    expect(last.index).toBe(target);
    const forged: NormalEntry = {
      type: 'normal',
      index: last.index,
      term: last.term,
      data: encodeCommand({ op: 'put', clientId: 'forger', seq: 1, key: 'k', value: 'forged' }),
    };
    await storage.save({ entries: [forged], hardState: { ...restored.hardState, commit: last.index } });
    await storage.close();

    // Back, it applies the forged entry where the others applied the real one, and reports its digest there.
    await cli.ok('restart', '--name', NAME, String(f));
    const verdict = await waitFor(
      'the safety alarm',
      async () => {
        const s = await cli.status(NAME);
        return s.safety.ok ? undefined : s.safety;
      },
      COSTLY_PROBE,
    );
    expect(verdict).toMatchObject({ ok: false, property: 'State Machine Safety' });
    expect(verdict.nodes).toContain(f);
    // Whoever reported that index first: another node, or this one before its restart.
    expect(verdict.text).toMatch(
      /^the entries applied up to \d+ differ: digest [0-9a-f]{16} on n\d (but [0-9a-f]{16} on n\d|before, and [0-9a-f]{16} there now)$/,
    );
    expect(Number(/up to (\d+)/.exec(verdict.text)![1])).toBeGreaterThanOrEqual(target);
  }, 180_000);

  test("restart of a node that cannot start exits non-zero with the node's own cause, not its last stderr line", async () => {
    await cli.ok('stop', '--name', NAME, '3');
    const dir = join(folder, 'n3');
    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a directory\n');
    const r = await cli.run('restart', '--name', NAME, '3');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/n3 did not start: EEXIST: file already exists, mkdir '.*n3'/);
    expect(r.stderr).not.toMatch(/Node\.js v\d/);
    expect(node(await cli.status(NAME), 3).process.state).toBe('crashed');
  }, 120_000);

  test.skipIf(!canMount())(
    'restart of a node whose disk is full exits non-zero: "disk full at <path>"',
    async () => {
      await cli.ok('stop', '--name', NAME, '2');
      const dir = join(folder, 'n2');
      const copy = await mkdtemp(join(tmpdir(), 'raft-n2-'));
      await cp(dir, copy, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', dir]);
      try {
        await cp(copy, dir, { recursive: true });
        // Fill it: the filler's last write fails for want of room.
        await writeFile(join(dir, 'filler'), Buffer.alloc(64 * 1024)).catch(() => undefined);
        const r = await cli.run('restart', '--name', NAME, '2');
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain(`n2 did not start: disk full at ${dir}: free space then run \`raft-console restart 2\``);
        expect(node(await cli.status(NAME), 2).process.state).toBe('crashed');
      } finally {
        execFileSync('umount', [dir]);
        await rm(copy, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
