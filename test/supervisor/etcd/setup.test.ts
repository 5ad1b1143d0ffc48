// How an etcd member is started, without starting one: the timing etcd can take for each speed,
// a member's command line as a bootstrap member and as one that joined, the member id etcd will
// give a bootstrap member, and where the etcd binary is found.
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ClusterError } from '../../../src/cluster-model/errors.js';
import { customTiming, presetTiming } from '../../../src/cluster-model/timing.js';
import { findEtcd } from '../../../src/supervisor/etcd/fleet.js';
import {
  bootstrapCluster,
  bootstrapMemberId,
  chooseEtcdTiming,
  memberArgs,
  type EtcdMemberSetup,
} from '../../../src/supervisor/etcd/setup.js';

const member = (n: number): EtcdMemberSetup => ({
  clientPort: 30_000 + n * 10,
  peerPort: 30_001 + n * 10,
  proxyPort: 30_002 + n * 10,
  memberId: null,
  initialCluster: null,
});

/** The value after `flag` in `args`. */
const after = (args: string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];

describe('the timing an etcd cluster runs at', () => {
  test("a preset keeps its smallest election timeout and takes a fifth of it as the heartbeat when etcd's 5-heartbeat rule needs it, and says so", () => {
    const normal = chooseEtcdTiming(presetTiming('normal'));
    expect([normal.heartbeatMs, normal.electionTimeoutMs]).toEqual([30, 150]);
    // etcd draws in whole heartbeats from [et, 2et - 1 tick].
    expect(normal.timing).toEqual({ preset: 'normal', tickMs: 30, electionTimeoutMs: { min: 150, max: 270 }, heartbeatMs: 30 });
    expect(normal.adjusted).toMatch(/at least 5 heartbeats.*every 30 ms instead of 50 ms/);
    expect(chooseEtcdTiming(presetTiming('slow')).heartbeatMs).toBe(300);
    expect(chooseEtcdTiming(presetTiming('fast')).heartbeatMs).toBe(6);
  });

  test('a timing etcd takes as it is is kept, with no note', () => {
    const t = chooseEtcdTiming(customTiming({ min: 500, max: 900 }, 100));
    expect([t.heartbeatMs, t.electionTimeoutMs, t.adjusted]).toEqual([100, 500, null]);
    // Already fitted (a saved cluster started again): the same.
    expect(chooseEtcdTiming(t.timing).timing).toEqual(t.timing);
  });

  test('explicit values that break the 5-heartbeat rule are refused with the values that would do', () => {
    expect(() => chooseEtcdTiming(customTiming({ min: 150, max: 300 }, 50))).toThrow(
      /--heartbeat 30 or less, or --election-timeout 250-500/,
    );
  });

  test('an explicit range etcd cannot draw from is told as the range it draws from', () => {
    expect(chooseEtcdTiming(customTiming({ min: 150, max: 300 }, 30)).adjusted).toMatch(/150-270 ms in 30 ms steps/);
  });
});

describe("an etcd member's command line", () => {
  const common = { token: 'tok', heartbeatMs: 30, electionTimeoutMs: 150, snapshotEvery: 10_000 };

  test('a bootstrap member starts a new cluster of every bootstrap member, advertises its proxy, listens behind it, with PreVote and JSON logs', () => {
    const bootstrap = bootstrapCluster([1, 2, 3].map((id) => ({ id, etcd: member(id) })));
    expect(bootstrap).toBe('n1=http://127.0.0.1:30012,n2=http://127.0.0.1:30022,n3=http://127.0.0.1:30032');
    const args = memberArgs({ ...common, member: { id: 2, dataDir: '/c/n2', etcd: member(2) }, bootstrap, switches: { preVote: true } });
    expect(after(args, '--name')).toBe('n2');
    expect(after(args, '--data-dir')).toBe('/c/n2');
    expect(after(args, '--listen-client-urls')).toBe('http://127.0.0.1:30020');
    expect(after(args, '--listen-peer-urls')).toBe('http://127.0.0.1:30021');
    expect(after(args, '--initial-advertise-peer-urls')).toBe('http://127.0.0.1:30022');
    expect(after(args, '--initial-cluster')).toBe(bootstrap);
    expect(after(args, '--initial-cluster-state')).toBe('new');
    expect(after(args, '--initial-cluster-token')).toBe('tok');
    expect([after(args, '--heartbeat-interval'), after(args, '--election-timeout')]).toEqual(['30', '150']);
    expect(args).toContain('--pre-vote');
    expect([after(args, '--logger'), after(args, '--log-outputs')]).toEqual(['zap', 'stderr']);
  });

  test('a member that joined starts with the cluster it joined, as an existing one; without PreVote when it is off', () => {
    const joined = { ...member(4), initialCluster: 'n1=http://127.0.0.1:30012,n4=http://127.0.0.1:30042' };
    const args = memberArgs({
      ...common,
      member: { id: 4, dataDir: '/c/n4', etcd: joined },
      bootstrap: 'ignored',
      switches: { preVote: false },
    });
    expect(after(args, '--initial-cluster')).toBe(joined.initialCluster);
    expect(after(args, '--initial-cluster-state')).toBe('existing');
    expect(args).not.toContain('--pre-vote');
  });

  test("a bootstrap member's id is the one etcd computes: SHA-1 of its sorted peer URLs and the token", () => {
    expect(bootstrapMemberId(['http://127.0.0.1:30002'], '5b0c8c52-1c9b-4c55-9d5f-2f0f3a3c1c11')).toBe('a6c4f17f7c4f44cc');
    expect(bootstrapMemberId(['http://127.0.0.1:30002', 'http://127.0.0.1:30001'], 'tok')).toBe('a9798428d8270f53');
  });
});

describe('the etcd binary', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raft-console-etcd-bin-'));
    await writeFile(join(dir, 'etcd'), '#!/bin/sh\n');
    await chmod(join(dir, 'etcd'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('is found in PATH, or at the path given', () => {
    expect(findEtcd(undefined, `/nowhere:${dir}`)).toBe(join(dir, 'etcd'));
    expect(findEtcd(join(dir, 'etcd'), '')).toBe(join(dir, 'etcd'));
  });

  test('missing, is an error with the install command and --etcd-bin', () => {
    let caught: unknown;
    try {
      findEtcd(undefined, '/nowhere');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ClusterError);
    expect((caught as ClusterError).problem).toEqual({ code: 'etcd-missing', bin: 'etcd' });
    expect((caught as ClusterError).message).toBe(
      'etcd is not installed: `sudo apt-get install etcd-server` (Debian, Ubuntu), or give its path with --etcd-bin',
    );
    expect(() => findEtcd(join(dir, 'no-such-etcd'), '')).toThrow(/no etcd at .*--etcd-bin/);
  });
});
