// An etcd cluster started by the test itself, outside raft-console, as an operator's cluster on
// other machines would be: for `dashboard --etcd`. Each member is a real etcd process on
// 127.0.0.1 on ports free when it starts (freePorts: below the ephemeral range, so parallel test
// files neither collide nor meet a port the system hands out), with its data in a temporary
// folder; the test kills them and removes the folder. With `tls`, clients must come over https
// with a certificate the same CA signed (--client-cert-auth).
// etcd is required in CI; elsewhere a test without it is skipped.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdGateway, type EtcdTls } from '../../src/etcd/gateway.js';
import { freePorts } from '../../src/supervisor/ports.js';
import { waitFor } from '../support/wait.js';

export const hasEtcd = spawnSync('etcd', ['--version']).status === 0;
/** Skip without etcd, except in CI, where a missing etcd must fail the test. */
export const skipWithoutEtcd = !hasEtcd && ['', 'false', '0', undefined].includes(process.env.CI);

export interface RemoteMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  process: ChildProcess;
}

export interface RemoteEtcdOptions {
  /** How many members, named a, b, c, ... */
  members: number;
  /** Certificate files (PEM paths) for https with client certificates. */
  tls?: { cert: string; key: string; ca: string };
}

export class RemoteEtcd {
  private constructor(
    readonly dir: string,
    readonly members: RemoteMember[],
  ) {}

  /** Starts the members and resolves once every one answers its status (`client` reaches them). */
  static async start(o: RemoteEtcdOptions, client: EtcdTls = {}): Promise<RemoteEtcd> {
    const dir = await mkdtemp(join(tmpdir(), 'etcdattach-'));
    const scheme = o.tls === undefined ? 'http' : 'https';
    const names = Array.from({ length: o.members }, (_, i) => String.fromCharCode(97 + i));
    // Member i listens for clients on ports[2i] and for peers on ports[2i + 1].
    const ports = await freePorts(2 * o.members);
    const urls = names.map((name, i) => ({
      name,
      clientUrl: `${scheme}://127.0.0.1:${ports[2 * i]!}`,
      peerUrl: `http://127.0.0.1:${ports[2 * i + 1]!}`,
    }));
    const initial = urls.map((u) => `${u.name}=${u.peerUrl}`).join(',');
    const members = urls.map((u) => {
      const args = [
        '--name',
        u.name,
        '--data-dir',
        join(dir, u.name),
        '--listen-client-urls',
        u.clientUrl,
        '--advertise-client-urls',
        u.clientUrl,
        '--listen-peer-urls',
        u.peerUrl,
        '--initial-advertise-peer-urls',
        u.peerUrl,
        '--initial-cluster',
        initial,
        '--initial-cluster-token',
        `etcdattach-${ports[0]!}`,
        '--heartbeat-interval',
        '30',
        '--election-timeout',
        '150',
        '--logger',
        'zap',
        '--log-outputs',
        'stderr',
        ...(o.tls === undefined
          ? []
          : ['--cert-file', o.tls.cert, '--key-file', o.tls.key, '--trusted-ca-file', o.tls.ca, '--client-cert-auth']),
      ];
      const child = spawn('etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.pipe(createWriteStream(join(dir, `${u.name}.log`)));
      return { ...u, process: child };
    });
    const remote = new RemoteEtcd(dir, members);
    const gateway = new EtcdGateway({ endpoints: urls.map((u) => u.clientUrl), tls: client, timeoutMs: 1000 });
    try {
      await waitFor(
        `etcd members ${names.join(', ')} to answer (logs in ${dir})`,
        async () => {
          const statuses = await Promise.all(members.map((m) => gateway.status(m.clientUrl)));
          return statuses.some((s) => s.leader !== null) ? true : undefined;
        },
        { intervalMs: 100, timeoutMs: 20_000 },
      );
    } catch (err) {
      await remote.stop();
      throw err;
    } finally {
      gateway.close();
    }
    return remote;
  }

  /** The client URLs, comma-separated, as --etcd takes them. */
  get endpoints(): string {
    return this.members.map((m) => m.clientUrl).join(',');
  }

  /** SIGKILL: a crash. */
  kill(name: string): void {
    this.members.find((m) => m.name === name)?.process.kill('SIGKILL');
  }

  /** Kills every member and removes their data. */
  async stop(): Promise<void> {
    await Promise.all(
      this.members.map(
        (m) =>
          new Promise<void>((resolve) => {
            if (m.process.exitCode !== null || m.process.signalCode !== null) return resolve();
            m.process.once('exit', () => resolve());
            m.process.kill('SIGKILL');
          }),
      ),
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}
