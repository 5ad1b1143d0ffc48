// The network faults of an etcd cluster. etcd has no fault filter and raft-console may not use
// iptables, so each member advertises a peer URL on this proxy (--initial-advertise-peer-urls)
// and the proxy forwards to the member's real peer listener (--listen-peer-urls), applying the
// model's link faults to every request it can tie to a sender. etcd's own functional tester puts a
// proxy in the same place.
//
// How etcd 3.4 moves raft messages between members (rafthttp; checked on 3.4.23's traffic through a
// logging proxy): every raft request names its sender in X-Server-From (hex id, as in etcd's logs).
// - Streams: member A's stream reader dials member B with `GET /raft/stream/{msgapp,message}/<A>`
//   and *reads* B's messages to A from the response body, which stays open. So a stream GET at
//   this member from S carries this member -> S.
// - Pipeline: `POST /raft` from S carries one S -> this member message in its body, answered 204.
//   etcd sends on the pipeline whenever no stream to that peer works, with at most 4 posts at once;
//   a post that fails loses its message (raft sends again as it always does).
// - Snapshots: `POST /raft/snapshot` from S, S -> this member.
// A blocked link refuses what carries it and cuts what is open. A delayed link passes its stream's
// bytes late, in order, as a network passes a TCP stream (peer-delay-pipe.ts); cutting the stream
// instead would leave a gap while etcd notices (a write or two into the closed socket) and turns
// to the pipeline, and that gap plus the delay outlasts a 150 ms election timeout: tried, and
// followers held elections under a 100 ms delay. A lossy link refuses its streams (a stream loses
// no bytes, and etcd's msgappv2 encoding is stateful, so no frame could be dropped from it), and
// etcd falls back to the pipeline, where each message is a request of its own to lose. A pipeline
// message on a delayed link is answered 204 at once and delivered when its delay is over (a delay
// in the network, not a slower sender: holding the post itself would cap the link at 4 messages
// per delay, and etcd drops what its 64-message pipeline buffer cannot take).
//
// Every other request passes, and so does a raft request from a sender not known yet (before the
// member list is read, or a member just added): /raft/probing (etcd's round-trip prober: metrics
// and a warning), /version and /members (start-up and joins), /leases (a member forwarding lease
// renewals to the leader). None carries a raft message, so no vote, append or heartbeat crosses a
// blocked link; the known leak is a lease renewal through a partition.
//
// The proxy is in the data path: while its event loop is blocked, no member hears another. A block
// longer than the election timeout starts elections (seen with a 1.5 s execSync in the proxies'
// process, and with the dashboard's frames): the supervisor runs its proxies in a worker thread
// (peer-proxies.ts).
import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { LinkFaultModel } from '../../cluster-model/model.js';
import type { NodeId } from '../../raft/types.js';
import { realTimers, type Timers } from '../../transport/timers.js';
import { portInUse } from '../port-owner.js';
import { pipeWithDelay } from './peer-delay-pipe.js';

/** The largest pipeline message held back: etcd's messages are at most 1 MiB of entries (MaxSizePerMsg) plus one entry. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** All messages held back at once: past it a message is dropped, as a full router queue drops. */
const MAX_HELD_BYTES = 64 * 1024 * 1024;
/** A delayed stream's bytes held before its member is paused (TCP's window would stop it so). */
const MAX_STREAM_HELD_BYTES = 8 * 1024 * 1024;

export interface PeerProxyOptions {
  /** The member behind this proxy. */
  member: NodeId;
  /** The port etcd advertises to its peers (0: any free one, for tests). */
  listenPort: number;
  /** The member's real peer listener. */
  targetPort: number;
  /** The node a member id (hex, as in X-Server-From) belongs to; null while unknown. Ids are known only after bootstrap. */
  senderOf: (hex: string) => NodeId | null;
  /** Uniform in [0, 1), for loss: seed it to replay a run. */
  random?: () => number;
  timers?: Timers;
}

