// When a key is not linearizable: a small window of its operations that already fails on its own,
// and a timeline of it a learner can follow.
//
// The search reports the operation whose end it got furthest to without being able to place it
// (X). Everything that started before X ended (the prefix) is, on its own, not linearizable: a
// linearization of it would carry the search past X. The window starts much smaller: X, what
// overlaps X in time, the last changes to the key that completed before X started, and for every
// value a chosen read saw, the latest write of that value. If that subset, checked on its own, fails
// at X too, it is the window; if not, the prefix's other operations are added, most recently ended
// first, in doubling steps, until it does (at worst the whole prefix, which fails, if not always at
// X: then the operation it fails at is the one shown). Then operations the window fails without are
// dropped, in runs, then one by one. Last, as the search's pruning can blame an operation later than
// the first one that cannot be placed, an unpruned search of the (small) window settles the exact
// one, and what the register could hold while it ran. Shrinking and the unpruned searches stop at
// the checker's deadline; the window is then larger and the explanation shorter, but still true.
import type { Operation } from './history.js';
import { CAS, prepareKey, READ, WRITE, written, type KeyOps } from './register-model.js';
import { search, type Watch } from './search.js';

export interface Failure {
  /** The operation that cannot be placed. */
  op: Operation;
  /** Operations that on their own are already not linearizable, in invocation order, `op` among them. */
  window: Operation[];
  /** The window as a timeline, one line per operation, then why `op` cannot be placed. */
  text: string;
}

/**
 * Explains why `k` (prepared from `all`, every operation on the key) is not linearizable, given the
 * operation its search could not place.
 */
export function explainFailure(k: KeyOps, all: readonly Operation[], stuckAt: number, deadline: number, now: () => number): Failure {
  // Past the checker's deadline the window is no longer shrunk, nor its blame made exact.
  const stuckIn = (chosen: Set<number>): Operation | undefined => {
    const w = checkWindow(k, chosen, now() <= deadline);
    return w?.sub.ops[w.stuck];
  };
  let target = k.ops[stuckAt]!;
  const chosen = firstGuess(k, stuckAt);
  const rest: number[] = [];
  for (let i = 0; i < k.ops.length && k.start[i]! <= k.end[stuckAt]!; i++) if (!chosen.has(i)) rest.push(i);
  rest.sort((p, q) => k.end[q]! - k.end[p]!);
  for (let grow = 4; ; grow *= 2) {
    const at = stuckIn(chosen);
    if (at === target) break;
    if (rest.length === 0) {
      if (at === undefined)
        throw new Error(`checker bug: the operations before #${target.id} on key ${k.key} are linearizable on their own`);
      // Blame can land elsewhere in a part of the history than in the whole (search.ts, pruning).
      target = at;
      break;
    }
    for (const i of rest.splice(0, grow)) chosen.add(i);
  }
  shrink(k, chosen, k.ops.indexOf(target), (c) => now() <= deadline && stuckIn(c) === target);
  const w = checkWindow(k, chosen, now() <= deadline)!;
  // What the register could hold while the blamed operation ran: an unpruned search, with the values
  // nobody reads kept apart to name them; left out if it would take long.
  const sub = subset(k, chosen, { mergeUnread: false });
  let watch: Watch | undefined = { op: w.stuck, refused: [], placed: false, blocked: [] };
  const seen =
    now() <= deadline && chosen.size <= EXACT_LIMIT
      ? search(sub, { deadline: Infinity, now: () => 0, prune: false, maxStates: EXACT_STATES, watch })
      : undefined;
  if (seen?.result !== 'not-linearizable') watch = undefined;
  return { op: sub.ops[w.stuck]!, window: sub.ops, text: timeline(sub, w.stuck, watch, all) };
}

/** Cache entries an unpruned search of a window may fill before the pruned search's blame is taken instead. */
const EXACT_STATES = 200_000;

