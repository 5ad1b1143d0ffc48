// The dashboard's view of the cluster, published at a bounded rate. Changes from the source only
// mark the store dirty; a timer publishes at most one immutable snapshot every `intervalMs`, so a
// cluster committing thousands of entries a second costs eight renders a second, not thousands. React reads
// it with useSyncExternalStore.
import type { ClusterEvent, ClusterModel } from '../cluster-model/index.js';
import type { ClusterSource } from '../cluster-model/source.js';
import { keepSamples, sentSample, trafficOf, type SentSample, type Traffic } from './traffic.js';
import type { Mark, ReplayCursor, ReplaySource } from '../cluster-model/replay.js';

/** How many events the dashboard keeps for scroll-back. */
export const EVENT_KEEP = 2000;

/** Entries a follower removed because they conflicted with the leader's (marked for a moment). */
export interface Truncation {
  node: number;
  from: number;
  to: number;
  terms: number[];
  ts: number;
}

/** The result of the user's last action, shown on the flash line. */
export interface Flash {
  ok: boolean;
  text: string;
  ts: number;
}

export interface Snapshot {
  model: Omit<ClusterModel, 'events'>;
  /** The story, oldest first (the dashboard's own lines included). */
  events: readonly ClusterEvent[];
  /** How many events arrived in all, so a frozen view can stay where it was. */
  eventCount: number;
  truncations: readonly Truncation[];
  flash: Flash | null;
  /** The results of the user's last actions, newest last (the `m` overlay shows them whole). */
  results: readonly Flash[];
  /** Set when the cluster went away under the dashboard. */
  gone: string | null;
  /** The wall clock of this snapshot (the flash line's age). */
  now: number;
  /** The messages each link carried over the last few seconds (the messages panel). */
  traffic: Traffic;
  /** Step mode: the held messages that came since the learner's last step key (what it caused). */
  heldNew: readonly string[];
  /** Set while the dashboard shows a replay: the cursor as it stood. Absent or null: live. */
  replay?: ReplayView | null;
}

/** A replay's time cursor at a snapshot (the time bar draws it). */
export interface ReplayView {
  from: number;
  to: number;
  /** The instant the model shows: timer bars are drawn against it. */
  at: number;
  speed: number;
  playing: boolean;
  marks: readonly Mark[];
}

/** The instant the snapshot's cluster is drawn at: the cursor in a replay, the wall clock live. */
export function shownAt(snap: Snapshot): number {
  return snap.replay?.at ?? snap.now;
}

export function isReplay(source: ClusterSource): source is ReplaySource {
  return 'cursor' in source;
}

/** How many results of the user's actions the dashboard keeps. */
export const RESULTS_KEEP = 20;

/** How long the cells a truncation removed stay marked. */
export const TRUNCATION_MARK_MS = 3000;

