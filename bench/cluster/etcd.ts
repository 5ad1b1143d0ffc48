// etcd as the yardstick: find (or install) an etcd binary, run a cluster of the same size on
// 127.0.0.1 with its data in a temp dir, and drive it through its v3 JSON gateway
// (POST /v3/kv/put, base64 key and value) with the same workload as raft-console.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { exited, GiveUp, removeDir, sleep, stopChild, trackChild, trackDir, waitFor } from '../children.js';
import { zeroCounters, type Ack, type LoadClient, type RetryPolicy, StoppedError } from './load-client.js';
import { freePorts } from '../../src/supervisor/ports.js';

const run = promisify(execFile);

function onPath(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin', '/usr/sbin', '/snap/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

export type EtcdBinary = { ok: true; path: string; version: string } | { ok: false; reason: string };

/**
 * The etcd binary to compare with: on PATH, or installed with `apt-get install -y etcd-server`
 * (Debian's package) when this runs as root on a machine with apt-get. Otherwise a reason to skip.
 */
export async function findEtcd(log: (line: string) => void): Promise<EtcdBinary> {
  let path = onPath('etcd');
  if (path === null) {
    const apt = onPath('apt-get');
    const root = process.getuid?.() === 0;
    if (apt === null)
      return {
        ok: false,
        reason:
          "no etcd binary on PATH and no apt-get to install Debian's etcd-server package: put an etcd (3.4 or later) on PATH to compare",
      };
    if (!root)
      return {
        ok: false,
        reason:
          'no etcd binary on PATH, and the bench is not running as root so it cannot install it: run `sudo apt-get install -y etcd-server` (or put an etcd on PATH) and rerun',
      };
    const install = async (): Promise<void> => {
      await run(apt, ['install', '-y', 'etcd-server'], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
      });
    };
    log("etcd not found: installing Debian's etcd-server package (apt-get install -y etcd-server)...");
    try {
      await install();
    } catch {
      log('apt-get install failed; running apt-get update and trying once more...');
      try {
        await run(apt, ['update'], {
          env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
          timeout: 600_000,
          maxBuffer: 64 * 1024 * 1024,
        });
        await install();
      } catch (err) {
        const detail = ((err as { stderr?: string }).stderr ?? String(err)).trim().split('\n').slice(-3).join(' / ');
        return { ok: false, reason: `could not install etcd-server with apt-get (${detail}): install etcd by hand to compare` };
      }
    }
    path = onPath('etcd');
    if (path === null) return { ok: false, reason: 'apt-get installed etcd-server but no etcd binary is on PATH' };
  }
  try {
    const { stdout } = await run(path, ['--version'], { timeout: 10_000 });
    const version = /etcd Version:\s*(\S+)/.exec(stdout)?.[1] ?? stdout.split('\n')[0] ?? 'unknown';
    return { ok: true, path, version };
  } catch (err) {
    return { ok: false, reason: `${path} --version failed: ${String(err)}` };
  }
}

export interface EtcdOptions {
  binary: string;
  size: number;
  /** etcd's own timing flags. Its randomized election timeout is [election, 2*election) in heartbeat ticks. */
  heartbeatMs: number;
  electionMs: number;
  parentDir?: string;
}

export interface EtcdStatus {
  memberId: string;
  leader: string;
  raftTerm: number;
  raftIndex: number;
  raftAppliedIndex: number;
}

class Member {
  child: ChildProcess | null = null;
  constructor(
    readonly index: number,
    readonly name: string,
    readonly clientPort: number,
    readonly peerPort: number,
    readonly dataDir: string,
    readonly logPath: string,
  ) {}
  get clientUrl(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }
  get peerUrl(): string {
    return `http://127.0.0.1:${this.peerPort}`;
  }
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }
  diagnostics(): string {
    try {
      return `${this.logPath}:\n${readFileSync(this.logPath, 'utf8').split('\n').slice(-10).join('\n')}`;
    } catch {
      return '(no log)';
    }
  }
}