/**
 * These operations, checked on their own: undefined if they are linearizable, else the operation
 * to blame; if `exact`, with an unpruned search when they are few enough.
 */
function checkWindow(k: KeyOps, chosen: Set<number>, exact: boolean): { stuck: number; sub: KeyOps } | undefined {
  const sub = subset(k, chosen, { mergeUnread: true });
  const pruned = search(sub, { deadline: Infinity, now: () => 0, prune: true });
  if (pruned.result !== 'not-linearizable') return undefined;
  if (exact && chosen.size <= EXACT_LIMIT) {
    const exact = search(sub, { deadline: Infinity, now: () => 0, prune: false, maxStates: EXACT_STATES });
    if (exact.result === 'not-linearizable') return { sub, stuck: exact.stuck };
  }
  return { sub, stuck: pruned.stuck };
}

function subset(k: KeyOps, chosen: Set<number>, options: { mergeUnread: boolean }): KeyOps {
  return prepareKey(
    k.key,
    [...chosen].sort((p, q) => p - q).map((i) => k.ops[i]!),
    options,
  );
}

/** Windows up to this size are shrunk. */
const SHRINK_LIMIT = 400;

/** Windows up to this size have their blame made exact by an unpruned search. */
const EXACT_LIMIT = 100;

/**
 * Drops from the window the operations without which it still fails at x: first in large runs, then
 * in smaller ones, down to one at a time (a simple delta debugging). Never drops x, a write of the
 * value x saw, or the last write in the window of a value another operation in it saw.
 */
function shrink(k: KeyOps, chosen: Set<number>, x: number, failsAtX: (chosen: Set<number>) => boolean): void {
  if (chosen.size > SHRINK_LIMIT) return;
  const removable = [...chosen].filter((i) => i !== x && !(isSetter(k, i) && writes(k, i) === k.a[x]!)).sort((p, q) => p - q);
  for (let size = 2 ** Math.floor(Math.log2(Math.max(1, removable.length / 2))); size >= 1; size /= 2) {
    for (let from = 0; from < removable.length; from += size) {
      const run = removable.slice(from, from + size).filter((i) => chosen.has(i));
      if (run.length === 0) continue;
      for (const i of run) chosen.delete(i);
      if (!keepsSources(k, chosen, run) || !failsAtX(chosen)) for (const i of run) chosen.add(i);
    }
  }
}

/** Whether every value an operation left in the window needs, and that a dropped operation wrote, is still written by one left. */
function keepsSources(k: KeyOps, chosen: Set<number>, dropped: number[]): boolean {
  const lost = new Set(dropped.filter((i) => isSetter(k, i)).map((i) => writes(k, i)));
  for (const j of chosen) {
    const v = needs(k, j);
    if (lost.has(v) && ![...chosen].some((i) => isSetter(k, i) && writes(k, i) === v)) return false;
  }
  return true;
}

function isSetter(k: KeyOps, i: number): boolean {
  return k.kind[i] !== READ;
}

function writes(k: KeyOps, i: number): number {
  return k.kind[i] === WRITE ? k.a[i]! : k.b[i]!;
}

/** The value operation i needs the register to hold (interned), or -1 if none. */
function needs(k: KeyOps, i: number): number {
  if (k.kind[i] === READ || (k.kind[i] === CAS && k.swaps[i] === 1)) return k.a[i]!;
  return -1;
}

