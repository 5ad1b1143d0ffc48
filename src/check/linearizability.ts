// The linearizability checker of `raft-console check`: is there one order of the history's
// operations, each taking effect at a single instant between its invocation and its completion,
// in which a plain register per key gives every result the clients saw? (Herlihy & Wing, 1990.)
//
// How:
// - Keys are independent registers, so the history is split by key and each key checked on its own
//   (linearizability is compositional, Herlihy & Wing's locality; Porcupine calls it
//   P-compositionality).
// - Each key is searched with the algorithm of Wing & Gong ("Testing and verifying concurrent
//   objects", JPDC 1993): repeatedly pick an operation that may take effect next (one invoked before
//   the earliest pending completion), apply it to the model, backtrack when some operation's
//   completion is reached before it could take effect. Lowe ("Testing for linearizability", CCPE
//   2017) added the cache that makes it practical: a (set of operations already placed, register
//   value) pair reached twice leads to the same dead ends, so the second visit is cut short.
//   Porcupine (Athalye, github.com/anishathalye/porcupine) and Knossos (Kingsbury, Jepsen) do the
//   same; `search.ts` follows Porcupine's linked-list form, with two shortcuts of its own that
//   keep it near one cache entry per operation on Jepsen-like histories: reads that fit are placed
//   at once, and a placement that leaves some read unable ever to see its value is not tried.
// - Operations that failed are dropped; indeterminate ones (Jepsen's :info) may take effect at any
//   time after their invocation, or never (`register-model.ts`).
// - A time budget for the whole history (10 s by default) turns the answer into 'unknown' rather
//   than letting an exponential case run for ever (the problem is NP-complete: Gibbons & Korach,
//   1997). Histories whose writes write unique values, as the workload's do, stay far from that.
// - For a key that is not linearizable, `window.ts` finds a small window of operations that fails on
//   its own and explains it.
import type { History, Operation } from './history.js';
import { prepareKey } from './register-model.js';
import { search } from './search.js';
import { explainFailure, type Failure } from './window.js';

export type CheckResult = 'linearizable' | 'not-linearizable' | 'unknown';

export interface KeyVerdict {
  key: string;
  /** 'unknown': the time budget ran out before or during this key, or its search grew past MAX_STATES (search.ts). */
  result: CheckResult;
  /** Operations that took part (failed operations and indeterminate reads have no effect and are left out). */
  operations: number;
  /** Distinct (placed operations, register value) states the search visited. */
  explored: number;
  failure?: Failure;
}

export interface Verdict {
  /** not-linearizable if any key is; otherwise unknown if any key is; otherwise linearizable. */
  result: CheckResult;
  /** In key order. */
  keys: KeyVerdict[];
  /** Operations in the history. */
  operations: number;
  budgetMs: number;
  elapsedMs: number;
}

export interface CheckOptions {
  /** For the whole history. Default 10,000. */
  budgetMs?: number;
  /** Milliseconds; default performance.now. */
  now?: () => number;
}

export const DEFAULT_BUDGET_MS = 10_000;

/** Checks a history of register operations for linearizability. Throws on a malformed history. */
export function checkHistory(history: History, options: CheckOptions = {}): Verdict {
  const now = options.now ?? (() => performance.now());
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const started = now();
  const deadline = started + budgetMs;
  validate(history.operations);

  const byKey = new Map<string, Operation[]>();
  for (const op of history.operations) {
    const list = byKey.get(op.input.key);
    if (list === undefined) byKey.set(op.input.key, [op]);
    else list.push(op);
  }
  const keys: KeyVerdict[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const all = byKey.get(key)!;
    const k = prepareKey(key, all, { mergeUnread: true });
    if (now() > deadline) {
      keys.push({ key, result: 'unknown', operations: k.ops.length, explored: 0 });
      continue;
    }
    const r = search(k, { deadline, now, prune: true });
    const verdict: KeyVerdict = { key, result: r.result, operations: k.ops.length, explored: r.explored };
    if (r.result === 'not-linearizable') verdict.failure = explainFailure(k, all, r.stuck, deadline, now);
    keys.push(verdict);
  }

  const results = new Set(keys.map((k) => k.result));
  const result: CheckResult = results.has('not-linearizable') ? 'not-linearizable' : results.has('unknown') ? 'unknown' : 'linearizable';
  return { result, keys, operations: history.operations.length, budgetMs, elapsedMs: now() - started };
}

/** Rejects what the checker cannot make sense of, naming the operation. */
function validate(operations: readonly Operation[]): void {
  const ids = new Set<number>();
  for (const op of operations) {
    const where = `operation ${op.id}`;
    if (ids.has(op.id)) throw new Error(`${where}: the id is used twice in the history`);
    ids.add(op.id);
    if (!Number.isFinite(op.invokedAt) || !Number.isFinite(op.completedAt)) throw new Error(`${where}: its times must be finite numbers`);
    if (op.completedAt < op.invokedAt) {
      throw new Error(`${where}: it completes (at ${op.completedAt} ms) before it is invoked (at ${op.invokedAt} ms)`);
    }
    if (op.input.kind === 'read' && op.outcome.type === 'ok' && op.outcome.value === undefined) {
      throw new Error(`${where}: a read that succeeded must carry the value it saw (null if the key was absent)`);
    }
  }
}
