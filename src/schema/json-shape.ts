// Readers for untrusted JSON: frames from the network (hello.ts and message-schema.ts of the
// transport, client requests, control messages) and data found in the log or in a snapshot (src/kv).
// Each reader checks one field and throws a ShapeError that names the field, so a validator reads
// like the type it checks and `validate` turns the first problem into a result. Presence is tested
// with Object.hasOwn: a key inherited from Object.prototype ("constructor", "toString") is never
// taken for a field.

export type Validation<T> = { ok: true; value: T } | { ok: false; problem: string };

export type JsonObject = Record<string, unknown>;

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

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object that has no fields besides `allowed`. */
export function object(value: unknown, path: string, allowed: readonly string[]): JsonObject {
  if (!isObject(value)) fail(`${path === '' ? 'the frame' : path} must be a JSON object, got ${show(value)}`);
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) fail(`${join(path, JSON.stringify(key).slice(1, -1))} is not a field of this frame`);
  return value;
}

function field(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

export function has(o: JsonObject, key: string): boolean {
  return Object.hasOwn(o, key);
}

/** A non-negative safe integer: terms, indexes, counts. */
export function uint(o: JsonObject, key: string, path = ''): number {
  const v = field(o, key);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail(`${join(path, key)} must be a non-negative integer, got ${show(v)}`);
  return v;
}

/** A non-negative integer of at most `max` (terms and indexes: MAX_TERM_OR_INDEX of src/raft/types.ts). */
export function uintAtMost(o: JsonObject, key: string, max: number, path = ''): number {
  const v = field(o, key);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
    fail(`${join(path, key)} must be an integer from 0 to ${max}, got ${show(v)}`);
  return v;
}

/** A node id: a positive safe integer (0 means "nobody" and never names a sender or receiver). */
export function isNodeId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

export function nodeId(o: JsonObject, key: string, path = ''): number {
  const v = field(o, key);
  if (!isNodeId(v)) fail(`${join(path, key)} must be a node id (an integer from 1), got ${show(v)}`);
  return v;
}

export function string(o: JsonObject, key: string, path = ''): string {
  const v = field(o, key);
  if (typeof v !== 'string') fail(`${join(path, key)} must be a string, got ${show(v)}`);
  return v;
}

export function boolean(o: JsonObject, key: string, path = ''): boolean {
  const v = field(o, key);
  if (typeof v !== 'boolean') fail(`${join(path, key)} must be true or false, got ${show(v)}`);
  return v;
}

export function oneOf<T extends string>(o: JsonObject, key: string, values: readonly T[], path = ''): T {
  const v = field(o, key);
  if (!values.includes(v as T)) fail(`${join(path, key)} must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${show(v)}`);
  return v as T;
}

export function array(o: JsonObject, key: string, path = ''): unknown[] {
  const v = field(o, key);
  if (!Array.isArray(v)) fail(`${join(path, key)} must be an array, got ${show(v)}`);
  return v;
}
