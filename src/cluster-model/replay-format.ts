// A cluster's recording on disk: what the supervisor's recorder (src/supervisor/recorder.ts)
// writes and a replay (replay.ts) reads. NDJSON segment files in the recording folder, named by the
// time their first line was written, so that their names sort in time order. Each segment starts
// with a keyframe, the whole model without its events, and goes on with deltas: the model's changes
// since the line before as path operations, and the events told since. A keyframe comes every few
// seconds, so the model at any instant is one keyframe plus a few seconds of deltas, and a segment
// read alone (the older ones are dropped first) is whole.
//
//   {"t":"key","v":1,"ts":1733300000000,"model":{...the model, no events...}}
//   {"t":"d","ts":1733300000050,"ops":[[["nodes",2,"raft","commit"],17],[["links"],[]]],"ev":[{...event...}]}
//
// An op is [path, value] (set) or [path] (delete a key); a path is field names and array indexes
// from the top of the model. Every line is read back through the schema readers: the keyframe's
// model as a control message's, the events as the control API's, the ops field by field.
import {
  array,
  at,
  fail,
  field,
  has,
  isObject,
  object,
  oneOf,
  parseJson,
  show,
  uint,
  validate,
  type JsonObject,
  type Validation,
} from '../schema/json-shape.js';
import type { ClusterEvent, ClusterModel } from './model.js';
import { readEvents, readModelState } from './model-reader.js';

/** The folder of a cluster's folder (or of a `check --out` folder) holding its recording. */
export const RECORDING_DIR = 'recording';

/** The format's version, on every keyframe: a reader refuses a newer one in a sentence. */
export const RECORDING_VERSION = 1;

/** A keyframe at least this often: the most deltas a seek applies. */
export const KEYFRAME_EVERY_MS = 5000;

/** The default cap on a cluster's recording, in MB (the `recording-cap` setting). */
export const DEFAULT_RECORDING_CAP_MB = 64;

/** The smallest segment, so that a tiny cap still makes segments of several lines. */
const MIN_SEGMENT_BYTES = 4096;

/** The size at which the recorder begins a new segment: an eighth of the cap. */
export function segmentBytes(capBytes: number): number {
  return Math.max(MIN_SEGMENT_BYTES, Math.floor(capBytes / 8));
}

/**
 * The most a reader takes of one segment file of a recording made under `capBytes`, read whole:
 * twice the size the recorder rotates at, since a segment passes that size by the lines of the
 * change that filled it (a keyframe, a burst of events). A larger file is not one the recorder
 * wrote under that cap, and is refused unread rather than read into memory whatever its size.
 */
export function segmentLimit(capBytes: number): number {
  return 2 * segmentBytes(capBytes);
}

/** Bytes as MB with one decimal, for sentences about recording sizes. */
export function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** The model without its events: what a keyframe holds and the deltas change. */
export type ModelState = Omit<ClusterModel, 'events'>;

export type PathKey = string | number;
/** [path, value] sets, [path] deletes a key. */
export type PatchOp = [PathKey[], unknown] | [PathKey[]];

export type RecordLine = { t: 'key'; ts: number; model: ModelState } | { t: 'd'; ts: number; ops: PatchOp[]; events: ClusterEvent[] };

const SEGMENT = /^(\d{13})-(\d{3})\.ndjson$/;

/** A segment's file name: when its first line was written, and a number for two in the same millisecond. */
export function segmentName(ts: number, seq = 0): string {
  return `${String(ts).padStart(13, '0')}-${String(seq).padStart(3, '0')}.ndjson`;
}

export function isSegmentName(name: string): boolean {
  return SEGMENT.test(name);
}

/** One line of a segment, without its newline. */
export function encodeLine(line: RecordLine): string {
  if (line.t === 'key') return JSON.stringify({ t: 'key', v: RECORDING_VERSION, ts: line.ts, model: line.model });
  return JSON.stringify({
    t: 'd',
    ts: line.ts,
    ...(line.ops.length === 0 ? {} : { ops: line.ops }),
    ...(line.events.length === 0 ? {} : { ev: line.events }),
  });
}

