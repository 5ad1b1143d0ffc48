// A cluster as it was: a recording (src/supervisor/recorder.ts writes one in every cluster's folder)
// read back as a ClusterSource whose model is the cluster at a time cursor. The dashboard shows it
// as it shows a live cluster; the cursor moves by event, by milliseconds, to a time, to the next
// mark (an election, a commit, a fault, a safety alarm), or plays at a speed.
import { existsSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isObject, validate, type JsonObject } from '../schema/json-shape.js';
import type { Action, ActionResult } from './control-protocol.js';
import { ClusterError } from './errors.js';
import { EVENT_HISTORY, type ClusterEvent, type ClusterModel } from './model.js';
import { readModelState } from './model-reader.js';
import { readRaftEvent } from './raft-event-reader.js';
import {
  DEFAULT_RECORDING_CAP_MB,
  RECORDING_DIR,
  applyOps,
  isSegmentName,
  megabytes,
  modelOnlyTime,
  readRecordLine,
  segmentLimit,
  type ModelState,
} from './replay-format.js';
import type { ClusterSource } from './source.js';

/** What a mark on the time bar is about. */
export type MarkKind = 'election' | 'commit' | 'fault' | 'alarm';

export const MARK_KINDS: readonly MarkKind[] = ['election', 'commit', 'fault', 'alarm'];

/** A moment worth jumping to: `text` says what happened, in a sentence. */
export interface Mark {
  ts: number;
  kind: MarkKind;
  text: string;
}

/** The time cursor of a replay. Every move tells the source's subscribers. */
export interface ReplayCursor {
  /** The first and last recorded instants, ms since the epoch. */
  readonly from: number;
  readonly to: number;
  /** Where the cursor is, ms since the epoch, within [from, to]. */
  readonly at: number;
  /** The play speed, 0.25 to 8 (1: as it happened). */
  readonly speed: number;
  readonly playing: boolean;
  /** Moves to the next (1) or previous (-1) event's instant. */
  stepEvent(dir: 1 | -1): void;
  /** Moves by `ms` (negative: back), kept within [from, to]. */
  jump(ms: number): void;
  /** Moves to `ts`, kept within [from, to]. */
  seek(ts: number): void;
  play(): void;
  pause(): void;
  /** Sets the play speed, kept within 0.25..8. */
  setSpeed(x: number): void;
  /** Moves to the next (1) or previous (-1) mark of that kind; false (and stays) when there is none. */
  nextMark(kind: MarkKind | 'any', dir: 1 | -1): boolean;
  /** Every mark of the recording, oldest first. */
  marks(): readonly Mark[];
}

/** A recording as a cluster source: `model` is the cluster as it was at `cursor.at`. */
export interface ReplaySource extends ClusterSource {
  readonly cursor: ReplayCursor;
  /** What was read: the events between the cursor's from and to, and the files. */
  readonly recorded: { events: number; files: readonly string[] };
}

/** What plays a replay: the wall clock and its timers, or a test's. */
export interface ReplayClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const SYSTEM_CLOCK: ReplayClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ReplayOptions {
  /** Only the last this many milliseconds of the recording (a live dashboard's switch into replay). */
  lastMs?: number;
  /** Where the cursor starts: the end with lastMs (to step back from now), else the start. */
  start?: 'start' | 'end';
  clock?: ReplayClock;
  /**
   * The recording cap (MB) it was made under (the `recording-cap` setting), which bounds its
   * segments' size. Never below the default's bound: a recording made before the setting was
   * lowered still opens.
   */
  capMb?: number;
}

/** How often a playing cursor moves. */
const PLAY_TICK_MS = 100;

export const MIN_SPEED = 0.25;
export const MAX_SPEED = 8;

/**
 * One recorded instant: a keyframe (its model kept) or a delta (its line kept when it changes the
 * model, read and folded when the cursor passes it). `file` and `lineNo` name it in a problem.
 */
interface Frame {
  ts: number;
  key: ModelState | null;
  line: string;
  events: readonly ClusterEvent[];
  file: string;
  lineNo: number;
}

/** Why a recording file cannot be replayed, with the fix. */
function damaged(path: string, why: string): ClusterError {
  return new ClusterError(
    `the recording file ${path} is damaged (${why}): delete that file and replay the rest, or delete the folder ${dirname(path)} to start a new recording`,
    { code: 'bad-file', path },
  );
}

/**
 * A segment file's text, at most `limit` bytes of it: a larger file is refused unread, and a file
 * still being written (the live cluster's own recording) is read as far as it reached when opened.
 * Null when it was rotated away between the listing and the read.
 */
