// `check --history DIR`: a run saved by `check --out DIR`, read back and checked again. The history
// is all the linearizability checker needs, and it answers the same for the same history every time
// (given the budget); lost writes and one leader per term are checked again from the history, the
// final reads and the events. What was seen of the live cluster (settled, converged, the safety
// monitor) cannot be seen again: those checks are taken from verdict.json as recorded, and marked so.
// Every file is read through the schema readers: a file edited by hand, cut short or of another
// tool is refused with the file, the field and what was expected.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ClusterEvent } from '../cluster-model/index.js';
import { readEvent } from '../cluster-model/model-reader.js';
import {
  array,
  at,
  boolean,
  fail,
  field,
  has,
  isObject,
  object,
  oneOf,
  show,
  string,
  stringOrNull,
  uint,
  validate,
  type JsonObject,
} from '../schema/json-shape.js';
import { parseUntrustedJson } from '../schema/untrusted-json.js';
import { parseAction } from '../cluster-model/parse-action.js';
import { noLostWrites, oneLeaderPerTerm, type CheckOutcome } from './checks.js';
import type { History, Operation, OpInput, OpOutcome } from './history.js';
import { checkHistory } from './linearizability.js';
import { FAULT_KINDS, type FaultRecord } from './nemesis.js';
import type { RunResult } from './run.js';
import { resultOf } from './run.js';
import { linearizabilitySummary, type RunSummary } from './run-report.js';
import type { FinalRead } from './workload.js';

/** The checks made of the live cluster, which a saved run can only report as they were recorded. */
const SEEN_LIVE = ['settled', 'converged', 'safety monitor'] as const;

/** A refusal of a saved run's files: which file, and what is wrong with it. */
export class SavedRunError extends Error {
  readonly code = 'saved-run';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'SavedRunError';
  }
}

export interface SavedRun {
  folder: string;
  seed: number;
  cluster: string;
  history: History;
  /** The client of the final reads, whose operations are not the workload's (absent in files of earlier versions). */
  finalReader: number | null;
  finals: FinalRead[];
  /** The fault timeline, for the faults around a failing window; empty without faults.json. */
  faults: FaultRecord[];
  /** The cluster's events; null without events.ndjson (then one leader per term cannot be checked again). */
  events: ClusterEvent[] | null;
  /** What verdict.json says the run found; null without it. */
  recorded: { result: RunResult; checks: CheckOutcome[] } | null;
}

/** Reads the files `check --out` wrote into `dir`; history.json is required, the others add what they can. */
export async function readSavedRun(dir: string): Promise<SavedRun> {
  const folder = resolve(dir);
  const historyFile = join(folder, 'history.json');
  const text = await readText(historyFile, true);
  const h = readWith(historyFile, parse(historyFile, text!), readHistoryFile);
  const faultsFile = join(folder, 'faults.json');
  const faultsText = await readText(faultsFile, false);
  const eventsFile = join(folder, 'events.ndjson');
  const eventsText = await readText(eventsFile, false);
  const verdictFile = join(folder, 'verdict.json');
  const verdictText = await readText(verdictFile, false);
  return {
    folder,
    ...h,
    faults: faultsText === null ? [] : readWith(faultsFile, parse(faultsFile, faultsText), readFaultsFile),
    events: eventsText === null ? null : readEvents(eventsFile, eventsText),
    recorded: verdictText === null ? null : readWith(verdictFile, parse(verdictFile, verdictText), readVerdictFile),
  };
}

/** The saved run checked again: the report's linearizability part, the checks, and the verdict. */
export interface Recheck {
  linearizability: RunSummary['linearizability'];
  checks: CheckOutcome[];
  result: RunResult;
}

export function recheck(run: SavedRun, budgetMs: number): Recheck {
  const verdict = checkHistory(run.history, { budgetMs });
  const live = (run.recorded?.checks ?? [])
    .filter((c) => (SEEN_LIVE as readonly string[]).includes(c.name))
    .map((c) => ({ ...c, text: `${c.text} (as recorded: seen of the live cluster)` }));
  const checks = [
    noLostWrites(run.history, run.finals),
    run.events === null
      ? { name: 'one leader per term', ok: null, text: 'events.ndjson is missing: the leaders of each term are unknown' }
      : oneLeaderPerTerm(run.events),
    ...live,
  ];
  return { linearizability: linearizabilitySummary(verdict, run.faults), checks, result: resultOf(verdict, checks) };
}

/** The files cap what they read: a run of hours writes tens of megabytes. */
const MAX_FILE_BYTES = 512 * 1024 * 1024;

