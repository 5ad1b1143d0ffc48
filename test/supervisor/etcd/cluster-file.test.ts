// An etcd cluster's cluster.json and what the supervisor refuses to do with etcd, without starting
// a member: the engine and each member's ports and id kept and read back (a file from before etcd
// reads, and is written, as it always was), the options etcd 3.4 cannot honour refused with the
// reason, an existing cluster keeping its engine, and the actions etcd has no API for.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ClusterError } from '../../../src/cluster-model/errors.js';
import type { SupervisorOptions } from '../../../src/cluster-model/launcher.js';
import { DEFAULT_SWITCHES } from '../../../src/cluster-model/switches.js';
import { presetTiming } from '../../../src/cluster-model/timing.js';
import { clusterFileOf, fromClusterFile, newClusterFile, readClusterFile, writeClusterFile } from '../../../src/supervisor/cluster-file.js';
import { etcdEngine } from '../../../src/supervisor/etcd/engine.js';
import { EtcdFleet } from '../../../src/supervisor/etcd/fleet.js';
import type { EtcdMemberSetup } from '../../../src/supervisor/etcd/setup.js';
import { LiveModel } from '../../../src/supervisor/live-model.js';
import { KNOWN_BUG_NAMES } from '../../../src/raft/config.js';
import { openSupervisor } from '../../../src/supervisor/supervisor.js';

let folder: string;
let stubEtcd: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'raft-console-etcd-file-'));
  // Never run: the refusals come before any member starts.
  stubEtcd = join(folder, 'etcd-stub');
  await writeFile(stubEtcd, '#!/bin/sh\nexit 1\n');
  await chmod(stubEtcd, 0o755);
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const run = { name: 'demo', folder: '/f', supervisorPid: 1, startedAt: 0 };
const members: EtcdMemberSetup[] = [1, 2, 3].map((n) => ({
  clientPort: 30_000 + n * 10,
  peerPort: 30_001 + n * 10,
  proxyPort: 30_002 + n * 10,
  memberId: n === 1 ? 'a6c4f17f7c4f44cc' : null,
  initialCluster: null,
}));
const etcdFile = () =>
  newClusterFile('demo', [30_010, 30_020, 30_030], null, true, presetTiming('normal'), DEFAULT_SWITCHES, 10_000, { kind: 'etcd', members });

async function refusal(o: SupervisorOptions): Promise<ClusterError> {
  const err = await openSupervisor({ dataDir: join(folder, 'cluster'), etcdBin: stubEtcd, ...o }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClusterError);
  return err as ClusterError;
}

describe("an etcd cluster's cluster.json", () => {
  test("keeps the engine and every member's ports and id, and the model shows each member's identity", async () => {
    const file = etcdFile();
    await writeClusterFile(folder, file);
    const read = (await readClusterFile(folder))!;
    expect(read).toEqual(file);
    const { model, setup } = fromClusterFile(read, run);
    expect(clusterFileOf(model, setup)).toEqual(file);
    expect(model.engine).toMatchObject({ kind: 'etcd', remote: false, writable: true, version: null });
    expect(model.engine.kind === 'etcd' && model.engine.unreported).not.toContain('vote');
    expect(model.nodes[0]!.etcd).toEqual({
      memberId: 'a6c4f17f7c4f44cc',
      name: 'n1',
      clientUrl: 'http://127.0.0.1:30010',
      peerUrl: 'http://127.0.0.1:30012',
      learner: false,
      dbSize: null,
    });
    expect(model.nodes[1]!.etcd?.memberId).toBe('');
  });

  test('a raft-console cluster is written without an engine, and a file without one reads as raft-console', async () => {
    await writeClusterFile(folder, newClusterFile('demo', [7001], null, true, presetTiming('normal'), DEFAULT_SWITCHES, 10_000));
    const raw = JSON.parse(await readFile(join(folder, 'cluster.json'), 'utf8')) as Record<string, unknown>;
    expect(raw).not.toHaveProperty('engine');
    const read = (await readClusterFile(folder))!;
    expect(read.engine).toBe('raft-console');
    expect(fromClusterFile(read, run).model.engine).toEqual({ kind: 'raft-console' });
  });

  test('an etcd member without its ports, or a member id that is not one, is refused naming the file', async () => {
    const file = JSON.parse(JSON.stringify(etcdFile())) as { nodes: Array<Record<string, unknown>> };
    delete file.nodes[1]!.etcd;
    await writeFile(join(folder, 'cluster.json'), JSON.stringify(file));
    await expect(readClusterFile(folder)).rejects.toThrow(/not a raft-console cluster file.*etcd ports/);
    (file.nodes[1] as { etcd: unknown }).etcd = { ...members[1], memberId: 'XYZ' };
    await writeFile(join(folder, 'cluster.json'), JSON.stringify(file));
    await expect(readClusterFile(folder)).rejects.toThrow(/memberId must be an etcd member id/);
  });
});

describe('what an etcd cluster refuses', () => {
  test('what etcd 3.4 cannot do is refused at `up` with the reason and the fix', async () => {
    expect((await refusal({ engine: 'etcd', fsync: false })).problem).toEqual({
      code: 'engine-unsupported',
      op: 'unsafe-no-fsync',
      engine: 'etcd',
      remote: false,
    });
    expect((await refusal({ engine: 'etcd', raft: { checkQuorum: false } })).message).toMatch(/etcd always runs with CheckQuorum/);
    expect((await refusal({ engine: 'etcd', raft: { bugs: [KNOWN_BUG_NAMES[0]!] } })).problem.code).toBe('engine-unsupported');
    expect((await refusal({ engine: 'etcd', heartbeatMs: 50, electionTimeoutMs: { min: 150, max: 300 } })).message).toMatch(
      /at least 5 heartbeats/,
    );
  });

  test('a cluster keeps its engine: asking for another names the fix', async () => {
    const dir = join(folder, 'cluster');
    await openSupervisor({ dataDir: dir }).then(
      (s) => s.stop(),
      () => undefined,
    );
    const err = await refusal({ engine: 'etcd' });
    expect(err.problem).toEqual({ code: 'engine-mismatch', engine: 'raft-console', asked: 'etcd' });
    expect(err.message).toMatch(/runs raft-console, not etcd: leave out --engine.*down --purge/);
  });

  test('campaign, replace and speed are refused with what to do instead', async () => {
    const { model, setup } = fromClusterFile(etcdFile(), { ...run, folder });
    const fleet = new EtcdFleet(new LiveModel(model, setup), folder, stubEtcd);
    const engine = etcdEngine(fleet);
    try {
      for (const [action, fix] of [
        [{ op: 'campaign', node: 1 }, /transfer/],
        [{ op: 'replace', node: 1 }, /remove <id>` then `raft-console add/],
        [{ op: 'speed', preset: 'fast' }, /up --speed/],
      ] as const) {
        const err = await engine.act(action).then(
          () => null,
          (e: unknown) => e as ClusterError,
        );
        expect(err?.problem).toEqual({ code: 'engine-unsupported', op: action.op, engine: 'etcd', remote: false });
        expect(err?.message).toMatch(fix);
      }
    } finally {
      await fleet.close();
    }
  });
});