async function segmentText(path: string, capMb: number): Promise<string | null> {
  const limit = segmentLimit(capMb * 1024 * 1024);
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ClusterError(`cannot read the recording file ${path}: ${(err as Error).message}`, { code: 'bad-file', path });
  }
  try {
    const { size } = await file.stat();
    if (size > limit)
      throw new ClusterError(
        `the recording file ${path} holds ${megabytes(size)} MB, more than a segment of a ${capMb} MB recording can (${megabytes(limit)} MB), and is left unread: if it was recorded with a larger recording-cap, set that cap (\`raft-console config set recording-cap MB\`) and replay again; otherwise it is damaged or not a recording: move it out of ${dirname(path)}`,
        { code: 'too-big', path, bytes: size, limit },
      );
    const buffer = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await file.read(buffer, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buffer.toString('utf8', 0, got);
  } finally {
    await file.close();
  }
}

/** A segment's frames, read and checked; a torn last line (a write cut short) is the end. */
async function readSegment(path: string, capMb: number): Promise<Frame[] | null> {
  const text = await segmentText(path, capMb);
  if (text === null) return null;
  const lines = text.split('\n');
  const frames: Frame[] = [];
  let keyframes = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const last = i === lines.length - 1;
    if (line === '' && last) break;
    // The last line, with no newline after it, may be torn: it is always read in full.
    const ts = last ? null : modelOnlyTime(line);
    if (ts !== null) {
      if (keyframes === 0) throw damaged(path, `line ${i + 1} comes before the first keyframe`);
      frames.push({ ts, key: null, line, events: [], file: path, lineNo: i + 1 });
      continue;
    }
    const read = readRecordLine(line, `line ${i + 1}`);
    if (!read.ok) {
      // The line being written when the writer stopped: no newline after it.
      if (last) break;
      throw damaged(path, read.problem);
    }
    const r = read.value;
    if (r.t === 'key') {
      keyframes++;
      frames.push({ ts: r.ts, key: r.model, line: '', events: [], file: path, lineNo: i + 1 });
      continue;
    }
    if (keyframes === 0) throw damaged(path, `line ${i + 1} comes before the first keyframe`);
    frames.push({ ts: r.ts, key: null, line: r.ops.length === 0 ? '' : line, events: r.events, file: path, lineNo: i + 1 });
  }
  return frames;
}

/** The recording files of a target, oldest first. */
async function recordingFiles(target: { folder: string } | { file: string }): Promise<string[]> {
  if ('file' in target) {
    if (!existsSync(target.file))
      throw new ClusterError(`there is no recording file ${target.file}: check the path`, { code: 'bad-file', path: target.file });
    return [target.file];
  }
  const own = join(target.folder, RECORDING_DIR);
  const dir = existsSync(own) ? own : target.folder;
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isSegmentName).sort();
  } catch {
    names = [];
  }
  if (names.length === 0)
    throw new ClusterError(
      `there is no recording in ${target.folder}: a cluster records into its folder's ${RECORDING_DIR} from its start (\`raft-console up\`), and \`check --out DIR\` into DIR`,
      { code: 'bad-file', path: own },
    );
  return names.map((n) => join(dir, n));
}

