// The supervisor's control API: a WebSocket server on 127.0.0.1 only. A client must present the
// token first (compared in constant time); then it gets the model, the changes to it and the
// results of its actions. Changes are batched: at most one update message per interval, however
// many commits the nodes report, so a busy cluster costs its watchers little. The same port answers
// one plain HTTP request, `GET /model` with the token as a bearer: the welcome, for a client that
// reads the model once (`status`) and would otherwise load a WebSocket client and shake hands.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { isObject, show } from '../schema/json-shape.js';
import { parseUntrustedJson } from '../schema/untrusted-json.js';
import { messageText, type Action, type ActionResult, type ControlMessage } from '../cluster-model/control-protocol.js';
import { EVENT_HISTORY, type ClusterEvent } from '../cluster-model/model.js';
import type { LiveModel } from './live-model.js';
import { parseAction } from '../cluster-model/parse-action.js';

/**
 * Changes gather this long before one update goes to the clients: a few updates a frame of the
 * dashboard (eight a second), without one message per event at thousands of commits a second.
 */
const BATCH_MS = 25;
export interface ControlServerOptions {
  token: string;
  live: LiveModel;
  act(action: Action): Promise<ActionResult>;
  /** Where the token is, for the refusal's fix. */
  tokenPath: string;
  /** How long changes gather before an update goes out (default BATCH_MS). */
  batchMs?: number;
  authTimeoutMs?: number;
}

