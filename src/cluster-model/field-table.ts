// Reading data whose fields depend on a code or a type read first (a core event's kind, an action's
// outcome) from a table: one reader per field, per code. A table typed over the union makes every
// code and every field of it listed, so a new one does not compile until it is read.
import { array, boolean, fail, isObject, show, nodeId, oneOf, string, uint, validate, type JsonObject } from '../schema/json-shape.js';

/** Reads field `key` of `o`, or fails the validation naming it. */
export type FieldReader = (o: JsonObject, key: string) => unknown;

/** For each member of `U` (discriminated by `D`), a reader for each of its fields. */
export type FieldTable<U extends Record<D, string>, D extends string> = {
  [C in U[D]]: Record<Exclude<keyof Extract<U, Record<D, C>>, D>, FieldReader>;
};

export const count: FieldReader = (o, key) => uint(o, key);
/** Any safe integer: an exit code. */
export const integer: FieldReader = (o, key) => {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(`${key} must be an integer, got ${show(v)}`);
  return v;
};
export const node: FieldReader = (o, key) => nodeId(o, key);
/** A node id, or 0 for none (no leader known). */
export const nodeOrNone: FieldReader = (o, key) => (o[key] === 0 ? 0 : nodeId(o, key));
export const flag: FieldReader = (o, key) => boolean(o, key);
export const text: FieldReader = (o, key) => string(o, key);
export const nodes: FieldReader = (o, key) => array(o, key).map((_, i, list) => nodeId(list, i, key));
export const counts: FieldReader = (o, key) => array(o, key).map((_, i, list) => uint(list, i, key));
export const among =
  (values: readonly string[]): FieldReader =>
  (o, key) =>
    oneOf(o, key, values);
/** Absent (undefined) or as `read` reads it. */
export const optional =
  (read: FieldReader): FieldReader =>
  (o, key) =>
    o[key] === undefined ? undefined : read(o, key);
export const orNull =
  (read: FieldReader): FieldReader =>
  (o, key) =>
    o[key] === null ? null : read(o, key);
/** An object read by a table of its own fields. */
export const record =
  (fields: Record<string, FieldReader>): FieldReader =>
  (o, key) => {
    const inner = o[key];
    if (!isObject(inner)) fail(`${key} must be a JSON object, got ${show(inner)}`);
    return readFields(inner, fields);
  };
/** An array, each item read by `read`. */
export const list =
  (read: FieldReader): FieldReader =>
  (o, key) =>
    array(o, key).map((item, i) => read({ [`${key}[${i}]`]: item }, `${key}[${i}]`));

function readFields(o: JsonObject, fields: Record<string, FieldReader>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, read] of Object.entries(fields)) {
    const value = read(o, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * `o` read by the row of `table` for `code` (with `code` under `key`), or null when it is not one or
 * a field is not right. The caller names the type the table was written for (FieldTable).
 */
export function readRow(o: JsonObject, key: string, code: string, table: Record<string, Record<string, FieldReader>>): JsonObject | null {
  if (!Object.hasOwn(table, code)) return null;
  const read = validate(() => ({ [key]: code, ...readFields(o, table[code]!) }));
  return read.ok ? read.value : null;
}