/** POST a JSON body to an etcd member's gateway; resolves with the parsed answer and HTTP status. */
function post(
  url: string,
  path: string,
  body: unknown,
  timeoutMs: number,
  agent?: Agent,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      `${url}${path}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: { error: text } });
          }
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      },
    );
    const timer = setTimeout(() => {
      const err = new Error(`no answer within ${timeoutMs} ms`) as Error & { code: string };
      err.code = 'ATTEMPT_TIMEOUT';
      req.destroy(err);
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(payload);
  });
}

function get(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export class EtcdCluster {
  private constructor(
    readonly dir: string,
    private readonly members: Member[],
    private readonly options: EtcdOptions,
    private readonly token: string,
  ) {}

  static async start(options: EtcdOptions): Promise<EtcdCluster> {
    const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'etcd-bench-'));
    trackDir(dir);
    const ports = await freePorts(options.size * 2);
    const members = Array.from(
      { length: options.size },
      (_, i) => new Member(i, `m${i + 1}`, ports[2 * i]!, ports[2 * i + 1]!, join(dir, `m${i + 1}`), join(dir, `m${i + 1}.log`)),
    );
    const cluster = new EtcdCluster(dir, members, options, `raft-console-bench-${randomBytes(4).toString('hex')}`);
    try {
      for (const m of members) cluster.launch(m);
      await cluster.waitForLeader(30_000);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get size(): number {
    return this.members.length;
  }

  urls(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  url(i: number): string {
    return this.member(i).clientUrl;
  }

  pid(i: number): number | undefined {
    return this.member(i).child?.pid;
  }

  async status(i: number, timeoutMs = 1000): Promise<EtcdStatus> {
    const res = await post(this.url(i), '/v3/maintenance/status', {}, timeoutMs);
    if (res.status !== 200) throw new Error(`status of ${this.member(i).name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const b = res.body as {
      header: { member_id: string };
      leader?: string;
      raftTerm?: string;
      raftIndex?: string;
      raftAppliedIndex?: string;
    };
    return {
      memberId: b.header.member_id,
      leader: b.leader ?? '0',
      raftTerm: Number(b.raftTerm ?? 0),
      raftIndex: Number(b.raftIndex ?? 0),
      raftAppliedIndex: Number(b.raftAppliedIndex ?? b.raftIndex ?? 0),
    };
  }

  /** Waits until every running member names the same leader, a running member; returns its index. */
  async waitForLeader(timeoutMs: number): Promise<{ index: number; term: number; status: EtcdStatus }> {
    return waitFor('an etcd leader that every running member agrees on', timeoutMs, async () => {
      const running = this.members.filter((m) => m.running);
      if (running.length === 0) throw new GiveUp(`no etcd member is running: ${this.members[0]!.diagnostics()}`);
      const all = await Promise.all(running.map(async (m) => ({ m, s: await this.status(m.index, 500) })));
      const leaderId = all[0]!.s.leader;
      if (leaderId === '0' || !all.every((x) => x.s.leader === leaderId && x.s.raftTerm === all[0]!.s.raftTerm)) return undefined;
      const leader = all.find((x) => x.s.memberId === leaderId);
      return leader === undefined ? undefined : { index: leader.m.index, term: leader.s.raftTerm, status: leader.s };
    });
  }

  async kill(i: number): Promise<void> {
    const child = this.member(i).child;
    if (child === null) return;
    child.kill('SIGKILL');
    await exited(child);
  }

  /** Starts a killed member again on its data dir; resolves once it answers status. */
  async restart(i: number): Promise<void> {
    const m = this.member(i);
    if (m.running) throw new Error(`${m.name} is still running`);
    this.launch(m);
    await waitFor(`etcd ${m.name} to answer again`, 30_000, async () => {
      if (!m.running) throw new GiveUp(`${m.name} exited: ${m.diagnostics()}`);
      return (await this.status(i, 500)).memberId;
    });
  }

  /** Waits until every member reports (etcd_network_active_peers) a connection to every other. */
  async waitForMesh(timeoutMs: number): Promise<void> {
    await waitFor(
      'every etcd member connected to every other',
      timeoutMs,
      async () => {
        for (const m of this.members) {
          const text = await get(`${m.clientUrl}/metrics`, 1000);
          const active = text.split('\n').filter((l) => l.startsWith('etcd_network_active_peers{') && l.trim().endsWith(' 1')).length;
          if (active < this.members.length - 1) return undefined;
        }
        return true;
      },
      50,
    );
  }

  async waitForApplied(i: number, index: number, timeoutMs: number): Promise<void> {
    await waitFor(
      `etcd member ${i + 1} to catch up to ${index}`,
      timeoutMs,
      async () => ((await this.status(i, 500)).raftAppliedIndex >= index ? true : undefined),
      50,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => (m.child === null ? Promise.resolve() : stopChild(m.child, 5000))));
    removeDir(this.dir);
  }

  private member(i: number): Member {
    const m = this.members[i];
    if (m === undefined) throw new RangeError(`no etcd member ${i}`);
    return m;
  }

  private launch(m: Member): void {
    const initialCluster = this.members.map((x) => `${x.name}=${x.peerUrl}`).join(',');
    const args = [
      '--name',
      m.name,
      '--data-dir',
      m.dataDir,
      '--listen-client-urls',
      m.clientUrl,
      '--advertise-client-urls',
      m.clientUrl,
      '--listen-peer-urls',
      m.peerUrl,
      '--initial-advertise-peer-urls',
      m.peerUrl,
      '--initial-cluster',
      initialCluster,
      '--initial-cluster-token',
      this.token,
      '--initial-cluster-state',
      'new',
      '--heartbeat-interval',
      String(this.options.heartbeatMs),
      '--election-timeout',
      String(this.options.electionMs),
      '--pre-vote=true',
      '--logger',
      'zap',
      '--log-outputs',
      'stderr',
      '--log-level',
      'warn',
    ];
    const log = openSync(m.logPath, 'a');
    // etcd 3.4 refuses to start on arm64 and the like unless told it may.
    const env =
      process.arch === 'x64' ? process.env : { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'arm64' ? 'arm64' : process.arch };
    const child = spawn(this.options.binary, args, { stdio: ['ignore', log, log], env });
    closeSync(log);
    trackChild(child);
    m.child = child;
  }
}

