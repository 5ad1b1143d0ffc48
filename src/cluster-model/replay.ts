// A cluster as it was: a recording (src/supervisor/recorder.ts writes one in every cluster's folder)
// read back as a ClusterSource whose model is the cluster at a time cursor. The dashboard shows it
// as it shows a live cluster; the cursor moves by event, by milliseconds, to a time, to the next
// mark (an election, a commit, a fault, a safety alarm), or plays at a speed.
import { ClusterError } from './errors.js';
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
}

export interface ReplayOptions {
  /** Only the last this many milliseconds of the recording (a live dashboard's switch into replay). */
  lastMs?: number;
}

/** Opens a recording: a cluster's folder, a `check --out` or exercise run folder, or one recording file. */
export function openReplay(target: { folder: string } | { file: string }, opts: ReplayOptions = {}): Promise<ReplaySource> {
  return Promise.reject(new ClusterError(`replay is not built yet (${JSON.stringify({ target, opts })})`));
}