/** What the proxy did to one directed link's traffic. */
export interface PeerLinkStats {
  from: NodeId;
  to: NodeId;
  /** Requests carrying the link that went through (streams opened, messages and snapshots delivered). */
  forwarded: number;
  /** Refused: a blocked link, or a stream on a lossy one. */
  refused: number;
  /** Messages lost: by `loss`, over the holding bound, or blocked while held. */
  dropped: number;
  /** Messages, snapshots and stream writes held back by `delayMs`. */
  delayed: number;
  /** Open streams and requests in flight cut by a fault set while they were open. */
  cut: number;
}

export interface PeerProxyStats {
  links: PeerLinkStats[];
  /** Requests passed without a known sender (prober, version, leases; peers not yet known). */
  unidentified: number;
  /** Requests the member did not answer (down or not yet listening): 502, or cut. */
  upstreamFailed: number;
}

type Kind = 'stream' | 'message' | 'snapshot';

/** A raft request as it names itself: what it carries and the sender in X-Server-From. */
interface Route {
  kind: Kind;
  sender: string;
}

/** Which link a raft request's payload travels on, once its sender is known. */
interface Carried {
  kind: Kind;
  from: NodeId;
  to: NodeId;
}

type Treatment = { do: 'pass' } | { do: 'block' } | { do: 'degrade'; delayMs: number; loss: number };

/** A request open now: its sender is looked up again on every change of faults. */
interface InFlight {
  route: Route;
  cut: () => void;
}

const key = (from: NodeId, to: NodeId): string => `${from}>${to}`;

