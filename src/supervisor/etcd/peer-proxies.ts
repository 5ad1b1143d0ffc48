// The peer proxies of one cluster (peer-proxy.ts), run in one worker thread (peer-proxy-worker.ts)
// and driven from the supervisor's main thread. They are in etcd's data path: in the main thread,
// every dashboard frame Ink renders (tens of ms on a loaded machine) held peer messages back, and
// followers that heard no heartbeat for etcd's 150 ms election timeout started elections. One
// thread for all of them: they wait on sockets, not the CPU, and share the member id -> node map;
// a thread per member would add a V8 heap each and isolate nothing a bug in one would not repeat.
//
// What crosses the threads is data: the member id -> node map (sent whole on each change, as a
// function cannot cross), each proxy's faults, and requests answered by `re`; the answers are read
// like any input from outside. A worker that stops unexpectedly (a bug thrown in it, an answer that
// does not read) is a supervisor event, and is started again with every proxy on its port and its
// faults (the connections open then are cut, as a fault cuts them), up to MAX_RESTARTS times; after
// that the event says the members no longer reach each other and how to start them again.
import { Worker } from 'node:worker_threads';
import { ClusterError, readClusterProblem } from '../../cluster-model/errors.js';
import type { LinkFaultModel } from '../../cluster-model/model.js';
import type { NodeId } from '../../raft/types.js';
import { array, boolean, field, nodeId, object, string, uint, validate, type JsonObject } from '../../schema/json-shape.js';
import type { PeerLinkStats, PeerProxyStats } from './peer-proxy.js';

/** The main thread's messages to the worker; those with `re` are answered. */
export type ToWorker =
  | { op: 'senders'; senders: [string, NodeId][] }
  | { op: 'links'; member: NodeId; links: LinkFaultModel[] }
  | { op: 'start'; re: number; member: NodeId; listenPort: number; targetPort: number; links: LinkFaultModel[] }
  | { op: 'stats'; re: number; member: NodeId }
  | { op: 'close'; re: number; member: NodeId };

/** How often a worker that stopped is started again before the failure is left as it is. */
export const MAX_RESTARTS = 3;
/**
 * The worker's entry: peer-proxy-worker.js beside this module, in dist/. Under vitest, which runs
 * src/ (system tests: the supervisor in the test's process), the build's: a worker thread loads
 * JavaScript only, and the system tests run after `npm run build`.
 */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../../dist/supervisor/etcd/peer-proxy-worker.js', import.meta.url)
  : new URL('./peer-proxy-worker.js', import.meta.url);
/** How long closing waits for the proxies to close before the worker is terminated anyway. */
const CLOSE_WAIT_MS = 1000;

export interface PeerProxiesOptions {
  /** A failure of the worker, in a sentence for people, and its facts (a supervisor event). */
  onFailure: (text: string, data: Record<string, unknown>) => void;
}

/** One member's proxy, as PeerProxy's: its port, its faults, its counts, closing it. */
export interface RemotePeerProxy {
  readonly member: NodeId;
  readonly port: number;
  setLinks(links: readonly LinkFaultModel[]): void;
  stats(): Promise<PeerProxyStats>;
  close(): Promise<void>;
}

interface Opened {
  member: NodeId;
  /** The port it listens on (bound again on it after a restart: the member advertises it). */
  port: number;
  targetPort: number;
  links: LinkFaultModel[];
}

