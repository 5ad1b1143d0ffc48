// The client commands against a real etcd member (etcd 3.4, /usr/bin/etcd or $ETCD_BIN), started
// here on ports free at the time (freePorts), through the one place the CLI and the dashboard send
// them (sendRequest): what etcd stored is what the answers said, and a member that is gone (a free
// port nothing listens on) is one line.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETCD_SUBMIT_KEY, sendRequest } from '../../src/cluster-model/commands/client-request.js';
import type { ClusterModel } from '../../src/cluster-model/index.js';
import { EtcdGateway } from '../../src/etcd/gateway.js';
import { freePorts } from '../../src/supervisor/ports.js';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { etcdModel, etcdNode } from './fixtures.js';

const ETCD = process.env.ETCD_BIN ?? '/usr/bin/etcd';
// The member's client and peer ports, and one nothing listens on (a member that is gone).
let url = '';
let refused = 0;
let dir = '';
let etcd: ChildProcess | null = null;
let model: ClusterModel;

describe.skipIf(!existsSync(ETCD))('the client commands on a real etcd member', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etcdtui-'));
    const [client, peerPort, unused] = (await freePorts(3)) as [number, number, number];
    url = `http://127.0.0.1:${client}`;
    refused = unused;
    const peer = `http://127.0.0.1:${peerPort}`;
    etcd = spawn(
      ETCD,
      [
        ...['--name', 'n1', '--data-dir', join(dir, 'n1')],
        ...['--listen-client-urls', url, '--advertise-client-urls', url],
        ...['--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `n1=${peer}`],
        ...['--logger', 'zap', '--log-outputs', 'stderr', '--heartbeat-interval', '30', '--election-timeout', '150'],
      ],
      { stdio: 'ignore' },
    );
    const gateway = new EtcdGateway({ endpoints: [url], timeoutMs: 1000 });
    try {
      await waitFor('etcd to elect itself and serve reads', async () => (await gateway.status(url)).leader !== null, COSTLY_PROBE);
    } finally {
      gateway.close();
    }
    model = etcdModel([etcdNode(1, { role: 'leader', term: 2, leader: 1, commit: 4, applied: 4 }, url)]);
  });

  afterAll(async () => {
    if (etcd !== null && etcd.exitCode === null) {
      const exited = new Promise((resolve) => etcd!.once('exit', resolve));
      etcd.kill('SIGKILL');
      await exited;
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('put, get, cas, del and submit do what they say, and etcd holds what they said', async () => {
    const T = { timeoutMs: 5000 };
    const put = await sendRequest(model, { op: 'put', key: 'greeting', value: 'hello' }, T);
    expect(put.human).toMatch(/^greeting = "hello", committed at revision \d+ \(answered by n1\)$/);
    const revision = put.json.revision as number;
    expect((await sendRequest(model, { op: 'get', key: 'greeting' }, T)).human).toBe(
      `greeting = "hello" (read at revision ${revision}, answered by n1)`,
    );
    expect((await sendRequest(model, { op: 'cas', key: 'greeting', expected: 'hi', value: 'x' }, T)).ok).toBe(false);
    expect((await sendRequest(model, { op: 'cas', key: 'greeting', expected: 'hello', value: 'bye' }, T)).ok).toBe(true);
    expect((await sendRequest(model, { op: 'get', key: 'greeting' }, T)).json).toMatchObject({ value: 'bye' });
    expect((await sendRequest(model, { op: 'del', key: 'greeting' }, T)).json).toMatchObject({ existed: true });
    expect((await sendRequest(model, { op: 'get', key: 'greeting' }, T)).json).toMatchObject({ value: null });
    const submitted = await sendRequest(model, { op: 'submit', text: 'an entry' }, { ...T, via: 1 });
    expect(submitted.json.revision).toBeGreaterThan(revision);
    expect((await sendRequest(model, { op: 'get', key: ETCD_SUBMIT_KEY }, T)).json).toMatchObject({ value: 'an entry' });
  });

  it('a member that is down is a one-line failure naming it', async () => {
    const gone = etcdModel([etcdNode(1, { role: 'leader', term: 2, leader: 1 }, `http://127.0.0.1:${refused}`)]);
    await expect(sendRequest(gone, { op: 'get', key: 'k' }, { timeoutMs: 1000 })).rejects.toThrow(
      new RegExp(`^cannot reach n1 \\(etcd at http://127\\.0\\.0\\.1:${refused}\\) \\(ECONNREFUSED\\): is it running\\?`),
    );
  });
});
