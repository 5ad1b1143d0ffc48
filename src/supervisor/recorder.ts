// Records what the dashboard shows of a cluster into its folder (replay-format.ts): after every
// change of the live model, the change as path operations and the events it told, with a keyframe
// of the whole model every few seconds and at the start of every segment. Writing never holds the
// supervisor up: lines are buffered and appended a few times a second, one write at a time, never
// synced (a crash loses the last fraction of a second; a torn last line is read as the end). The
// recording is bounded: segments of an eighth of the cap, the oldest deleted once the folder holds
// more than the cap. A write that fails (a full disk, a folder deleted) turns recording off, told
// once by `off`, and the cluster runs on.
import { mkdir, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { ClusterEvent, ClusterModel } from '../cluster-model/model.js';
import {
  KEYFRAME_EVERY_MS,
  applyOps,
  diffState,
  encodeLine,
  isSegmentName,
  segmentBytes,
  segmentName,
  type ModelState,
  type RecordLine,
} from '../cluster-model/replay-format.js';
import type { JsonObject } from '../schema/json-shape.js';
import type { Outcome } from '../cluster-model/outcome.js';

/** Why recording stopped, for the supervisor's event. */
export type RecordingOff = Extract<Outcome, { code: 'recording-off' }>;

/** The supervisor's sentence for it. */
export function recordingOffText(o: RecordingOff): string {
  return `recording stopped: cannot write ${o.path} (${o.cause}); the cluster runs on unrecorded until its supervisor starts again`;
}

export interface RecorderOptions {
  /** The recording folder (made if missing). */
  dir: string;
  /** The most bytes the folder's segments take; the oldest segment goes first. */
  capBytes: number;
  /** Delete the segments the folder holds first (a `check --out` folder used again). */
  fresh?: boolean;
  now?: () => number;
  /** How often the buffer is written out; default 250 ms. */
  flushMs?: number;
  keyframeEveryMs?: number;
}

/** Written at once rather than at the next flush: a burst (a log catching up) stays a bounded buffer. */
const FLUSH_BYTES = 256 * 1024;

type Job = { write: string; text: string } | { remove: string };

interface Segment {
  name: string;
  bytes: number;
}

/** The model without its events, copied: what the next change is compared with. */
function stateOf(model: ClusterModel): ModelState & JsonObject {
  const { events: _events, ...state } = model;
  return structuredClone(state);
}

export class Recorder {
  private readonly now: () => number;
  private readonly keyEveryMs: number;
  private readonly segmentBytes: number;
  private readonly timer: NodeJS.Timeout;
  private jobs: Job[] = [];
  private queued = 0;
  private writing: Promise<void> = Promise.resolve();
  private handle: { name: string; file: FileHandle } | null = null;
  private on = true;
  private lastTs = 0;
  private lastKeyTs = 0;
  /** Every segment in the folder, oldest first; the last is the one written to. */
  private readonly segments: Segment[];

  private constructor(
    private readonly model: ClusterModel,
    private readonly dir: string,
    private readonly capBytes: number,
    existing: Segment[],
    private readonly off: (why: RecordingOff) => void,
    o: RecorderOptions,
  ) {
    this.now = o.now ?? Date.now;
    this.keyEveryMs = o.keyframeEveryMs ?? KEYFRAME_EVERY_MS;
    this.segmentBytes = segmentBytes(capBytes);
    this.segments = existing;
    this.prev = stateOf(model);
    this.timer = setInterval(() => void this.flush(), o.flushMs ?? 250);
    this.timer.unref();
  }

  private prev: ModelState & JsonObject;

  /** Starts a recording of `model` (its first segment, with a keyframe, is queued). `off` is told once if writing fails. */
  static async open(model: ClusterModel, o: RecorderOptions, off: (why: RecordingOff) => void): Promise<Recorder> {
    // The user's alone, like every file of the cluster's folder: the model names paths, pids and values.
    await mkdir(o.dir, { recursive: true, mode: 0o700 });
    const existing: Segment[] = [];
    for (const name of (await readdir(o.dir)).filter(isSegmentName).sort()) {
      if (o.fresh === true) await unlink(join(o.dir, name));
      else existing.push({ name, bytes: (await stat(join(o.dir, name))).size });
    }
    const recorder = new Recorder(model, o.dir, o.capBytes, existing, off, o);
    recorder.keyframe(recorder.stamp(), true);
    return recorder;
  }

  /** After every change of the live model, with the events it told. */
  changed(events: readonly ClusterEvent[]): void {
    if (!this.on) return;
    const ts = this.stamp();
    const ops = diffState(this.prev, this.model);
    applyOps(this.prev, ops);
    const segment = this.segments[this.segments.length - 1]!;
    if (segment.bytes >= this.segmentBytes || ts - this.lastKeyTs >= this.keyEveryMs) {
      this.keyframe(ts, segment.bytes >= this.segmentBytes);
      if (events.length > 0) this.append({ t: 'd', ts, ops: [], events: [...events] });
    } else if (ops.length > 0 || events.length > 0) this.append({ t: 'd', ts, ops, events: [...events] });
  }

  /** Writes out what is buffered; resolves once written (or once recording is off). */
  flush(): Promise<void> {
    if (this.jobs.length === 0) return this.writing;
    const jobs = this.jobs;
    this.jobs = [];
    this.queued = 0;
    this.writing = this.writing.then(() => this.run(jobs));
    return this.writing;
  }

  /** Writes out the rest and closes the file: the supervisor stops. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    this.on = false;
    await this.handle?.file.close().catch(() => undefined);
    this.handle = null;
  }

  /** Milliseconds since the epoch, never before the line before (a clock set back keeps the lines in order). */
  private stamp(): number {
    this.lastTs = Math.max(this.lastTs, this.now());
    return this.lastTs;
  }

  /** A keyframe of the model now, in a new segment when asked (the first, or the last one is full). */
  private keyframe(ts: number, newSegment: boolean): void {
    if (newSegment) {
      let seq = 0;
      while (this.segments.some((s) => s.name === segmentName(ts, seq))) seq++;
      this.segments.push({ name: segmentName(ts, seq), bytes: 0 });
      // Drop the oldest segments while the folder would hold more than the cap: the one begun
      // now counts in full, so that the folder never holds more than the cap.
      let total = this.segments.reduce((sum, s) => sum + s.bytes, 0) + this.segmentBytes;
      while (total > this.capBytes && this.segments.length > 1) {
        const oldest = this.segments.shift()!;
        total -= oldest.bytes;
        this.jobs.push({ remove: oldest.name });
      }
    }
    this.lastKeyTs = ts;
    this.append({ t: 'key', ts, model: this.prev });
  }

  private append(line: RecordLine): void {
    const text = `${encodeLine(line)}\n`;
    const segment = this.segments[this.segments.length - 1]!;
    const bytes = Buffer.byteLength(text);
    segment.bytes += bytes;
    const last = this.jobs[this.jobs.length - 1];
    if (last !== undefined && 'write' in last && last.write === segment.name) last.text += text;
    else this.jobs.push({ write: segment.name, text });
    this.queued += bytes;
    if (this.queued >= FLUSH_BYTES) void this.flush();
  }

  private async run(jobs: Job[]): Promise<void> {
    if (!this.on) return;
    let path = this.dir;
    try {
      for (const job of jobs) {
        if ('remove' in job) {
          path = join(this.dir, job.remove);
          // Already gone: someone tidied the folder.
          if (existsSync(path)) await unlink(path);
          continue;
        }
        path = join(this.dir, job.write);
        if (this.handle?.name !== job.write) {
          await this.handle?.file.close();
          this.handle = null;
          this.handle = { name: job.write, file: await open(path, 'a', 0o600) };
        }
        await this.handle.file.write(job.text);
      }
    } catch (err) {
      this.on = false;
      this.jobs = [];
      clearInterval(this.timer);
      await this.handle?.file.close().catch(() => undefined);
      this.handle = null;
      this.off({ code: 'recording-off', path, cause: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    }
  }
}
