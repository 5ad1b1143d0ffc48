// The JSON files the project keeps: a node's identity.json and recovery.json, a cluster folder's
// cluster.json, control.json and acknowledged.json, an exercise's exercise.json, the user's settings.
// Each is written whole or not at all and readable by its user only, and read back through a
// validator of src/schema/json-shape.ts, so a file that was damaged or edited by hand gives one line
// naming it and the fix, never a crash further on.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseJson, validate } from '../schema/json-shape.js';
import { DurableDir } from './durable-dir.js';

/**
 * Replaces `path` with `value` as JSON: after a crash the file holds the old content or the new,
 * never a mix (DurableDir.writeAtomically: a temporary file, synced, renamed over it, the folder
 * synced). `fsync: false` (a node's --unsafe-no-fsync) keeps the order and skips the syncs.
 */
export function writeJsonAtomic(path: string, value: unknown, o: { fsync?: boolean } = {}): Promise<void> {
  return new DurableDir(dirname(path), o.fsync ?? true).writeAtomically(basename(path), Buffer.from(`${JSON.stringify(value, null, 2)}\n`));
}

/** Why a file that is there cannot be used: `problem` says what is wrong with it, for people. */
export interface JsonFileDamage {
  code: 'not-json' | 'invalid';
  problem: string;
}

/**
 * The file at `path` as `read` (a validator written with src/schema/json-shape.ts) takes it, or
 * null when there is no such file. A file that is not JSON, or not of that shape, is handed to
 * `damaged`, which gives the error to throw (naming the file and the fix), or null for a file its
 * reader can do without (then it counts as missing). Any other failure to read (EACCES, EISDIR) is
 * thrown as it is. Synchronous: the files are small, and some are read where nothing can wait (a
 * constructor, an option parser).
 */
export function readJsonOrNull<T>(path: string, read: (value: unknown) => T, damaged: (d: JsonFileDamage) => Error | null): T | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = validate(() => parseJson(text, basename(path)));
  const got = parsed.ok ? validate(() => read(parsed.value)) : parsed;
  if (got.ok) return got.value;
  const err = damaged({ code: parsed.ok ? 'invalid' : 'not-json', problem: got.problem });
  if (err === null) return null;
  throw err;
}
