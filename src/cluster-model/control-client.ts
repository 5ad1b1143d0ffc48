// A client of a running supervisor's control API, for the CLI and the dashboard in other terminals:
// finds the supervisor through the cluster folder (control.json and token), authenticates, and
// keeps a copy of the model up to date from the supervisor's batched updates. A ClusterSource
// (source.ts), like the supervisor in this process.
//
//   const c = await ControlClient.connect({ name: 'demo' });
//   c.subscribe((events) => events.forEach((e) => console.log(e.text)));
//   const r = await c.act({ op: 'partition', groups: [[1, 2], [3, 4, 5]] });  // { ok, text }
//   await c.close();
import type WebSocket from 'ws';
import { findSupervisor } from './control-files.js';
import { messageText, type Action, type ActionResult, type ControlMessage, type ControlRequest } from './control-protocol.js';
import { ClusterError } from './errors.js';
import { clusterFolder, type FolderOptions } from './folder.js';
import { EVENT_HISTORY, type ClusterEvent, type ClusterModel } from './model.js';
import { readControlMessage, welcomeModel } from './model-reader.js';
import type { ClusterSource } from './source.js';

export interface ConnectOptions extends FolderOptions {
  /** How long to wait for the welcome; default 5000 ms. */
  timeoutMs?: number;
}

type Listener<T> = (value: T) => void;

export class ControlClient implements ClusterSource {
  private current: ClusterModel;
  private nextId = 1;
  private readonly waiting = new Map<number, (r: ActionResult | Error) => void>();
  private readonly snapshots: Array<(m: ClusterModel | Error) => void> = [];
  private readonly changeListeners = new Set<Listener<readonly ClusterEvent[]>>();
  private readonly goneListeners = new Set<Listener<string>>();
  private closedBecause: string | null = null;
  private ended = false;

  private constructor(
    private readonly ws: WebSocket,
    welcome: ClusterModel,
  ) {
    this.current = welcome;
    ws.on('message', (raw: WebSocket.RawData) => {
      const m = readControlMessage(messageText(raw));
      if (m.ok) this.receive(m.value);
      else this.refuse(m.problem);
    });
    ws.on('close', () => this.closed(this.closedBecause ?? 'the supervisor closed the connection'));
    ws.on('error', (err) => this.closed(`the connection to the supervisor failed: ${err.message}`));
  }

  /** Connects to the supervisor of the cluster `name` (default "default"). */
  static async connect(o: ConnectOptions = {}): Promise<ControlClient> {
    const { name, folder } = clusterFolder(o);
    const { control, token } = await findSupervisor(folder, name);
    // Loaded only once there is a supervisor to talk to: `status` of a stopped cluster never needs it.
    const { default: WebSocketClient } = await import('ws');
    const ws = new WebSocketClient(control.url, { handshakeTimeout: o.timeoutMs ?? 5000 });
    const model = await new Promise<ClusterModel>((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        ws.terminate();
        reject(new ClusterError(why));
      };
      const timer = setTimeout(
        () => fail(`the supervisor of ${name} (pid ${control.supervisorPid}) did not answer within ${o.timeoutMs ?? 5000} ms`),
        o.timeoutMs ?? 5000,
      );
      ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token } satisfies ControlRequest)));
      ws.once('error', (err) => fail(`cannot reach the supervisor of ${name} at ${control.url}: ${err.message}`));
      ws.once('message', (raw: WebSocket.RawData) => {
        let welcome: ClusterModel;
        try {
          welcome = welcomeModel(messageText(raw), name);
        } catch (err) {
          return fail((err as Error).message);
        }
        clearTimeout(timer);
        ws.removeAllListeners();
        resolve(welcome);
      });
    });
    return new ControlClient(ws, model);
  }

  /** The cluster as last reported: replaced (not changed) by each update. */
  get model(): ClusterModel {
    return this.current;
  }

  /** Called after every update (at most every 50 ms) with the events it brought, and with none after a snapshot. */
  subscribe(listener: Listener<readonly ClusterEvent[]>): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Called once when the connection ends, with the reason (e.g. the supervisor shut down). */
  onGone(listener: Listener<string>): () => void {
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  /** Carries out an action; the result says whether it was done and what happened, or why not. */
  act(action: Action): Promise<ActionResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.closedBecause !== null) return reject(new ClusterError(this.closedBecause));
      this.waiting.set(id, (r) => (r instanceof Error ? reject(r) : resolve(r)));
      this.ws.send(JSON.stringify({ type: 'action', id, action } satisfies ControlRequest));
    });
  }

  /** A fresh copy of the whole model from the supervisor. */
  snapshot(): Promise<ClusterModel> {
    return new Promise((resolve, reject) => {
      if (this.closedBecause !== null) return reject(new ClusterError(this.closedBecause));
      this.snapshots.push((m) => (m instanceof Error ? reject(m) : resolve(m)));
      this.ws.send(JSON.stringify({ type: 'snapshot' } satisfies ControlRequest));
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === this.ws.CLOSED) return Promise.resolve();
    this.closedBecause ??= 'the connection was closed by this client';
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  private receive(m: ControlMessage): void {
    switch (m.type) {
      case 'update': {
        const events = [...this.current.events, ...m.events];
        this.current = { ...m.model, events: events.length > EVENT_HISTORY ? events.slice(-EVENT_HISTORY) : events };
        for (const l of this.changeListeners) l(m.events);
        return;
      }
      case 'snapshot':
        this.current = m.model;
        this.snapshots.shift()?.(m.model);
        for (const l of this.changeListeners) l([]);
        return;
      case 'result': {
        const { type: _type, id, ...result } = m;
        this.waiting.get(id)?.(result);
        this.waiting.delete(id);
        return;
      }
      case 'error':
        this.closedBecause = m.text;
        return;
      case 'welcome':
        return;
    }
  }

  /** A message that is not valid ends the connection: the copy of the model can no longer be trusted. */
  private refuse(problem: string): void {
    this.closedBecause ??= `the supervisor sent a message that is not valid: ${problem}`;
    this.ws.terminate();
  }

  private closed(why: string): void {
    // 'error' and 'close' both come for a failed connection: one report is enough.
    if (this.ended) return;
    this.ended = true;
    this.closedBecause ??= why;
    const err = new ClusterError(this.closedBecause);
    for (const w of this.waiting.values()) w(err);
    this.waiting.clear();
    for (const s of this.snapshots.splice(0)) s(err);
    for (const l of this.goneListeners) l(this.closedBecause);
    this.goneListeners.clear();
  }
}
