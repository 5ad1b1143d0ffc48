// Readers for untrusted JSON: a command found in the log, a snapshot string handed to restore().
// Each reader checks one value and throws a ShapeError naming where it is, so a decoder reads like
// the type it checks and its first problem becomes the one-line cause the caller reports.
// Fields are looked up with Object.hasOwn, so "constructor" or "__proto__" is never taken from
// Object.prototype. Problem texts are built only from the input, never from the engine's own error
// messages (JSON.parse's wording differs between Node versions), so every replica words them alike.

import { fail, show, type JsonObject } from '../schema/json-shape.js';
import { parseUntrustedJson } from '../schema/untrusted-json.js';

// The validation core (validate, fail, show) is shared with the transport's readers; these take a
// value and a path rather than an object and a key, which suits nested log data.
export { fail, show, validate, type JsonObject, type Validation } from '../schema/json-shape.js';

/** `text` parsed with the depth limit every untrusted value gets (MAX_JSON_DEPTH); fails the validation otherwise. */
export function parseJson(text: string, what: string): unknown {
  const parsed = parseUntrustedJson(text, what);
  return parsed.ok ? parsed.value : fail(parsed.problem);
}

export function object(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`${path} must be a JSON object, got ${show(value)}`);
  return value as JsonObject;
}

/** Refuses fields besides `allowed`: a field this build does not know could change the meaning. */
export function onlyFields(o: JsonObject, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) fail(`${path} has an unknown field ${show(key)}`);
}

export function field(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(`${path} must be a string, got ${show(value)}`);
  return value;
}

export function stringOrNull(value: unknown, path: string): string | null {
  if (value !== null && typeof value !== 'string') fail(`${path} must be a string or null, got ${show(value)}`);
  return value;
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(`${path} must be true or false, got ${show(value)}`);
  return value;
}

/** A safe integer of at least `min`: sequence numbers, indexes, counts. */
export function integer(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    fail(`${path} must be an integer of at least ${min}, got ${show(value)}`);
  return value;
}

export function oneOf<T extends string>(value: unknown, path: string, values: readonly T[]): T {
  if (!values.includes(value as T)) fail(`${path} must be one of ${values.map((v) => `"${v}"`).join(', ')}, got ${show(value)}`);
  return value as T;
}

export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(`${path} must be an array, got ${show(value)}`);
  return value;
}