/** Every frame of the recording (with lastMs, of the segments that reach into that span), in time order. */
async function readFrames(files: string[], lastMs: number | undefined, capMb: number): Promise<Frame[]> {
  // The recorder keeps a folder under its cap: one that holds more than twice it is refused unread
  // whatever its files, as one file larger than a segment can be is (segmentText).
  const bound = 2 * capMb * 1024 * 1024;
  const sizes = await Promise.all(
    files.map((f) =>
      stat(f).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > bound) {
    const dir = dirname(files[0]!);
    throw new ClusterError(
      `the recording in ${dir} holds ${megabytes(total)} MB, more than twice a ${capMb} MB cap, and is left unread: if it was recorded with a larger recording-cap, set that cap (\`raft-console config set recording-cap MB\`) and replay again; otherwise move its older files out`,
      { code: 'too-big', path: dir, bytes: total, limit: bound },
    );
  }
  const segments: Frame[][] = [];
  let to: number | null = null;
  for (let i = files.length - 1; i >= 0; i--) {
    const frames = await readSegment(files[i]!, capMb);
    if (frames === null || frames.length === 0) continue;
    segments.unshift(frames);
    to ??= frames[frames.length - 1]!.ts;
    if (lastMs !== undefined && frames[0]!.ts <= to - lastMs) break;
  }
  const all = segments.flat();
  // A clock set back between two supervisors' runs: the later lines keep their order.
  for (let i = 1; i < all.length; i++) if (all[i]!.ts < all[i - 1]!.ts) all[i] = { ...all[i]!, ts: all[i - 1]!.ts };
  return all;
}

/** The first index in [0, n) whose value is above `ts` (n if none), over an ascending list. */
function firstAfter(n: number, tsOf: (i: number) => number, ts: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tsOf(mid) <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const FAULT_OUTCOMES = new Set(['killed', 'stopped', 'paused', 'partitioned', 'link', 'healed', 'crashed']);

/** The marks the events make: elections (one a term), commits (a leader's), faults (the supervisor's), safety alarms. */
function markOf(e: ClusterEvent, ts: number, elected: Set<number>): Mark | null {
  const raft = readRaftEvent(e);
  if (raft !== null) {
    const won = raft.type === 'election-won' || (raft.type === 'role-change' && raft.to === 'leader');
    if (won && !elected.has(raft.term)) {
      elected.add(raft.term);
      return { ts, kind: 'election', text: `n${e.node} leads term ${raft.term}` };
    }
    // A leader's commit (a follower learns of it from the leader: the same commit again).
    if (raft.type === 'commit' && raft.replicas > 0) return { ts, kind: 'commit', text: e.text };
    return null;
  }
  if (e.kind !== 'supervisor' || e.data === undefined) return null;
  // Only the outcome's code: a recording made by an older build, whose outcomes lack a field added
  // since, still has its marks.
  const outcome = e.data.outcome;
  const code = isObject(outcome) && typeof outcome.code === 'string' ? outcome.code : null;
  if (code === 'safety-violation') return { ts, kind: 'alarm', text: e.text };
  if (code !== null && FAULT_OUTCOMES.has(code)) return { ts, kind: 'fault', text: e.text };
  return null;
}

class Replay implements ReplaySource {
  readonly cursor: ReplayCursor;
  readonly recorded: { events: number; files: readonly string[] };
  private readonly listeners = new Set<(events: readonly ClusterEvent[]) => void>();
  private readonly events: ClusterEvent[] = [];
  /** Events told up to and with frame i: events.slice(0, eventEnd[i]). */
  private readonly eventEnd: Int32Array;
  /** The keyframe each frame is folded from. */
  private readonly keyOf: Int32Array;
  /** Frames that told events, for stepping by event. */
  private readonly eventFrames: number[] = [];
  private readonly allMarks: Mark[] = [];
  private readonly from: number;
  private readonly to: number;
  private at: number;
  private speed = 1;
  private playing = false;
  private timer: unknown = null;
  private lastTick = 0;
  /** The model at frame `index`, and the state folded to it (continued when the cursor moves on within its keyframe). */
  private shown: { index: number; model: ClusterModel; state: JsonObject } | null = null;

  constructor(
    private readonly frames: Frame[],
    private readonly where: string,
    files: readonly string[],
    opts: ReplayOptions,
    private readonly clock: ReplayClock,
  ) {
    const n = frames.length;
    this.eventEnd = new Int32Array(n);
    this.keyOf = new Int32Array(n);
    this.to = frames[n - 1]!.ts;
    this.from = opts.lastMs === undefined ? frames[0]!.ts : Math.max(frames[0]!.ts, this.to - opts.lastMs);
    const elected = new Set<number>();
    let key = 0;
    for (let i = 0; i < n; i++) {
      const f = frames[i]!;
      if (f.key !== null) key = i;
      this.keyOf[i] = key;
      this.events.push(...f.events);
      this.eventEnd[i] = this.events.length;
      if (f.events.length > 0 && f.ts >= this.from) this.eventFrames.push(i);
      for (const e of f.events) {
        const mark = markOf(e, f.ts, elected);
        if (mark !== null && f.ts >= this.from) this.allMarks.push(mark);
      }
    }
    const before =
      this.eventFrames.length === 0
        ? this.events.length
        : this.eventEnd[this.eventFrames[0]!]! - frames[this.eventFrames[0]!]!.events.length;
    this.recorded = { events: this.events.length - before, files };
    this.at = (opts.start ?? (opts.lastMs === undefined ? 'start' : 'end')) === 'end' ? this.to : this.from;
    this.cursor = this.makeCursor();
  }

  get model(): ClusterModel {
    const index = Math.max(0, firstAfter(this.frames.length, (i) => this.frames[i]!.ts, this.at) - 1);
    if (this.shown?.index === index) return this.shown.model;
    const key = this.keyOf[index]!;
    let state: JsonObject;
    let next: number;
    if (this.shown !== null && this.shown.index < index && this.keyOf[this.shown.index] === key) {
      // A copy: the model shown before may share its lists with the state it was read from.
      state = structuredClone(this.shown.state);
      next = this.shown.index + 1;
    } else {
      state = structuredClone(this.frames[key]!.key!);
      next = key + 1;
    }
    for (let i = next; i <= index; i++) {
      const { line, file, lineNo } = this.frames[i]!;
      if (line === '') continue;
      // Read here the first time (most deltas are not read when the recording is opened).
      const read = readRecordLine(line, `line ${lineNo}`);
      if (!read.ok) throw damaged(file, read.problem);
      if (read.value.t !== 'd') throw damaged(file, `line ${lineNo} is not a change`);
      const ops = read.value.ops;
      const applied = validate(() => applyOps(state, ops, false));
      if (!applied.ok) throw damaged(file, `line ${lineNo}: ${applied.problem}`);
    }
    const checked = validate(() => readModelState(state, 'model'));
    if (!checked.ok)
      throw new ClusterError(`the recording in ${this.where} is damaged: ${checked.problem}`, { code: 'bad-file', path: this.where });
    const end = this.eventEnd[index]!;
    const model = { ...checked.value, events: this.events.slice(Math.max(0, end - EVENT_HISTORY), end) };
    this.shown = { index, model, state };
    return model;
  }

  subscribe(listener: (events: readonly ClusterEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  act(action: Action): Promise<ActionResult> {
    return Promise.resolve({
      ok: false,
      text: `${action.op} is not done: this is a recording of the cluster ${this.model.name}, which replay only shows`,
      problem: { code: 'replay' },
    });
  }

  onGone(): () => void {
    return () => undefined;
  }

  /** Stops playing: the replay is closed. */
  close(): void {
    this.cursor.pause();
  }

  private moved(): void {
    for (const l of [...this.listeners]) l([]);
  }

  private seekTo(ts: number): void {
    this.at = Math.min(this.to, Math.max(this.from, ts));
    this.moved();
  }

  private tick = (): void => {
    this.timer = null;
    if (!this.playing) return;
    const now = this.clock.now();
    const at = this.at + (now - this.lastTick) * this.speed;
    this.lastTick = now;
    if (at >= this.to) this.playing = false;
    else this.timer = this.clock.setTimeout(this.tick, PLAY_TICK_MS);
    this.seekTo(at);
  };

  private makeCursor(): ReplayCursor {
    // The cursor is this replay's state seen from outside: its getters read the fields above.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const r = this;
    const frameTs = (i: number): number => r.frames[r.eventFrames[i]!]!.ts;
    return {
      get from() {
        return r.from;
      },
      get to() {
        return r.to;
      },
      get at() {
        return r.at;
      },
      get speed() {
        return r.speed;
      },
      get playing() {
        return r.playing;
      },
      stepEvent(dir) {
        const n = r.eventFrames.length;
        const after = firstAfter(n, frameTs, r.at);
        if (dir === 1 && after < n) r.seekTo(frameTs(after));
        else if (dir === -1) {
          // The last instant that told events before the cursor's.
          let i = after - 1;
          while (i >= 0 && frameTs(i) >= r.at) i--;
          if (i >= 0) r.seekTo(frameTs(i));
        }
      },
      jump(ms) {
        r.seekTo(r.at + ms);
      },
      seek(ts) {
        r.seekTo(ts);
      },
      play() {
        if (r.playing) return;
        if (r.at >= r.to) r.at = r.from;
        r.playing = true;
        r.lastTick = r.clock.now();
        r.timer = r.clock.setTimeout(r.tick, PLAY_TICK_MS);
        r.moved();
      },
      pause() {
        if (!r.playing) return;
        r.playing = false;
        if (r.timer !== null) r.clock.clearTimeout(r.timer);
        r.timer = null;
        r.moved();
      },
      setSpeed(x) {
        r.speed = Math.min(MAX_SPEED, Math.max(MIN_SPEED, x));
        r.moved();
      },
      nextMark(kind, dir) {
        const fits = (m: Mark): boolean => kind === 'any' || m.kind === kind;
        const mark = dir === 1 ? r.allMarks.find((m) => m.ts > r.at && fits(m)) : r.allMarks.findLast((m) => m.ts < r.at && fits(m));
        if (mark === undefined) return false;
        r.seekTo(mark.ts);
        return true;
      },
      marks() {
        return r.allMarks;
      },
    };
  }
}

/** Opens a recording: a cluster's folder, a `check --out` or exercise run folder, or one recording file. */
export async function openReplay(target: { folder: string } | { file: string }, opts: ReplayOptions = {}): Promise<ReplaySource> {
  const files = await recordingFiles(target);
  const frames = await readFrames(files, opts.lastMs, Math.max(opts.capMb ?? 0, DEFAULT_RECORDING_CAP_MB));
  const where = 'file' in target ? target.file : target.folder;
  if (frames.length === 0)
    throw new ClusterError(`the recording in ${where} holds nothing yet: replay it once its cluster has run a moment`, {
      code: 'bad-file',
      path: where,
    });
  return new Replay(frames, where, files, opts, opts.clock ?? SYSTEM_CLOCK);
}
