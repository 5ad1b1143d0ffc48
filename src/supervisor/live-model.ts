// The supervisor's live model of its cluster and the story of what happened: node state from the
// nodes' "state" lines, every other line as an event, the supervisor's own events, and the change
// notifications that the control server batches out to its clients. Every state report and every
// election also goes to the safety monitor, whose verdict is part of the model.
import { EVENT_HISTORY, type ClusterEvent, type ClusterModel, type NodeModel } from '../cluster-model/model.js';
import { SafetyMonitor, type SafetyViolation } from './safety.js';
import { readStateLine } from './state-line.js';

/** Kinds a node line may have; raft events with a `kind` field of their own (pre-vote, vote) override it. */

/** Called after every change with the events it added (none for a change of state only). */
export type ChangeListener = (events: readonly ClusterEvent[]) => void;

export class LiveModel {
  private readonly listeners = new Set<ChangeListener>();
  private readonly safety = new SafetyMonitor();

  /** `model.safety` starts as `{ ok: true, checkedReports: 0 }`. */
  constructor(readonly model: ClusterModel) {}

  node(id: number): NodeModel | undefined {
    return this.model.nodes.find((n) => n.id === id);
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners that the model changed in place. */
  changed(events: readonly ClusterEvent[] = []): void {
    for (const l of this.listeners) l(events);
  }

  event(e: ClusterEvent): void {
    const events = this.model.events;
    events.push(e);
    if (events.length > EVENT_HISTORY) events.shift();
    this.changed([e]);
  }

  /** The supervisor's own events: actions and process changes, in a sentence. */
  say(type: string, text: string, data?: Record<string, unknown>): void {
    this.event({ ts: Date.now(), node: null, kind: 'supervisor', type, text, ...(data === undefined ? {} : { data }) });
  }

  /** One NDJSON line from a node's stdout. */
  nodeLine(id: number, line: Record<string, unknown>): void {
    const node = this.node(id);
    if (node === undefined) return;
    const { ts: stamp, node: _node, kind, type, text, ...data } = line;
    const ts = typeof stamp === 'number' ? stamp : Date.now();
    if (kind === 'state') {
      const state = readStateLine(data);
      if (!state.ok) {
        this.event({ ts, node: id, kind: 'node', type: 'bad-output', text: `n${id} reported a state that is not valid, ignored: ${state.problem}` });
        return;
      }
      node.raft = state.value;
      this.checked(this.safety.report(id, node.raft, ts));
      this.changed();
      return;
    }
    // Section 5.2: at most one node wins each term. A leader is also seen in its state reports;
    // the events catch one that leads too briefly to report it.
    if (kind === 'raft' && (type === 'election-won' || (type === 'role-change' && data.to === 'leader')) && typeof data.term === 'number')
      this.checked(this.safety.leader(id, data.term, ts));
    this.event({
      ts,
      node: id,
      kind: String(kind),
      type: String(type),
      text: typeof text === 'string' ? text : `n${id}: ${String(type)}`,
      data,
    });
  }

  /** Puts the monitor's verdict in the model, and tells of the first violation as an event. */
  private checked(violation: SafetyViolation | null): void {
    this.model.safety = this.safety.verdict;
    if (violation !== null)
      this.say('safety-violation', `SAFETY VIOLATED: ${violation.property}: ${violation.text}`, { ok: false, property: violation.property, nodes: violation.nodes });
  }

  /**
   * Resolves true once `test` holds (checked now and after every change), false after `timeoutMs`.
   * How the supervisor waits for an election, a catch-up or a commit: on what the nodes report.
   */
  until(test: () => boolean, timeoutMs: number): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        off();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const off = this.onChange(() => {
        if (test()) done(true);
      });
    });
  }
}
