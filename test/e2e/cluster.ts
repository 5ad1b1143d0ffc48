// A real cluster for the end-to-end tests: N node processes on 127.0.0.1, each with its own temp
// data directory and a port picked before any starts (peers must know each other's ports up front),
// and the client library to talk to them. Everything is torn down after each test: processes
// (node-process.ts), clients, data directories.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { RaftClient, type ClusterSecret, type RaftClientOptions } from '../../src/client/index.js';
import { freePorts } from '../../src/supervisor/ports.js';
import { ensureSecretFile } from '../../src/transport/secret.js';
import { KvStateMachine } from '../../src/kv/index.js';
import type { NodeStatus } from '../../src/node/client-protocol.js';
import type { Entry } from '../../src/raft/types.js';
import { FrameDecoder, encodeFrame, parseBody } from '../../src/transport/frame.js';
import {
  HELLO_MAX_FRAME_BYTES,
  checkHello,
  helloFrame,
  newNonce,
  proofFrame,
  readErrorFrame,
  type Handshake,
} from '../../src/transport/hello.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../../src/transport/transport.js';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { NodeProcess, checkBuild } from './node-process.js';
import { handshake, type Wire } from './wire.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Temp directories removed after the test (once its processes are dead: node-process.ts kills them first). */
export async function tempDir(prefix = 'raft-e2e-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A new cluster secret file (mode 0600) in a temp directory, as `up` makes one: its path. */
export async function secretFile(): Promise<string> {
  const path = join(await tempDir('raft-e2e-secret-'), 'secret');
  ensureSecretFile(path);
  return path;
}

export class Cluster {
  readonly processes = new Map<number, NodeProcess>();
  /** One client for the test's own probes (status, log): requests to one node each. */
  readonly probe: RaftClient;

  private constructor(
    readonly clusterId: string,
    readonly root: string,
    /** The cluster secret, in `root`/secret (mode 0600), as `up` makes it. */
    readonly secret: ClusterSecret,
    readonly ports: Map<number, number>,
    private readonly extraArgs: readonly string[],
    private readonly wrap: readonly string[],
  ) {
    this.probe = this.client({ timeoutMs: 1000 });
  }

  /**
   * Starts nodes 1..size and waits until each listens. `wrap` goes before each node's command
   * (NodeProcess.spawn). `prepare` runs first for each node, with the data directory it will use (for
   * a test that plants something in a node's storage).
   */
  static async start(
    size: number,
    extraArgs: readonly string[] = [],
    wrap: readonly string[] = [],
    prepare?: (id: number, dataDir: string, clusterId: string) => Promise<void>,
  ): Promise<Cluster> {
    await checkBuild();
    const root = await tempDir();
    const ports = await freePorts(size);
    const cluster = new Cluster(
      `e2e-${process.pid}-${ports[0]}`,
      root,
      ensureSecretFile(join(root, 'secret')).secret,
      new Map(ports.map((p, i) => [i + 1, p])),
      extraArgs,
      wrap,
    );
    if (prepare !== undefined) for (const id of cluster.ids) await prepare(id, cluster.dataDir(id), cluster.clusterId);
    await Promise.all(cluster.ids.map((id) => cluster.startNode(id)));
    return cluster;
  }

  get ids(): number[] {
    return [...this.ports.keys()];
  }

  /** Ids of the nodes whose process runs. */
  get running(): number[] {
    return this.ids.filter((id) => this.processes.get(id)?.running === true);
  }

  address(id: number): string {
    return `127.0.0.1:${this.ports.get(id)!}`;
  }

  dataDir(id: number): string {
    return join(this.root, `n${id}`);
  }

  /** The command line of node `id`. */
  args(id: number): string[] {
    const peers = this.ids.filter((p) => p !== id).map((p) => `${p}=${this.address(p)}`);
    return [
      '--id',
      String(id),
      '--cluster-id',
      this.clusterId,
      '--secret-file',
      join(this.root, 'secret'),
      '--data-dir',
      this.dataDir(id),
      '--listen',
      this.address(id),
      '--peers',
      peers.join(','),
      ...this.extraArgs,
    ];
  }

  /** Starts (or restarts, from its data directory) node `id`, and waits for its 'started' event. */
  async startNode(id: number): Promise<NodeProcess> {
    const p = NodeProcess.spawn(this.args(id), this.wrap);
    this.processes.set(id, p);
    await p.waitFor(`n${id} to start`, (e) => e.kind === 'node' && e.type === 'started');
    return p;
  }

  node(id: number): NodeProcess {
    return this.processes.get(id)!;
  }

  /**
   * A bare connection to node `id` past the client handshake, for a test that writes frames by
   * hand: the handshake is the client library's (hello, the node's answer, our proof), and a
   * `status` request answered proves the node admitted us. Rejects with the node's error frame's
   * code and reason if it refuses the connection. Destroyed after the test.
   */
  async clientSocket(id: number): Promise<Socket> {
    const socket = connect(this.ports.get(id)!, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    socket.on('error', () => {}); // the close that follows rejects, with the better reason if one came
    const nonce = newNonce();
    socket.write(encodeFrame(helloFrame(this.clusterId, 0, 'client', nonce)));
    const decoder = new FrameDecoder(HELLO_MAX_FRAME_BYTES);
    let answered = false;
    return new Promise((resolve, reject) => {
      const done = (error: Error | null): void => {
        socket.off('data', onData).off('close', onClose);
        if (error === null) resolve(socket);
        else reject(error);
      };
      const onData = (chunk: Buffer): void => {
        decoder.push(chunk);
        for (let next = decoder.next(); next.kind === 'frame'; next = decoder.next()) {
          const parsed = parseBody(next.body);
          const value = parsed.ok ? parsed.value : null;
          const refusal = readErrorFrame(value);
          if (refusal !== null) return done(new Error(`${refusal.code}: ${refusal.reason}`));
          if (answered)
            return done(
              (value as { id?: unknown } | null)?.id === 0 ? null : new Error(`n${id} answered status with ${next.body.toString()}`),
            );
          const check = checkHello(value, { clusterId: this.clusterId, self: 0, answer: true, peer: id });
          if (!check.ok) return done(new Error(`n${id} answered the hello with ${check.code}: ${check.reason}`));
          answered = true;
          decoder.maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
          const handshake: Handshake = {
            clusterId: this.clusterId,
            dialer: { kind: 'client', from: 0, nonce },
            listener: { id, nonce: check.hello.nonce },
          };
          socket.write(encodeFrame(proofFrame(this.secret, handshake)));
          socket.write(encodeFrame({ id: 0, type: 'status' }));
        }
      };
      const onClose = (): void => done(new Error(`n${id} closed the connection during the handshake`));
      socket.on('data', onData).on('close', onClose);
    });
  }

  /** A client knowing every node by id and address; closed after the test. */
  client(options: Partial<RaftClientOptions> = {}): RaftClient {
    const c = new RaftClient({
      clusterId: this.clusterId,
      secret: this.secret,
      nodes: this.ids.map((id) => ({ id, address: this.address(id) })),
      ...options,
    });
    cleanups.push(() => c.close());
    return c;
  }

  /**
   * A raw connection to node `id` after the handshake as `kind` (a peer's `from` is the node it poses
   * as), proving the cluster's secret, for tests that send the node frames of their own. Closed
   * after the test.
   */
  async connect(id: number, kind: 'client' | 'peer' = 'client', from = 0): Promise<Wire> {
    const wire = await handshake(this.ports.get(id)!, this.clusterId, this.secret, kind, from);
    cleanups.push(() => wire.close());
    return wire;
  }

  /** The status of every running node that answers. */
  async statuses(ids = this.running): Promise<NodeStatus[]> {
    const all = await Promise.all(ids.map((id) => this.probe.status(id).catch(() => null)));
    return all.filter((s): s is NodeStatus => s !== null);
  }

  /**
   * Waits until the running nodes (or `ids`) agree on one leader of one term: it says it leads,
   * every other one names it, and no other says it leads. Returns it.
   */
  async leader(ids = this.running, minTerm = 0): Promise<{ id: number; term: number }> {
    return waitFor(
      `one leader among n${ids.join(', n')}`,
      async () => {
        const statuses = await this.statuses(ids);
        if (statuses.length !== ids.length) return undefined;
        const leaders = statuses.filter((s) => s.role === 'leader');
        if (leaders.length !== 1) return undefined;
        const { id, term } = leaders[0]!;
        if (term < minTerm || !statuses.every((s) => s.leader === id && s.term === term)) return undefined;
        return { id, term };
      },
      COSTLY_PROBE,
    );
  }

  /**
   * Waits until the nodes `ids` hold the same log, committed and applied to its end (at least up
   * to `atLeast`), checks entry by entry that it is the same log, and returns its commit index and
   * the state machine it builds.
   */
  async converged(ids = this.running, atLeast = 0): Promise<{ commit: number; kv: KvStateMachine }> {
    let seen = '';
    const commit = await waitFor(
      () => `n${ids.join(', n')} to commit and apply the same log (last seen: ${seen})`,
      async () => {
        const statuses = await this.statuses(ids);
        seen = statuses
          .map((s) => `n${s.id} ${s.role} term ${s.term} commit ${s.commit} applied ${s.applied} last ${s.lastIndex}`)
          .join('; ');
        if (statuses.length !== ids.length) return undefined;
        const c = statuses[0]!.commit;
        const same = statuses.every((s) => s.commit === c && s.applied === c && s.lastIndex === c);
        return same && c >= atLeast ? c : undefined;
      },
      COSTLY_PROBE,
    );
    const logs = await Promise.all(ids.map((id) => this.committedLog(id, commit)));
    for (const log of logs.slice(1))
      if (JSON.stringify(log) !== JSON.stringify(logs[0])) throw new Error(`the nodes hold different logs up to ${commit}`);
    const kv = new KvStateMachine();
    for (const entry of logs[0]!) kv.apply(entry);
    return { commit, kv };
  }

  /** Node `id`'s entries 1..to, as its log request pages them. */
  async committedLog(id: number, to: number): Promise<Entry[]> {
    const entries: Entry[] = [];
    while (entries.length < to) {
      const page = await this.probe.log(id, { from: entries.length + 1, to });
      if (page.firstIndex !== 1) throw new Error(`n${id} compacted its log (starts at ${page.firstIndex})`);
      if (page.entries.length === 0) throw new Error(`n${id}'s log ends before ${to}`);
      for (const { committed: _, ...entry } of page.entries) entries.push(entry);
    }
    return entries;
  }
}
