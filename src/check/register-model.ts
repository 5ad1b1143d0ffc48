// The model the linearizability checker holds a history against: one register per key. A read
// returns the current value (null while the key is absent), a write sets it, a cas sets it only if it
// holds the expected value. This module turns one key's operations into the compact arrays the search
// walks (values interned as small integers, 0 being null), and leaves out what cannot matter:
//
// - a 'fail' operation certainly had no effect, and an indeterminate ('info') read has none either;
// - an indeterminate write or cas whose value nobody ever reads or expects: whatever it did, no result
//   depends on it, so "it never happened" is always a valid choice for it;
// - an indeterminate write or cas whose value someone did read, when it is the only operation that
//   writes that value: it must have taken effect, before the first such read ended. It becomes an
//   ordinary operation that ends there (for a cas: one that swapped). This is what keeps
//   indeterminate operations cheap when a workload writes unique values, as Jepsen's do.
//
// What is left indeterminate may take effect at any time after its invocation or never: it has no end
// (Infinity), and the search may leave it out.
//
// And for speed: the values nobody reads or expects can all be one value to the search, as no
// operation can tell them apart. Many writes are overwritten before anyone reads them; merged, their
// orders stop looking like different states to the cache.

import type { Operation } from './history.js';

export const READ = 0;
export const WRITE = 1;
export const CAS = 2;

/** One key's operations, ready for the search; index i describes ops[i]. */
export interface KeyOps {
  key: string;
  /** The operations that take part, in invocation order (then id). */
  ops: Operation[];
  kind: Uint8Array;
  /** read: the value it returned; write: the value written; cas: the value expected. Interned. */
  a: Int32Array;
  /** cas: the value it writes. Interned. */
  b: Int32Array;
  /** 1: it took effect; 0: indeterminate, it may take effect at any time after `start`, or never. */
  required: Uint8Array;
  /** cas: 1 if, when it takes effect, it swapped (it succeeded, or a read saw its value); 0 if it may have found another value and done nothing. */
  swaps: Uint8Array;
  start: Float64Array;
  /** Infinity for indeterminate operations. */
  end: Float64Array;
  /** Interned number -> value; 0 is null (absent). */
  values: (string | null)[];
}

/**
 * The register's state after operation i from `state`, or -1 if the operation cannot have taken
 * effect there (a read that saw another value, a successful cas that expected another value).
 */
export function step(k: KeyOps, i: number, state: number): number {
  const a = k.a[i]!;
  const kind = k.kind[i]!;
  if (kind === READ) return state === a ? state : -1;
  if (kind === WRITE) return a;
  if (state === a) return k.b[i]!;
  return k.swaps[i] === 1 ? -1 : state;
}

/** The value a write or cas writes, or undefined for a read. */
export function written(op: Operation): string | undefined {
  return op.input.kind === 'read' ? undefined : op.input.value;
}

/** The value a read returned or a successful cas expected (null: absent), or undefined if none. */
export function observed(op: Operation): string | null | undefined {
  if (op.outcome.type !== 'ok') return undefined;
  if (op.input.kind === 'read') return op.outcome.value ?? null;
  if (op.input.kind === 'cas') return op.input.expected;
  return undefined;
}

/** What nobody reads or expects, when such values are merged (`values` has it at this number). */
const UNREAD = '(a value nobody reads)';

/**
 * Prepares one key's operations (all on `key`, any order) for the search. `mergeUnread`: give every
 * value that nobody reads or expects the same number (faster; the explanation of a failure wants
 * them apart).
 */
export function prepareKey(key: string, operations: readonly Operation[], options: { mergeUnread: boolean }): KeyOps {
  const kept = operations.filter((op) => op.outcome.type !== 'fail' && !(op.outcome.type === 'info' && op.input.kind === 'read'));

  // Who observes a value (with the earliest end among them), who mentions it at all, who writes it.
  const observers = new Map<string | null, Operation[]>();
  const mentioned = new Set<string | null>();
  const writers = new Map<string, number>();
  for (const op of kept) {
    const seen = observed(op);
    if (seen !== undefined) {
      mentioned.add(seen);
      const list = observers.get(seen);
      if (list === undefined) observers.set(seen, [op]);
      else list.push(op);
    }
    if (op.input.kind === 'cas') mentioned.add(op.input.expected);
    const value = written(op);
    if (value !== undefined) writers.set(value, (writers.get(value) ?? 0) + 1);
  }

  const ops: Operation[] = [];
  const ends: number[] = [];
  const required: boolean[] = [];
  for (const op of kept) {
    if (op.outcome.type === 'ok') {
      ops.push(op);
      ends.push(op.completedAt);
      required.push(true);
      continue;
    }
    const value = written(op)!;
    if (!mentioned.has(value)) continue;
    // The observers it could explain are those that did not end before it started.
    const explained = writers.get(value) === 1 ? (observers.get(value) ?? []).filter((o) => o.completedAt >= op.invokedAt) : [];
    ops.push(op);
    if (explained.length > 0) {
      ends.push(Math.min(...explained.map((o) => o.completedAt)));
      required.push(true);
    } else {
      ends.push(Infinity);
      required.push(false);
    }
  }

  const order = ops.map((_, i) => i).sort((x, y) => ops[x]!.invokedAt - ops[y]!.invokedAt || ops[x]!.id - ops[y]!.id);
  const n = ops.length;
  const k: KeyOps = {
    key,
    ops: order.map((i) => ops[i]!),
    kind: new Uint8Array(n),
    a: new Int32Array(n),
    b: new Int32Array(n),
    required: new Uint8Array(n),
    swaps: new Uint8Array(n),
    start: new Float64Array(n),
    end: new Float64Array(n),
    values: [null],
  };
  const ids = new Map<string | null, number>([[null, 0]]);
  let unread = -1;
  const intern = (v: string | null): number => {
    if (options.mergeUnread && !mentioned.has(v)) {
      if (unread < 0) {
        unread = k.values.length;
        k.values.push(UNREAD);
      }
      return unread;
    }
    let id = ids.get(v);
    if (id === undefined) {
      id = k.values.length;
      ids.set(v, id);
      k.values.push(v);
    }
    return id;
  };
  order.forEach((from, i) => {
    const op = ops[from]!;
    k.start[i] = op.invokedAt;
    k.end[i] = ends[from]!;
    k.required[i] = required[from]! ? 1 : 0;
    const input = op.input;
    if (input.kind === 'read') {
      k.kind[i] = READ;
      k.a[i] = intern(observed(op)!);
    } else if (input.kind === 'write') {
      k.kind[i] = WRITE;
      k.a[i] = intern(input.value);
    } else {
      k.kind[i] = CAS;
      k.a[i] = intern(input.expected);
      k.b[i] = intern(input.value);
      k.swaps[i] = k.required[i]!;
    }
  });
  return k;
}