function firstGuess(k: KeyOps, x: number): Set<number> {
  const xs = k.start[x]!;
  const xe = k.end[x]!;
  let prefix = 0;
  while (prefix < k.ops.length && k.start[prefix]! <= xe) prefix++;
  const chosen = new Set<number>([x]);
  // What overlaps X (indeterminate operations started before X ended included).
  for (let i = 0; i < prefix; i++) if (k.end[i]! >= xs) chosen.add(i);
  // The last changes that completed before X started: those that no other such change follows.
  let latestStart = -Infinity;
  for (let i = 0; i < prefix; i++) if (isSetter(k, i) && k.end[i]! < xs) latestStart = Math.max(latestStart, k.start[i]!);
  for (let i = 0; i < prefix; i++) if (isSetter(k, i) && k.end[i]! < xs && k.end[i]! >= latestStart) chosen.add(i);
  // Where the values seen came from: the latest write of each that started before the reader ended.
  for (let changed = true; changed;) {
    changed = false;
    for (const i of [...chosen]) {
      const v = needs(k, i);
      if (v <= 0 || [...chosen].some((j) => isSetter(k, j) && writes(k, j) === v)) continue;
      let source = -1;
      for (let j = 0; j < prefix && k.start[j]! <= k.end[i]!; j++) if (isSetter(k, j) && writes(k, j) === v) source = j;
      if (source >= 0) {
        chosen.add(source);
        changed = true;
      }
    }
  }
  return chosen;
}

// --- The text -------------------------------------------------------------------------------------

function quote(v: string | null): string {
  if (v === null) return 'null';
  return /^[\w.:@/+-]*$/.test(v) ? `'${v}'` : JSON.stringify(v);
}

/** "'a'", "'a' or 'b'", "'a', 'b' or 'c'"; past six, the rest counted. */
function oneOf(items: string[]): string {
  const shown = items.length > 6 ? [...items.slice(0, 6), `${items.length - 6} other values`] : items;
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]!}`;
}

function ms(t: number): string {
  return String(Math.round(t * 10) / 10);
}

function describeOp(op: Operation): string {
  const input = op.input;
  if (input.kind === 'read') {
    return op.outcome.type === 'ok' ? `read ${input.key} -> ${quote(op.outcome.value ?? null)}` : `read ${input.key}`;
  }
  if (input.kind === 'write') return `write ${input.key} ${quote(input.value)}`;
  return `cas ${input.key} ${quote(input.expected)} -> ${quote(input.value)}`;
}

function span(op: Operation, t0: number): string {
  return op.outcome.type === 'info' ? `${ms(op.invokedAt - t0)}..?` : `${ms(op.invokedAt - t0)}..${ms(op.completedAt - t0)}`;
}

function timeline(k: KeyOps, x: number, watch: Watch | undefined, all: readonly Operation[]): string {
  const t0 = k.ops[0]!.invokedAt;
  const rows = k.ops.map((op, i) => {
    let note = '';
    if (op.outcome.type === 'info') note = `indeterminate: gave up at ${ms(op.completedAt - t0)}`;
    else if (op.input.kind === 'cas') note = 'swapped';
    if (i === x) note = note === '' ? '<- cannot be placed' : `${note}  <- cannot be placed`;
    return [`client ${op.client}`, describeOp(op), span(op, t0), note];
  });
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = [`Operations on key ${quote(k.key)}, times in ms from the first one's start:`];
  for (const r of rows) {
    lines.push(`  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}  ${r[3]!}`.trimEnd());
  }
  lines.push(
    'Each operation takes effect at one instant between its start and its end (an indeterminate one at',
    'any instant after its start, or not at all); no such order of these operations explains every result:',
    why(k, x, watch, all, t0),
  );
  return lines.join('\n');
}

