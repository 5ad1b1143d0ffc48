// `raft-console status --etcd`: one look at an etcd cluster raft-console does not run (started by
// the test itself, outside raft-console, as an operator's cluster elsewhere would be), printed as
// `status` prints a cluster of its own, without the columns about raft-console's processes; and
// the usage mistakes of mixing the two kinds of cluster. etcd is required in CI; elsewhere skipped.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RemoteEtcd, skipWithoutEtcd } from '../e2e/etcd-remote.js';
import { Cli } from './helpers.js';

if (skipWithoutEtcd) console.warn('status-etcd.system.test.ts skipped: etcd is not installed (in CI it is required)');

let cli: Cli;
let etcd: RemoteEtcd | undefined;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await etcd?.stop();
  await cli.cleanup();
});

describe.skipIf(skipWithoutEtcd)('status --etcd', () => {
  test('prints every member, its leader and its etcd ids in one look, and leaves the cluster as it was', async () => {
    etcd = await RemoteEtcd.start({ members: 3 });
    const r = await cli.run('status', '--etcd', etcd.endpoints, '--wide');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^cluster \S+ \(etcd 3\.\d+\.\d+\): 3 nodes, n\d leads term \d+/);
    expect(lines[1]).toMatch(/^etcd cluster [0-9a-f]+, attached, read once, through /);
    const header = lines.find((l) => l.startsWith('NODE  ROLE'))!;
    expect(header).toContain('PROCESS');
    for (const column of ['PID', 'UP', 'RESTARTS', 'DATA']) expect(header.split(/\s{2,}/)).not.toContain(column);
    expect(lines.filter((l) => /^n[123]\s/.test(l) && l.includes('running'))).toHaveLength(3);
    expect(lines.filter((l) => /^n[123]\s+[0-9a-f]{6,}\s+http:/.test(l))).toHaveLength(3); // the etcd table: member ids and URLs
    expect(lines.filter((l) => /★ leader/.test(l))).toHaveLength(1);
    expect(r.stdout).not.toMatch(/a snapshot every/);

    const json = await cli.run('status', '--etcd', etcd.endpoints, '--json');
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { engine: { kind: string; remote: boolean }; leader: number | null; nodes: unknown[] };
    expect(doc.engine).toMatchObject({ kind: 'etcd', remote: true });
    expect(doc.nodes).toHaveLength(3);
    expect(doc.leader).not.toBeNull();
  });

  test('mixing a cluster of its own with --etcd, or --etcd flags without it, is a usage error in one line', async () => {
    const orphan = await cli.run('status', '--cacert', '/nonexistent/ca.pem');
    expect(orphan.code).toBe(2);
    expect(orphan.stderr.trim()).toBe('raft-console status: --cacert is for an etcd cluster: give its client URLs with --etcd');
    const both = await cli.run('status', '--etcd', '127.0.0.1:1', '--name', 'x');
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
    const down = await cli.run('status', '--etcd', '127.0.0.1:1');
    expect(down.code).toBe(3);
    expect(down.stderr.trim()).toMatch(/^raft-console status: etcd at http:\/\/127\.0\.0\.1:1 cannot be reached/);
  });
});