/** How encodeLine begins a delta that only changes the model (it writes no "ev" key then). */
const MODEL_ONLY = /^\{"t":"d","ts":(\d{1,16}),"ops":\[/;

/**
 * The time of a delta that only changes the model, as encodeLine writes one, read without parsing
 * the line; null for any other line (a keyframe, events, a line written otherwise), which is read
 * and checked in full. Nine lines in ten are such, and most of a recording's bytes: kept here
 * beside the encoder, so the two change together, replay reads them only when the cursor first
 * passes them.
 */
export function modelOnlyTime(line: string): number | null {
  const m = MODEL_ONLY.exec(line);
  if (m === null || line.includes('"ev"') || !line.endsWith(']}')) return null;
  const ts = Number(m[1]);
  return Number.isSafeInteger(ts) ? ts : null;
}

/** Keys an op may never name: a damaged or crafted file must not reach Object.prototype. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function readOp(op: unknown, path: string): PatchOp {
  if (!Array.isArray(op) || (op.length !== 1 && op.length !== 2)) fail(`${path} must be [path] or [path, value], got ${show(op)}`);
  const keys = array(op, 0, path);
  if (keys.length === 0) fail(`${at(path, 0)} must name a field`);
  const where = at(path, 0);
  const names = keys.map((k, i) => {
    if (typeof k === 'string' && !UNSAFE_KEYS.has(k)) return k;
    if (typeof k === 'number') return uint(keys, i, where);
    return fail(`${where}[${i}] must be a field name or an index, got ${show(k)}`);
  });
  return op.length === 2 ? [names, op[1]] : [names];
}

/** One line of a segment, checked; `what` names it in the problem ("line 7"). */
export function readRecordLine(text: string, what: string): Validation<RecordLine> {
  return validate((): RecordLine => {
    const o = object(parseJson(text, what), what);
    const t = oneOf(o, 't', ['key', 'd'], what);
    const ts = uint(o, 'ts', what);
    if (t === 'key') {
      const v = uint(o, 'v', what);
      if (v !== RECORDING_VERSION)
        fail(
          `${what} is in recording format ${v}, and this raft-console reads format ${RECORDING_VERSION}: replay it with the version that wrote it`,
        );
      return { t, ts, model: readModelState(object(field(o, 'model'), at(what, 'model')), at(what, 'model')) };
    }
    const ops = has(o, 'ops') ? array(o, 'ops', what).map((op, i) => readOp(op, `${at(what, 'ops')}[${i}]`)) : [];
    const events = has(o, 'ev') ? readEvents({ events: field(o, 'ev') }, what) : [];
    return { t, ts, ops, events };
  });
}

/**
 * The ops that turn `prev` into `next` (both plain JSON data): objects compared key by key, arrays
 * index by index while they grow or keep their length (a node's log runs, the node list), anything
 * else set whole when it differs.
 */
export function diffState(prev: unknown, next: unknown, path: PathKey[] = [], ops: PatchOp[] = []): PatchOp[] {
  if (prev === next) return ops;
  if (Array.isArray(prev) && Array.isArray(next) && next.length >= prev.length && prev.length > 0) {
    for (let i = 0; i < next.length; i++)
      if (i < prev.length) diffState(prev[i], next[i], [...path, i], ops);
      else ops.push([[...path, i], next[i]]);
    return ops;
  }
  if (isObject(prev) && isObject(next) && path.length > 0) {
    for (const key of Object.keys(next)) {
      if (next[key] === undefined) continue;
      if (!Object.hasOwn(prev, key) || prev[key] === undefined) ops.push([[...path, key], next[key]]);
      else diffState(prev[key], next[key], [...path, key], ops);
    }
    for (const key of Object.keys(prev))
      if (prev[key] !== undefined && (!Object.hasOwn(next, key) || next[key] === undefined)) ops.push([[...path, key]]);
    return ops;
  }
  if (path.length === 0) {
    // The top: the model itself, an object with fields.
    const p = prev as JsonObject;
    const n = next as JsonObject;
    for (const key of Object.keys(n)) if (key !== 'events') diffState(p[key], n[key], [key], ops);
    return ops;
  }
  if (JSON.stringify(prev) !== JSON.stringify(next)) ops.push([path, next]);
  return ops;
}

/**
 * Applies ops to `state` in place; fails on a path that leads nowhere (a damaged recording). Values
 * are copied in unless `copy` is false (ops just parsed, which nothing else holds).
 */
export function applyOps(state: JsonObject, ops: readonly PatchOp[], copy = true): void {
  for (const op of ops) {
    const path = op[0];
    let into: unknown = state;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      const next: unknown = isObject(into) || Array.isArray(into) ? (into as Record<PathKey, unknown>)[key] : undefined;
      if (!isObject(next) && !Array.isArray(next)) fail(`the change of ${path.join('.')} names no field of the model`);
      into = next;
    }
    const last = path[path.length - 1]!;
    if (Array.isArray(into)) {
      if (typeof last !== 'number' || last > into.length || op.length === 1)
        fail(`the change of ${path.join('.')} is not at the end of its list`);
      into[last] = copy ? structuredClone(op[1]) : op[1];
    } else if (isObject(into)) {
      if (op.length === 1) Reflect.deleteProperty(into, last);
      else into[last] = copy ? structuredClone(op[1]) : op[1];
    } else fail(`the change of ${path.join('.')} names no field of the model`);
  }
}