async function readText(file: string, required: boolean): Promise<string | null> {
  try {
    const buffer = await readFile(file);
    if (buffer.length > MAX_FILE_BYTES)
      throw new SavedRunError(file, `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB: not a file check --out wrote`);
    return buffer.toString('utf8');
  } catch (err) {
    if (err instanceof SavedRunError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return null;
    if (code === 'ENOENT')
      throw new SavedRunError(file, 'not found: give the folder a `raft-console check --out DIR` wrote (it holds history.json)');
    throw new SavedRunError(file, `cannot be read (${code ?? String(err)})`);
  }
}

function parse(file: string, text: string): unknown {
  const json = parseUntrustedJson(text, 'the file');
  if (!json.ok) throw new SavedRunError(file, json.problem);
  return json.value;
}

function readWith<T>(file: string, value: unknown, read: (v: unknown) => T): T {
  const v = validate(() => read(value));
  if (!v.ok) throw new SavedRunError(file, v.problem);
  return v.value;
}

function readEvents(file: string, text: string): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    events.push(readWith(`${file} line ${i + 1}`, parse(`${file} line ${i + 1}`, lines[i]!), (v) => readEvent(v, 'event')));
  }
  return events;
}

/** The object a file holds (object()'s own message speaks of frames). */
function whole(v: unknown): JsonObject {
  if (!isObject(v)) fail(`the file must hold one JSON object, got ${show(v)}`);
  return v;
}

function readHistoryFile(v: unknown): Omit<SavedRun, 'folder' | 'faults' | 'events' | 'recorded'> {
  const o = whole(v);
  return {
    seed: uint(o, 'seed'),
    cluster: string(o, 'cluster'),
    finalReader: has(o, 'finalReader') ? uint(o, 'finalReader') : null,
    finals: array(o, 'finals').map((f, i) => readFinal(f, at('finals', i))),
    history: { operations: array(o, 'operations').map((op, i) => readOperation(op, at('operations', i))) },
  };
}

function readFinal(v: unknown, path: string): FinalRead {
  const o = object(v, path, ['key', 'value']);
  return { key: string(o, 'key', path), ...(has(o, 'value') ? { value: stringOrNull(o, 'value', path) } : {}) };
}

function readOperation(v: unknown, path: string): Operation {
  const o = object(v, path, ['id', 'client', 'input', 'invokedAt', 'completedAt', 'outcome']);
  return {
    id: uint(o, 'id', path),
    client: uint(o, 'client', path),
    input: readInput(object(field(o, 'input'), at(path, 'input')), at(path, 'input')),
    invokedAt: time(o, 'invokedAt', path),
    completedAt: time(o, 'completedAt', path),
    outcome: readOutcome(object(field(o, 'outcome'), at(path, 'outcome')), at(path, 'outcome')),
  };
}

/** Monotonic milliseconds: fractions allowed (performance.now()). */
function time(o: JsonObject, key: string, path: string): number {
  const t = field(o, key);
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) fail(`${at(path, key)} must be a time in ms from 0, got ${show(t)}`);
  return t;
}

function readInput(o: JsonObject, path: string): OpInput {
  const kind = oneOf(o, 'kind', ['read', 'write', 'cas'] as const, path);
  const key = string(o, 'key', path);
  if (kind === 'read') return { kind, key };
  if (kind === 'write') return { kind, key, value: string(o, 'value', path) };
  return { kind, key, expected: stringOrNull(o, 'expected', path), value: string(o, 'value', path) };
}

function readOutcome(o: JsonObject, path: string): OpOutcome {
  const type = oneOf(o, 'type', ['ok', 'fail', 'info'] as const, path);
  if (type === 'ok') return has(o, 'value') ? { type, value: stringOrNull(o, 'value', path) } : { type };
  if (type === 'info') return { type, reason: string(o, 'reason', path) };
  const mismatch = field(o, 'mismatch');
  if (mismatch === undefined) return { type, reason: string(o, 'reason', path) };
  if (!isObject(mismatch)) fail(`${at(path, 'mismatch')} must be an object { current }, got ${show(mismatch)}`);
  return { type, reason: string(o, 'reason', path), mismatch: { current: stringOrNull(mismatch, 'current', at(path, 'mismatch')) } };
}

function readFaultsFile(v: unknown): FaultRecord[] {
  const o = whole(v);
  return array(o, 'timeline').map((r, i) => {
    const path = at('timeline', i);
    const f = object(r, path, ['at', 'episode', 'kind', 'phase', 'action', 'ok', 'text']);
    const action = parseAction(field(f, 'action'));
    if (!action.ok) fail(`${at(path, 'action')}: ${action.problem}`);
    return {
      at: time(f, 'at', path),
      episode: uint(f, 'episode', path),
      kind: oneOf(f, 'kind', [...FAULT_KINDS, 'heal'] as const, path),
      phase: oneOf(f, 'phase', ['inject', 'undo', 'heal'] as const, path),
      action: action.value,
      ok: boolean(f, 'ok', path),
      text: string(f, 'text', path),
    };
  });
}

function readVerdictFile(v: unknown): NonNullable<SavedRun['recorded']> {
  const o = whole(v);
  return {
    result: oneOf(o, 'result', ['pass', 'violation', 'unknown'] as const),
    checks: array(o, 'checks').map((c, i) => {
      const path = at('checks', i);
      const x = object(c, path, ['name', 'ok', 'text']);
      const ok = field(x, 'ok');
      if (ok !== null && typeof ok !== 'boolean') fail(`${at(path, 'ok')} must be true, false or null, got ${show(ok)}`);
      return { name: string(x, 'name', path), ok, text: string(x, 'text', path) };
    }),
  };
}