/** One sentence: why operation x of `k` cannot be placed; `watch`, if known, is what the search saw of it. */
function why(k: KeyOps, x: number, watch: Watch | undefined, all: readonly Operation[], t0: number): string {
  const op = k.ops[x]!;
  const key = op.input.key;
  const noun = op.input.kind === 'read' ? 'the read' : 'the cas';
  const input = op.input;
  const subject =
    input.kind === 'cas'
      ? `The cas of ${key} by client ${op.client} from ${quote(input.expected)} to ${quote(input.value)} succeeded`
      : `The read of ${key} by client ${op.client} returned ${quote(op.outcome.type === 'ok' ? (op.outcome.value ?? null) : null)}`;
  // null (absent) is one of the values: `?? null` keeps it in the type, where `!` would drop it.
  const value = k.values[k.a[x]!] ?? null;
  const head =
    watch === undefined || watch.refused.length === 0
      ? `${subject}, but no order of these operations allows it`
      : `${subject}, but ${key} could only hold ${oneOf(watch.refused.map((s) => quote(k.values[s]!)))} while ${noun} ran`;
  if (watch?.placed === true) {
    // It can take effect, but only in orders that leave another operation unable to.
    const others = oneOf(watch.blocked.map((i) => `client ${k.ops[i]!.client}'s ${describeOp(k.ops[i]!)}`));
    if (watch.refused.length === 0) return `${subject}; in every order where it takes effect, ${others} cannot.`;
    return `${head}; and in the orders where it does take effect, ${others} cannot.`;
  }

  const sources = all.filter((o) => o.outcome.type !== 'fail' && written(o) === value);
  if (value !== null && sources.length === 0) {
    // Values are unique to their writer, so an operation answered `fail` that would have written
    // this one is the writer after all: the cluster applied it somewhere (a diverged replica, under
    // a known bug) while telling its client that it had not.
    const refused = all.filter((o) => o.outcome.type === 'fail' && written(o) === value);
    if (refused.length === 0) return `${head}: no operation ever wrote ${quote(value)} to ${key}.`;
    const named = refused
      .map((o) => {
        const why =
          o.outcome.type === 'fail' && o.outcome.mismatch !== undefined
            ? `${key} held ${quote(o.outcome.mismatch.current)}`
            : o.outcome.type === 'fail'
              ? o.outcome.reason
              : '';
        return `client ${o.client}: ${describeOp(o)}, answered fail (${why}) at ${span(o, t0)} ms`;
      })
      .join('; ');
    return `${head}: only an operation answered as failed would have written ${quote(value)} to ${key} (${named}), so the cluster applied a write it said it had not.`;
  }
  if (value !== null && sources.every((o) => o.invokedAt > op.completedAt)) {
    const first = sources.reduce((p, q) => (q.invokedAt < p.invokedAt ? q : p));
    return (
      `${head}: ${quote(value)} was only written later (client ${first.client}: ${describeOp(first)} started at ` +
      `${ms(first.invokedAt - t0)} ms, after ${noun} ended at ${ms(op.completedAt - t0)} ms).`
    );
  }
  const xs = k.start[x]!;
  let latestStart = -Infinity;
  for (let i = 0; i < k.ops.length; i++) if (isSetter(k, i) && k.end[i]! < xs) latestStart = Math.max(latestStart, k.start[i]!);
  const last: number[] = [];
  for (let i = 0; i < k.ops.length; i++) if (isSetter(k, i) && k.end[i]! < xs && k.end[i]! >= latestStart) last.push(i);
  if (last.length > 0 && last.every((i) => writes(k, i) !== k.a[x]!)) {
    // An indeterminate change here is one a read saw: it was done by the time that read ended.
    const named = last
      .map((i) => {
        const o = k.ops[i]!;
        const when = o.outcome.type === 'info' ? `indeterminate, seen done by ${ms(k.end[i]! - t0)} ms` : `${span(o, t0)} ms`;
        return `client ${o.client}: ${describeOp(o)}, ${when}`;
      })
      .join('; ');
    const done = last.some((i) => k.ops[i]!.outcome.type === 'info') ? 'known to be done' : 'completed';
    const set = [...new Set(last.map((i) => quote(k.values[writes(k, i)]!)))].join(' or ');
    const overlapping = k.ops.some((o, i) => i !== x && isSetter(k, i) && writes(k, i) === k.a[x]! && k.end[i]! >= xs);
    const tail = overlapping || value === null ? '' : `, and nothing that overlaps ${noun} writes ${quote(value)}`;
    const what = last.length === 1 ? 'the last change' : 'the last changes';
    return `${head}: ${what} to ${key} ${done} before ${noun} started (${named}) set ${set}${tail}.`;
  }
  return `${head}.`;
}