/**
 * One etcd client: puts and ranges through the JSON gateway of one member at a time, one request in flight,
 * over a keep-alive connection. On an error answer or a broken connection it retries (etcd has no
 * sessions: a put is retried as a new put, which is idempotent here) on the next member.
 */
export class EtcdLoadClient implements LoadClient {
  readonly counters = zeroCounters();
  private readonly agents = new Map<string, Agent>();
  private target: number;
  private stopped = false;

  constructor(
    private readonly urls: readonly string[],
    start: number,
    private readonly policy: RetryPolicy,
  ) {
    this.target = start % urls.length;
  }

  put(key: string, value: string): Promise<Ack> {
    return this.call('/v3/kv/put', { key: Buffer.from(key).toString('base64'), value: Buffer.from(value).toString('base64') });
  }

  /** A range on one key: linearizable, etcd's default (no "serializable"). */
  get(key: string): Promise<Ack> {
    return this.call('/v3/kv/range', { key: Buffer.from(key).toString('base64') });
  }

  private async call(path: string, body: Record<string, string>): Promise<Ack> {
    const sentAt = performance.now();
    let attempts = 0;
    for (;;) {
      this.throwIfStopped();
      if (performance.now() - sentAt > this.policy.giveUpMs)
        throw new Error(`etcd ${path} not answered after ${this.policy.giveUpMs} ms (${attempts} attempts)`);
      attempts++;
      const url = this.urls[this.target]!;
      let res: { status: number; body: Record<string, unknown> };
      try {
        res = await post(url, path, body, this.policy.attemptTimeoutMs, this.agent(url));
      } catch (err) {
        this.throwIfStopped();
        this.dropAgent(url);
        this.target = (this.target + 1) % this.urls.length;
        if ((err as { code?: string }).code === 'ATTEMPT_TIMEOUT') {
          this.counters.attemptTimeouts++;
          continue;
        }
        this.counters.connectionFailures++;
        await sleep(this.policy.retryDelayMs);
        continue;
      }
      if (res.status === 200) {
        const header = res.body.header as { raft_term?: string; revision?: string } | undefined;
        return {
          sentAt,
          ackAt: performance.now(),
          term: Number(header?.raft_term ?? 0),
          index: Number(header?.revision ?? 0),
          address: url,
          attempts,
        };
      }
      // "etcdserver: leader changed", "request timed out", "no leader"...: outcome unknown, retry.
      this.counters.noLeader++;
      this.target = (this.target + 1) % this.urls.length;
      await sleep(this.policy.retryDelayMs);
    }
  }

  /** close() can come while put() awaits: a look at `stopped` holds only until the next await. */
  private throwIfStopped(): void {
    if (this.stopped) throw new StoppedError('stopped');
  }

  close(): void {
    this.stopped = true;
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  private agent(url: string): Agent {
    let a = this.agents.get(url);
    if (a === undefined) {
      a = new Agent({ keepAlive: true, maxSockets: 1 });
      this.agents.set(url, a);
    }
    return a;
  }

  private dropAgent(url: string): void {
    this.agents.get(url)?.destroy();
    this.agents.delete(url);
  }
}
