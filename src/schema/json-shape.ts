// Readers for JSON from outside: frames on a node's port (hello.ts and message-schema.ts of the
// transport, client requests), control messages, lines from child processes, data found in the log
// or in a snapshot (src/kv), and the files the project keeps (src/storage/json-file.ts). Each reader
// checks one field and throws a ShapeError that names it, so a validator reads like the type it
// checks and `validate` turns the first problem into a result. A field is named by where its
// container is (`path`, '' at the top) and its key: a field name, or an index in an array
// ("sessions[2].seq"). Presence is tested with Object.hasOwn: a key inherited from
// Object.prototype ("constructor", "__proto__") is never taken for a field. Problem texts are built
// from the input alone, never from the engine's own messages (JSON.parse's wording differs between
// Node versions), so every replica words its refusal of the same log entry alike.
import { parseUntrustedJson } from './untrusted-json.js';

export type Validation<T> = { ok: true; value: T } | { ok: false; problem: string };

export type JsonObject = Record<string, unknown>;

/** What holds a field: an object (keyed by name) or an array (keyed by index). */
type Container = JsonObject | unknown[];

class ShapeError extends Error {}

/** Runs a validator written with the readers below. */
export function validate<T>(read: () => T): Validation<T> {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    if (err instanceof ShapeError) return { ok: false, problem: err.message };
    throw err;
  }
}

/** Fails the validation in progress. */
export function fail(problem: string): never {
  throw new ShapeError(problem);
}

/**
 * A short rendering of a bad value for a problem text: enough to recognise it, never a flood, and
 * never a throw. Values from outside are depth-checked when parsed (untrusted-json.ts), but a
 * validator must not crash whatever it is handed: JSON.stringify recurses, and a value nested a few
 * thousand levels deep exhausts the stack.
 */
export function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : JSON.stringify(value);
  } catch {
    return Array.isArray(value) ? 'an array too deep to show' : 'an object too deep to show';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The name of field `key` of the container at `path`: "progress.3", "data[0]". */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** `text` parsed with the depth limit every value from outside gets (MAX_JSON_DEPTH); fails the validation otherwise. */
export function parseJson(text: string, what: string): unknown {
  const parsed = parseUntrustedJson(text, what);
  return parsed.ok ? parsed.value : fail(parsed.problem);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object; with `allowed`, one that has no fields besides those. */
export function object(value: unknown, path: string, allowed?: readonly string[]): JsonObject {
  if (!isObject(value)) fail(`${path === '' ? 'the frame' : path} must be a JSON object, got ${show(value)}`);
  if (allowed !== undefined)
    for (const key of Object.keys(value))
      if (!allowed.includes(key)) fail(`${at(path, JSON.stringify(key).slice(1, -1))} is not a field of this frame`);
  return value;
}

/**
 * Refuses fields of `o` besides `allowed`, for data whose fields depend on one read first (a kv
 * command's op): a field this build does not know could change the meaning.
 */
export function onlyFields(o: JsonObject, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) fail(`${path} has an unknown field ${show(key)}`);
}

/** The field's value, or undefined when `o` has no such field of its own. */
export function field(o: Container, key: string | number): unknown {
  if (!Object.hasOwn(o, key)) return undefined;
  return Array.isArray(o) ? o[Number(key)] : o[key];
}

export function has(o: JsonObject, key: string): boolean {
  return Object.hasOwn(o, key);
}

/** A non-negative safe integer: terms, indexes, counts. */
export function uint(o: Container, key: string | number, path = ''): number {
  const v = field(o, key);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${at(path, key)} must be a non-negative integer, got ${show(v)}`);
  return v;
}

/** A non-negative integer of at most `max` (terms and indexes: MAX_TERM_OR_INDEX of src/raft/types.ts). */
export function uintAtMost(o: Container, key: string | number, max: number, path = ''): number {
  const v = field(o, key);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
    fail(`${at(path, key)} must be an integer from 0 to ${max}, got ${show(v)}`);
  return v;
}

/** A safe integer of at least `min`: sequence numbers, indexes, counts (the kv state machine's wording). */
export function intAtLeast(o: Container, key: string | number, min: number, path = ''): number {
  const v = field(o, key);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    fail(`${at(path, key)} must be an integer of at least ${min}, got ${show(v)}`);
  return v;
}

/** A node id: a positive safe integer (0 means "nobody" and never names a sender or receiver). */
export function isNodeId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

export function nodeId(o: Container, key: string | number, path = ''): number {
  const v = field(o, key);
  if (!isNodeId(v)) fail(`${at(path, key)} must be a node id (an integer from 1), got ${show(v)}`);
  return v;
}

export function string(o: Container, key: string | number, path = ''): string {
  const v = field(o, key);
  if (typeof v !== 'string') fail(`${at(path, key)} must be a string, got ${show(v)}`);
  return v;
}

export function stringOrNull(o: Container, key: string | number, path = ''): string | null {
  const v = field(o, key);
  if (v !== null && typeof v !== 'string') fail(`${at(path, key)} must be a string or null, got ${show(v)}`);
  return v;
}

export function boolean(o: Container, key: string | number, path = ''): boolean {
  const v = field(o, key);
  if (typeof v !== 'boolean') fail(`${at(path, key)} must be true or false, got ${show(v)}`);
  return v;
}

export function oneOf<T extends string>(o: Container, key: string | number, values: readonly T[], path = ''): T {
  const v = field(o, key);
  if (!values.includes(v as T)) fail(`${at(path, key)} must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${show(v)}`);
  return v as T;
}

export function array(o: Container, key: string | number, path = ''): unknown[] {
  const v = field(o, key);
  if (!Array.isArray(v)) fail(`${at(path, key)} must be an array, got ${show(v)}`);
  return v;
}