/** A longer message closes its connection (ws's code 1009) before it is buffered whole. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** A client this far behind (a frozen dashboard) is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const UNAUTHORIZED = 4401;
const BAD_REQUEST = 4400;
const SHUTTING_DOWN = 1001;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class ControlServer {
  private readonly clients = new Set<WebSocket>();
  private pending: ClusterEvent[] = [];
  private dirty = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly offChange: () => void;
  private readonly expected: Buffer;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly o: ControlServerOptions,
  ) {
    this.expected = digest(o.token);
    wss.on('connection', (ws) => this.accept(ws));
    http.on('request', (req, res) => this.answerOnce(req, res));
    this.offChange = o.live.onChange((events) => {
      if (this.clients.size === 0) return;
      for (const e of events) this.pending.push(e);
      if (this.pending.length > EVENT_HISTORY) this.pending.splice(0, this.pending.length - EVENT_HISTORY);
      this.dirty = true;
      this.flushTimer ??= setTimeout(() => this.flush(), o.batchMs ?? BATCH_MS);
    });
  }

  static start(o: ControlServerOptions): Promise<ControlServer> {
    return new Promise((resolve, reject) => {
      const http = createServer();
      const wss = new WebSocketServer({ server: http, maxPayload: MAX_MESSAGE_BYTES });
      http.once('error', reject);
      http.listen(0, '127.0.0.1', () => {
        http.off('error', reject);
        resolve(new ControlServer(http, wss, o));
      });
    });
  }

  get port(): number {
    return (this.http.address() as { port: number }).port;
  }

  /** `GET /model` with `Authorization: Bearer <token>`: the welcome, as a WebSocket client gets it first (`?events=0`: without the events). */
  private answerOnce(req: IncomingMessage, res: ServerResponse): void {
    const reply = (status: number, m: ControlMessage): void => {
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(m));
    };
    // A request target that is no URL (`GET http://[bad`) is answered like any other wrong one, not thrown.
    const url = URL.canParse(req.url ?? '', 'http://127.0.0.1') ? new URL(req.url ?? '', 'http://127.0.0.1') : null;
    if (req.method !== 'GET' || url?.pathname !== '/model')
      return reply(404, { type: 'error', code: 'bad-request', text: 'the control API answers GET /model, and WebSocket connections' });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(token), this.expected))
      return reply(401, {
        type: 'error',
        code: 'unauthorized',
        text: `wrong token: a client must send the one in ${this.o.tokenPath} (readable by the user who started the cluster only)`,
      });
    // `?events=0`: without the event history, most of the model's bytes (status shows none).
    const model = url.searchParams.get('events') === '0' ? { ...this.o.live.model, events: [] } : this.o.live.model;
    reply(200, { type: 'welcome', model });
  }

  /** Tells every client why, then closes. */
  async close(): Promise<void> {
    this.offChange();
    this.flush();
    for (const ws of this.wss.clients)
      this.refuse(ws, SHUTTING_DOWN, { type: 'error', code: 'shutting-down', text: 'the supervisor is shutting down' });
    // A client that does not answer the close handshake is cut off: the supervisor must exit.
    const cut = setTimeout(() => {
      for (const ws of this.wss.clients) ws.terminate();
      this.http.closeAllConnections();
    }, 1000);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeIdleConnections();
    });
    clearTimeout(cut);
  }

  private send(ws: WebSocket, m: ControlMessage | string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  private refuse(ws: WebSocket, code: number, m: Extract<ControlMessage, { type: 'error' }>): void {
    this.send(ws, m);
    ws.close(code, m.code);
  }

  /** Sends what changed since the last update, once, to every client. */
  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.dirty) return;
    const { events: _history, ...model } = this.o.live.model;
    const text = JSON.stringify({ type: 'update', model, events: this.pending } satisfies ControlMessage);
    this.pending = [];
    this.dirty = false;
    for (const ws of this.clients) this.send(ws, text);
  }

  private accept(ws: WebSocket): void {
    let authed = false;
    const authMs = this.o.authTimeoutMs ?? 3000;
    const authTimer = setTimeout(
      () =>
        this.refuse(ws, UNAUTHORIZED, {
          type: 'error',
          code: 'unauthorized',
          text: `no auth message within ${authMs / 1000} s: send {"type":"auth","token":...} first`,
        }),
      authMs,
    );
    ws.on('close', () => {
      clearTimeout(authTimer);
      this.clients.delete(ws);
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (raw) => {
      const json = parseUntrustedJson(messageText(raw), 'the control message');
      if (!json.ok)
        return this.refuse(ws, BAD_REQUEST, {
          type: 'error',
          code: 'bad-request',
          text: `${json.problem}: a control message is one JSON object`,
        });
      const m = json.value;
      if (!isObject(m))
        return this.refuse(ws, BAD_REQUEST, { type: 'error', code: 'bad-request', text: 'a control message is one JSON object' });
      if (!authed) {
        clearTimeout(authTimer);
        if (m.type !== 'auth' || typeof m.token !== 'string' || !timingSafeEqual(digest(m.token), this.expected))
          return this.refuse(ws, UNAUTHORIZED, {
            type: 'error',
            code: 'unauthorized',
            text: `wrong token: a client must send the one in ${this.o.tokenPath} (readable by the user who started the cluster only)`,
          });
        authed = true;
        this.flush(); // so the model in the welcome and the updates after it do not overlap
        this.clients.add(ws);
        return this.send(ws, { type: 'welcome', model: this.o.live.model });
      }
      if (m.type === 'snapshot') return this.send(ws, { type: 'snapshot', model: this.o.live.model });
      if (m.type === 'action' && typeof m.id === 'number') return void this.action(ws, m.id, m.action);
      this.refuse(ws, BAD_REQUEST, {
        type: 'error',
        code: 'bad-request',
        text: `unknown request ${show(m.type)}: send "action" (with a numeric id) or "snapshot"`,
      });
    });
  }

  private async action(ws: WebSocket, id: number, value: unknown): Promise<void> {
    const parsed = parseAction(value);
    const result = parsed.ok ? await this.o.act(parsed.value) : { ok: false, text: parsed.problem };
    // The client's model includes the action's effects by the time it reads the result.
    this.flush();
    this.send(ws, { type: 'result', id, ...result });
  }
}
