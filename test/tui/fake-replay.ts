// A recording as the dashboard's tests need one: a list of (time, cluster) frames and a cursor that
// moves between them, telling its listeners on every move as the real replay source does.
import type { Action, ActionResult, ClusterEvent, ClusterModel } from '../../src/cluster-model/index.js';
import type { Mark, MarkKind, ReplayCursor, ReplaySource } from '../../src/cluster-model/replay.js';
import type { ClusterSource } from '../../src/cluster-model/source.js';

export interface Frame {
  ts: number;
  model: ClusterModel;
}

/** What both fakes do as sources: count their listeners and note what they are asked to do. */
abstract class FakeSource implements ClusterSource {
  abstract readonly model: ClusterModel;
  readonly acted: Action[] = [];
  readonly listeners = new Set<(events: readonly ClusterEvent[]) => void>();
  constructor(private readonly answer: (action: Action) => ActionResult) {}
  subscribe = (listener: (events: readonly ClusterEvent[]) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  onGone = (): (() => void) => () => undefined;
  act = (action: Action): Promise<ActionResult> => {
    this.acted.push(action);
    return Promise.resolve(this.answer(action));
  };
}

export class FakeReplay extends FakeSource implements ReplaySource, ReplayCursor {
  readonly cursor: ReplayCursor = this;
  readonly recorded = { events: 0, files: [] as readonly string[] };
  private index: number;
  speed = 1;
  playing = false;

  constructor(
    private readonly frames: readonly Frame[],
    private readonly markList: readonly Mark[] = [],
  ) {
    super(() => ({ ok: false, text: 'a recording cannot be changed' }));
    this.index = 0;
  }

  get from(): number {
    return this.frames[0]!.ts;
  }
  get to(): number {
    return this.frames[this.frames.length - 1]!.ts;
  }
  get at(): number {
    return this.frames[this.index]!.ts;
  }
  get model(): ClusterModel {
    return this.frames[this.index]!.model;
  }

  private moveTo(index: number): void {
    this.index = Math.max(0, Math.min(this.frames.length - 1, index));
    for (const l of this.listeners) l([]);
  }
  stepEvent(dir: 1 | -1): void {
    this.moveTo(this.index + dir);
  }
  jump(ms: number): void {
    this.seek(this.at + ms);
  }
  seek(ts: number): void {
    let i = 0;
    while (i + 1 < this.frames.length && this.frames[i + 1]!.ts <= ts) i++;
    this.moveTo(i);
  }
  play(): void {
    this.playing = true;
    this.moveTo(this.index);
  }
  pause(): void {
    this.playing = false;
    this.moveTo(this.index);
  }
  setSpeed(x: number): void {
    this.speed = Math.max(0.25, Math.min(8, x));
    this.moveTo(this.index);
  }
  nextMark(kind: MarkKind | 'any', dir: 1 | -1): boolean {
    const fits = this.markList.filter((m) => (kind === 'any' || m.kind === kind) && (dir === 1 ? m.ts > this.at : m.ts < this.at));
    const mark = dir === 1 ? fits[0] : fits[fits.length - 1];
    if (mark === undefined) return false;
    this.seek(mark.ts);
    return true;
  }
  marks(): readonly Mark[] {
    return this.markList;
  }
}

/** A live cluster that counts its listeners (so a test sees the store let go of it). */
export class FakeLive extends FakeSource {
  constructor(public model: ClusterModel) {
    super((action) => ({ ok: true, text: `did ${action.op}` }));
  }
  /** Something happened: the model gains an event and the listeners hear of it. */
  emit(e: ClusterEvent): void {
    this.model = { ...this.model, events: [...this.model.events, e] };
    for (const l of this.listeners) l([e]);
  }
}