interface Pending {
  read: (answer: JsonObject) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class PeerProxies {
  private worker: Worker | null = null;
  /** Why the running worker is being stopped, set before terminating it. */
  private failure: string | null = null;
  private readonly opened = new Map<NodeId, Opened>();
  private senders: [string, NodeId][] = [];
  private readonly pending = new Map<number, Pending>();
  private nextRe = 1;
  private restarts = 0;
  /** Set once the worker failed for good: what start() answers from then on. */
  private broken: string | null = null;
  private closed = false;

  constructor(private readonly options: PeerProxiesOptions) {}

  /** The member id (hex) -> node map every proxy reads senders with; sent to the worker whole. */
  setSenders(ids: ReadonlyMap<string, NodeId>): void {
    this.senders = [...ids];
    this.worker?.postMessage({ op: 'senders', senders: this.senders } satisfies ToWorker);
  }

  /** Starts a member's proxy on 127.0.0.1:listenPort; a busy port fails with a ClusterError coded 'port-in-use'. */
  async start(o: { member: NodeId; listenPort: number; targetPort: number }): Promise<RemotePeerProxy> {
    if (this.opened.has(o.member)) throw new Error(`n${o.member} has a peer proxy already`);
    const port = await this.request({ op: 'start', re: 0, ...o, links: [] }, (a) => uint(a, 'value'));
    const opened: Opened = { member: o.member, port, targetPort: o.targetPort, links: [] };
    this.opened.set(o.member, opened);
    return {
      member: o.member,
      port,
      setLinks: (links) => {
        opened.links = links.map((l) => ({ ...l }));
        if (this.opened.get(o.member) === opened)
          this.worker?.postMessage({ op: 'links', member: o.member, links: opened.links } satisfies ToWorker);
      },
      stats: () => this.request({ op: 'stats', re: 0, member: o.member }, readStats),
      close: async () => {
        if (this.opened.get(o.member) !== opened) return;
        this.opened.delete(o.member);
        // A worker that stopped took the proxy's sockets with it: nothing left to close.
        await this.request({ op: 'close', re: 0, member: o.member }, () => null).catch(() => undefined);
      },
    };
  }

  /** Closes every proxy and ends the worker. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker === null) return;
    const members = [...this.opened.keys()];
    this.opened.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(members.map((member) => this.request({ op: 'close', re: 0, member }, () => null).catch(() => undefined))),
      new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
    ]);
    clearTimeout(timer);
    this.worker = null;
    await worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('the peer proxies were closed'));
    this.pending.clear();
  }

  private request<T>(message: ToWorker & { re: number }, read: (answer: JsonObject) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Throws (and so rejects) once closed or broken for good.
      const worker = this.running();
      const re = this.nextRe++;
      this.pending.set(re, { read, resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...message, re });
    });
  }

  /** The worker, started if there is none: it learns the senders first, then every proxy it must run. */
  private running(): Worker {
    if (this.worker !== null) return this.worker;
    if (this.closed) throw new ClusterError('the peer proxies are closed: the supervisor is shutting down', { code: 'shutting-down' });
    if (this.broken !== null) throw new ClusterError(this.broken);
    const worker = new Worker(WORKER_URL);
    // The supervisor's own handles decide when its process ends; close() ends the worker.
    worker.unref();
    this.worker = worker;
    this.failure = null;
    let thrown: string | null = null;
    worker.on('message', (m: unknown) => this.answer(m));
    worker.on('messageerror', (err) => this.fail(`an answer that could not be read: ${err.message}`));
    worker.on('error', (err) => (thrown = err.message));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const why = this.failure ?? (thrown === null ? `it exited with code ${code}` : `it threw: ${thrown}`);
      for (const p of this.pending.values()) p.reject(new Error(`the peer proxies' thread stopped: ${why}`));
      this.pending.clear();
      this.restart(why);
    });
    worker.postMessage({ op: 'senders', senders: this.senders } satisfies ToWorker);
    return worker;
  }

  /** Stops the worker for `why`: its exit restarts it. */
  private fail(why: string): void {
    if (this.worker === null) return;
    this.failure ??= why;
    void this.worker.terminate();
  }

  private restart(why: string): void {
    if (this.closed) return;
    const members = [...this.opened.values()];
    const names = members.map((o) => `n${o.member}`).join(', ');
    if (this.restarts >= MAX_RESTARTS) {
      this.broken = `the peer proxies' thread stopped (${why}) and was not started again (${MAX_RESTARTS} restarts already): the members no longer reach each other; \`raft-console down\`, then \`up\`, starts them again`;
      this.options.onFailure(this.broken, { ok: false, reason: why, restarts: this.restarts });
      return;
    }
    this.restarts++;
    this.options.onFailure(
      `the peer proxies' thread stopped (${why}): started again${members.length === 0 ? '' : `, with the proxies of ${names} on their ports`} (connections open then were cut)`,
      { ok: false, reason: why, restarts: this.restarts },
    );
    for (const o of members) {
      const asked = this.request(
        { op: 'start', re: 0, member: o.member, listenPort: o.port, targetPort: o.targetPort, links: o.links },
        () => null,
      );
      const worker = this.worker;
      asked.catch((err: unknown) => {
        // Closed meanwhile, or the worker stopped again (which tells of itself).
        if (this.opened.get(o.member) !== o || this.worker !== worker) return;
        this.options.onFailure(`the peer proxy of n${o.member} did not start again: ${err instanceof Error ? err.message : String(err)}`, {
          ok: false,
          node: o.member,
        });
      });
    }
  }

  /** An answer of the worker: read as input from outside; one that does not read stops the worker. */
  private answer(m: unknown): void {
    const read = validate(() => {
      const o = object(m, '', ['re', 'ok', 'value', 'message', 'problem']);
      const re = uint(o, 're');
      const p = this.pending.get(re);
      if (p === undefined) return null;
      if (boolean(o, 'ok')) {
        const value = p.read(o);
        return { re, settle: () => p.resolve(value) };
      }
      const message = string(o, 'message');
      const error = field(o, 'problem') === null ? new Error(message) : new ClusterError(message, readClusterProblem(o, 'problem'));
      return { re, settle: () => p.reject(error) };
    });
    if (!read.ok) {
      this.fail(`an answer that does not read: ${read.problem}`);
      return;
    }
    if (read.value === null) return;
    this.pending.delete(read.value.re);
    read.value.settle();
  }
}

const COUNTS = ['forwarded', 'refused', 'dropped', 'delayed', 'cut'] as const;

function readStats(a: JsonObject): PeerProxyStats {
  const s = object(field(a, 'value'), 'value', ['links', 'unidentified', 'upstreamFailed']);
  const links = array(s, 'links', 'value').map((item, i): PeerLinkStats => {
    const path = `value.links[${i}]`;
    const l = object(item, path, ['from', 'to', ...COUNTS]);
    const counts = Object.fromEntries(COUNTS.map((k) => [k, uint(l, k, path)])) as Record<(typeof COUNTS)[number], number>;
    return { from: nodeId(l, 'from', path), to: nodeId(l, 'to', path), ...counts };
  });
  return { links, unidentified: uint(s, 'unidentified', 'value'), upstreamFailed: uint(s, 'upstreamFailed', 'value') };
}