export class DashboardStore {
  private events: ClusterEvent[];
  private eventCount: number;
  private truncations: Truncation[] = [];
  private flash: Flash | null = null;
  private results: Flash[] = [];
  private gone: string | null = null;
  private samples: SentSample[] = [];
  private heldBefore: ReadonlySet<string> | null = null;
  private current: Snapshot;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private source: ClusterSource,
    private readonly now: () => number = Date.now,
  ) {
    this.events = [];
    this.eventCount = 0;
    this.listen();
    this.current = this.build();
  }

  /** The replay's cursor while the dashboard shows one, else null. */
  get cursor(): ReplayCursor | null {
    return isReplay(this.source) ? this.source.cursor : null;
  }

  /**
   * Shows another source from now on (live to replay and back): the old one is no longer
   * listened to, the story is the new one's, and a snapshot goes out at once.
   */
  switchTo(source: ClusterSource): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.source = source;
    this.truncations = [];
    // The message counts and the step keys' marks were the old source's.
    this.samples = [];
    this.heldBefore = null;
    this.gone = null;
    this.listen();
    this.publish();
  }

  private listen(): void {
    const source = this.source;
    this.events = source.model.events.slice(-EVENT_KEEP);
    this.eventCount = this.events.length;
    this.unsubscribe.push(source.subscribe((events) => this.receive(events)));
    this.unsubscribe.push(
      source.onGone((why) => {
        this.gone = why;
      }),
    );
  }

  /**
   * Starts publishing: a snapshot every `intervalMs` while the cluster changes, and every `idleMs`
   * when it does not (the timer bars still move). Frames cost the same whatever changed, so an
   * idle cluster is drawn less often.
   */
  start(intervalMs: number, idleMs = intervalMs): void {
    this.timer ??= setInterval(() => {
      if (this.dirty || this.now() - this.current.now >= idleMs) this.publish();
    }, intervalMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => this.current;

  /** Builds and hands out a new snapshot now (the timer does this; tests call it directly). */
  publish(): void {
    this.dirty = false;
    this.current = this.build();
    for (const l of this.listeners) l();
  }

  /**
   * The result of the user's last action on the flash line; `story` also adds it to the events
   * (the supervisor already tells its actions there, the dashboard tells its client writes).
   */
  note(ok: boolean, text: string, story = false): void {
    const ts = this.now();
    this.flash = { ok, text, ts };
    this.results = [...this.results, this.flash].slice(-RESULTS_KEEP);
    this.dirty = true;
    if (story) this.append({ ts, node: null, kind: 'dashboard', type: 'result', text, data: { ok } });
  }

  /** A step key was pressed: the messages held after this are what it caused, and are marked new. */
  markHeld(): void {
    this.heldBefore = new Set(this.source.model.step?.held.map((h) => h.id) ?? []);
  }

  private receive(events: readonly ClusterEvent[]): void {
    this.dirty = true;
    // A replay's story is its model's, up to the cursor: build() reads it whole.
    if (isReplay(this.source)) return;
    for (const e of events) {
      this.append(e);
      if (e.kind === 'raft' && e.type === 'truncate' && e.node !== null && e.data !== undefined) {
        const { from, to, terms } = e.data as { from: number; to: number; terms: number[] };
        this.truncations.push({ node: e.node, from, to, terms, ts: this.now() });
      }
    }
  }

  private append(e: ClusterEvent): void {
    // Lines from different node processes arrive a few milliseconds out of order: the story is
    // told in the order things happened (a vote before its count), looking back a bounded way.
    let at = this.events.length;
    while (at > 0 && this.events.length - at < 64 && this.events[at - 1]!.ts > e.ts) at--;
    this.events.splice(at, 0, e);
    this.eventCount++;
    if (this.events.length > EVENT_KEEP * 1.5) this.events = this.events.slice(-EVENT_KEEP);
  }

  private build(): Snapshot {
    const now = this.now();
    this.truncations = this.truncations.filter((t) => now - t.ts < TRUNCATION_MARK_MS);
    const { events: history, ...model } = this.source.model;
    const cursor = this.cursor;
    // The counts are sampled at the instant the model shows: the cursor's in a replay, which may
    // move back, and then the samples after it are no longer behind it.
    const shown = cursor === null ? now : cursor.at;
    const behind = this.samples.filter((x) => x.ts <= shown);
    const sample = sentSample(model, shown);
    this.samples = sample === null ? [] : keepSamples([...behind, sample], shown);
    if (cursor !== null) {
      // The cursor moves back as well as forward: the story is the recording's up to it.
      this.events = history.slice(-EVENT_KEEP);
      this.eventCount = history.length;
    }
    const before = this.heldBefore;
    const heldNew = before === null ? [] : (model.step?.held ?? []).filter((h) => !before.has(h.id)).map((h) => h.id);
    return {
      // The supervisor in this process changes its model in place: copy what the frame reads.
      model: structuredClone(model),
      events: this.events.slice(-EVENT_KEEP),
      eventCount: this.eventCount,
      truncations: [...this.truncations],
      flash: this.flash,
      results: this.results,
      gone: this.gone,
      now,
      traffic: trafficOf(this.samples),
      replay:
        cursor === null
          ? null
          : { from: cursor.from, to: cursor.to, at: cursor.at, speed: cursor.speed, playing: cursor.playing, marks: cursor.marks() },
      heldNew,
    };
  }
}