/** The hop-by-hop headers a proxy does not pass on (RFC 9110 7.6.1); node:http frames bodies itself. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

function endToEnd(headers: IncomingMessage['headers']): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

export class PeerProxy {
  private links = new Map<string, LinkFaultModel>();
  private readonly counts = new Map<string, PeerLinkStats>();
  private unidentified = 0;
  private upstreamFailed = 0;
  private readonly inFlight = new Set<InFlight>();
  private readonly held = new Set<unknown>();
  private heldBytes = 0;
  private readonly agent = new Agent({ keepAlive: true });
  private closed = false;

  private constructor(
    private readonly options: PeerProxyOptions,
    private readonly server: ReturnType<typeof createServer>,
    private readonly random: () => number,
    private readonly timers: Timers,
  ) {}

  /** Listens on 127.0.0.1:listenPort; a busy port fails with a ClusterError coded 'port-in-use'. */
  static async start(options: PeerProxyOptions): Promise<PeerProxy> {
    // noDelay: etcd writes a stream frame per message and flushes; Nagle's algorithm against the
    // peer's delayed acks would hold a heartbeat back by up to 40 ms.
    const server = createServer({ noDelay: true });
    const proxy = new PeerProxy(options, server, options.random ?? Math.random, options.timers ?? realTimers);
    server.on('request', (req, res) => proxy.handle(req, res));
    // A request node:http cannot parse: closed without an answer, and nothing thrown.
    server.on('clientError', (_err, socket: Socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? portInUse(options.listenPort, 'stop what uses it', `the peer proxy of n${options.member} did not start: `)
            : err,
        ),
      );
      server.listen({ host: '127.0.0.1', port: options.listenPort, exclusive: true }, resolve);
    });
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.listenPort;
  }

  /**
   * Replaces the faults (the model's whole list; links not touching this member are ignored). Open
   * streams and requests in flight that the new faults refuse are cut: etcd redials a stream within
   * 100 ms and meets the new treatment. A delay applies to open streams from their next write.
   */
  setLinks(links: readonly LinkFaultModel[]): void {
    this.links = new Map(links.map((l) => [key(l.from, l.to), { ...l }]));
    for (const f of [...this.inFlight]) {
      // A stream opened while its sender was not known yet (etcd's members dial each other before
      // their ids can be read from the member list) is judged now that it may be.
      const carried = this.resolve(f.route);
      if (carried === null) continue;
      if (this.refuses(carried)) {
        this.count(carried).cut++;
        this.inFlight.delete(f);
        f.cut();
      }
    }
  }

  stats(): PeerProxyStats {
    return {
      links: [...this.counts.values()].map((c) => ({ ...c })).sort((a, b) => a.from - b.from || a.to - b.to),
      unidentified: this.unidentified,
      upstreamFailed: this.upstreamFailed,
    };
  }

  /** Stops listening, cuts every connection both ways and forgets held messages; resolves once closed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const h of this.held) this.timers.clearTimeout(h);
    this.held.clear();
    for (const f of this.inFlight) f.cut();
    this.inFlight.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    this.agent.destroy();
    await done;
  }

  /** What a raft request carries and who sends it; null for the other requests (prober, version, members, leases). */
  private route(req: IncomingMessage): Route | null {
    const header = req.headers['x-server-from'];
    if (typeof header !== 'string') return null;
    const sender = header.toLowerCase();
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'GET' && path.startsWith('/raft/stream/')) return { kind: 'stream', sender };
    if (req.method === 'POST' && path === '/raft') return { kind: 'message', sender };
    if (req.method === 'POST' && path === '/raft/snapshot') return { kind: 'snapshot', sender };
    return null;
  }

  /** Which link a raft request's payload travels on, or null while its sender is not known. */
  private resolve(route: Route): Carried | null {
    const sender = this.options.senderOf(route.sender);
    const me = this.options.member;
    if (sender === null || sender === me) return null;
    return route.kind === 'stream' ? { kind: route.kind, from: me, to: sender } : { kind: route.kind, from: sender, to: me };
  }

  private treatment(c: Carried): Treatment {
    const l = this.links.get(key(c.from, c.to));
    if (l === undefined) return { do: 'pass' };
    if (l.blocked) return { do: 'block' };
    if (l.delayMs > 0 || l.loss > 0) return { do: 'degrade', delayMs: l.delayMs, loss: l.loss };
    return { do: 'pass' };
  }

  /** Whether the faults refuse this request now: a blocked link, or a stream of a lossy one. */
  private refuses(c: Carried): boolean {
    const t = this.treatment(c);
    return t.do === 'block' || (c.kind === 'stream' && t.do === 'degrade' && t.loss > 0);
  }

  /** How long a write on an open stream waits now. */
  private streamDelay(route: Route): number {
    const c = this.resolve(route);
    const t = c === null ? null : this.treatment(c);
    return t?.do === 'degrade' ? t.delayMs : 0;
  }

  private count(c: Carried): PeerLinkStats {
    const k = key(c.from, c.to);
    let s = this.counts.get(k);
    if (s === undefined) this.counts.set(k, (s = { from: c.from, to: c.to, forwarded: 0, refused: 0, dropped: 0, delayed: 0, cut: 0 }));
    return s;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    // A client that goes away mid-request errors its streams: never out of the proxy.
    req.on('error', () => req.destroy());
    res.on('error', () => res.destroy());
    const route = this.route(req);
    const carried = route === null ? null : this.resolve(route);
    if (route === null || carried === null) {
      this.unidentified++;
      this.forward(req, res, route);
      return;
    }
    if (this.refuses(carried)) {
      this.count(carried).refused++;
      refuse(req, res);
      return;
    }
    const t = this.treatment(carried);
    if (t.do !== 'degrade' || carried.kind === 'stream') {
      this.count(carried).forwarded++;
      this.forward(req, res, route);
    } else if (carried.kind === 'snapshot') {
      if (t.delayMs === 0) {
        this.count(carried).forwarded++;
        this.forward(req, res, route);
        return;
      }
      // A snapshot is one long TCP stream: it arrives late, never partly lost. Held before forwarding, not buffered.
      this.count(carried).delayed++;
      req.pause();
      let gone = false;
      res.on('close', () => (gone = true));
      this.hold(t.delayMs, () => {
        if (gone) return;
        if (this.treatment(carried).do === 'block') {
          this.count(carried).cut++;
          req.destroy();
          return;
        }
        this.count(carried).forwarded++;
        this.forward(req, res, route);
      });
    } else this.degrade(req, res, route, carried, t.delayMs, t.loss);
  }

  /** A pipeline message on a lossy or delayed link: lost, or answered at once and delivered after the delay. */
  private degrade(req: IncomingMessage, res: ServerResponse, route: Route, carried: Carried, delayMs: number, loss: number): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk);
      else if (!res.headersSent) {
        this.count(carried).dropped++;
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
      }
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const body = Buffer.concat(chunks);
      const headers = endToEnd(req.headers);
      // The sender sees its post succeed either way, as a message sent into a network that loses it.
      res.writeHead(204).end();
      if ((loss > 0 && this.random() < loss) || this.heldBytes + body.length > MAX_HELD_BYTES) {
        this.count(carried).dropped++;
        return;
      }
      if (delayMs > 0) this.count(carried).delayed++;
      this.heldBytes += body.length;
      this.hold(delayMs, () => {
        this.heldBytes -= body.length;
        // Blocked meanwhile: lost on arrival, as a node's own fault filter drops at both ends.
        if (this.treatment(carried).do === 'block') {
          this.count(carried).dropped++;
          return;
        }
        this.count(carried).forwarded++;
        this.deliver(req.url ?? '/raft', headers, body, route);
      });
    });
  }

  private hold(delayMs: number, release: () => void): void {
    const handle = this.timers.setTimeout(() => {
      this.held.delete(handle);
      if (!this.closed) release();
    }, delayMs);
    this.held.add(handle);
  }

  /** Posts a held message to the member; its answer has been given already, so it is read and dropped. */
  private deliver(path: string, headers: OutgoingHttpHeaders, body: Buffer, route: Route): void {
    const up = request({ host: '127.0.0.1', port: this.options.targetPort, method: 'POST', path, headers, agent: this.agent });
    const flight: InFlight = { route, cut: () => up.destroy() };
    this.inFlight.add(flight);
    up.on('socket', (s: Socket) => s.setNoDelay(true));
    up.on('response', (answer) => {
      answer.resume();
      answer.on('close', () => this.inFlight.delete(flight));
    });
    up.on('error', () => {
      if (this.inFlight.delete(flight)) this.upstreamFailed++;
    });
    up.end(body);
  }

  /** Passes a request to the member and its answer back, both bodies streamed with backpressure. */
  private forward(req: IncomingMessage, res: ServerResponse, route: Route | null): void {
    const up = request({
      host: '127.0.0.1',
      port: this.options.targetPort,
      method: req.method,
      path: req.url,
      headers: endToEnd(req.headers),
      agent: this.agent,
    });
    let dropHeld = (): void => undefined;
    const flight: InFlight | null =
      route === null
        ? null
        : {
            route,
            cut: () => {
              dropHeld();
              up.destroy();
              res.destroy();
            },
          };
    if (flight !== null) this.inFlight.add(flight);
    const done = (): void => {
      if (flight !== null) this.inFlight.delete(flight);
    };
    up.on('socket', (s: Socket) => s.setNoDelay(true));
    up.on('response', (answer) => {
      answer.on('error', () => res.destroy());
      answer.on('close', done);
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      // A stream's frames go on as they come: flushHeaders so the dialer sees its 200 before the first frame.
      res.flushHeaders();
      if (route?.kind !== 'stream') answer.pipe(res);
      else
        dropHeld = pipeWithDelay(answer, res, {
          delayMs: () => this.streamDelay(route),
          timers: this.timers,
          maxHeldBytes: MAX_STREAM_HELD_BYTES,
          onHeld: () => {
            const c = this.resolve(route);
            if (c !== null) this.count(c).delayed++;
          },
        });
    });
    up.on('error', () => {
      done();
      this.upstreamFailed++;
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
    // The dialer went away (or was cut) before the answer was complete: nothing more to pass either way.
    res.on('close', () => {
      done();
      dropHeld();
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  }
}

/** 503 to a refused request, and the connection closed: its body is not read. */
function refuse(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(503, { connection: 'close' }).end();
  req.resume();
}
