// The search of the linearizability checker for one key: Wing and Gong's algorithm with Lowe's
// memoisation, in the form Porcupine uses (see linearizability.ts for the references).
//
// The history is a list of call and return entries in time order. The calls before the first return are the
// operations that may take effect next. The search picks one, applies it to the register and, if
// the register allows it, "lifts" it (removes its call and its return from the list) and starts
// again from the head. Reaching a return means the operation it ends had to take effect by then and
// could not: undo the last lift and try the next candidate. It succeeds once every operation that
// took effect has been lifted (indeterminate ones, which have no return entry, may be left). The
// cache remembers each (set of lifted operations, register value) it has seen: reaching one again
// leads to the same dead ends, so it is skipped.
//
// Two shortcuts on top, neither of which changes the answer:
// - A candidate that fits the register and leaves it unchanged (a read of the current value, a cas
//   from a value to itself) is lifted at once, with no alternative tried. If any order completes the
//   history from here, one that places it first does too: it may go now (every operation that had to
//   precede it is placed), and moving it forward changes no other result. Without this, k concurrent
//   reads of the same value make 2^k cache entries.
// - A lift after which some operation not yet placed must see a value the register does not hold
//   and nothing left can write leads nowhere: it is not tried ("pruned"). Most often it moves the
//   register off a value that a read still has to see. Without this, every order of concurrent
//   writes is tried before a read that needed an earlier one gets a say; and a read of a value
//   nobody wrote fails at once rather than after every order of what came before it.
//
// When it fails, the search names the operation to blame: the one whose end it got furthest to
// without being able to place it. A pruned branch counts as getting as far as the first end of an
// operation it leaves unable to take effect (it cannot have got further; it may have got stuck
// sooner). So the blame may come later than without pruning, never earlier: everything that started
// before the blamed operation's end is still, on its own, not linearizable (window.ts relies on
// this, and settles the exact blame on the small window it finds with an unpruned search).
import { CAS, READ, step, WRITE, type KeyOps } from './register-model.js';

/** What the search saw of one operation. */
export interface Watch {
  op: number;
  /** The register values it could not take effect in. */
  refused: number[];
  /** Whether it could take effect in some order. */
  placed: boolean;
  /** The operations that could then not be placed, in the orders where it took effect. */
  blocked: number[];
}

export interface SearchOptions {
  /** Gives up ('unknown') once `now()` passes it. */
  deadline: number;
  now: () => number;
  /** Leave out the lifts that strand an operation (see above). */
  prune: boolean;
  /** Gives up ('unknown') past this many cache entries. Default MAX_STATES. */
  maxStates?: number;
  /** Filled in for its operation. */
  watch?: Watch;
}

export type SearchResult =
  /** explored: entries in the cache. */
  | { result: 'linearizable' | 'unknown'; explored: number }
  /** stuck: the operation to blame (see above). */
  | { result: 'not-linearizable'; explored: number; stuck: number };

/** How often (in loop turns) the clock is read. */
const CLOCK_EVERY = 1024;

/** Past this many cache entries on one key the search gives up ('unknown'), before memory runs out. */
export const MAX_STATES = 8_000_000;

/** The register operation i must find when it takes effect, or -1 if any will do. */
function seesValue(k: KeyOps, i: number): number {
  return k.kind[i] === READ || (k.kind[i] === CAS && k.swaps[i] === 1) ? k.a[i]! : -1;
}

/** The value operation i may change the register to, or -1 if none (a read, a cas from a value to itself). */
function writesValue(k: KeyOps, i: number): number {
  if (k.kind[i] === READ) return -1;
  if (k.kind[i] === WRITE) return k.a[i]!;
  return k.a[i] === k.b[i] ? -1 : k.b[i]!;
}

/**
 * The entries in time order: entry e is operation e >> 1's call (e even) or return (e odd). Only
 * operations that took effect have a return. At equal times calls come first: operations that touch
 * in time count as concurrent.
 */
function entriesInOrder(k: KeyOps): number[] {
  const raw: number[] = [];
  for (let i = 0; i < k.ops.length; i++) {
    raw.push(i << 1);
    if (k.required[i] === 1) raw.push((i << 1) | 1);
  }
  const timeOf = (e: number): number => ((e & 1) === 0 ? k.start[e >> 1]! : k.end[e >> 1]!);
  // An indeterminate operation a read saw ends when that read ends (register-model.ts); its return
  // goes after the read's, so that the blame for a dead end there goes to the read.
  const seenLater = (e: number): number => e & 1 & (k.ops[e >> 1]!.outcome.type === 'info' ? 1 : 0);
  return raw.sort((x, y) => timeOf(x) - timeOf(y) || (x & 1) - (y & 1) || seenLater(x) - seenLater(y) || (x >> 1) - (y >> 1));
}

/** Searches `k` for a linearization. */
export function search(k: KeyOps, options: SearchOptions): SearchResult {
  const { deadline, now, prune, watch } = options;
  const maxStates = options.maxStates ?? MAX_STATES;
  const watched = watch?.op ?? -1;
  const n = k.ops.length;
  let left = 0;
  for (let i = 0; i < n; i++) left += k.required[i]!;
  if (left === 0) return { result: 'linearizable', explored: 0 };

  const sees = new Int32Array(n);
  const writes = new Int32Array(n);
  // Leaves the register as it found it.
  const unchanging = new Uint8Array(n);
  // Per value: the operations not placed yet that must see it, and those that may still write it.
  const toSee = new Int32Array(k.values.length);
  const writersLeft = new Int32Array(k.values.length);
  const seers: number[][] = k.values.map(() => []);
  for (let i = 0; i < n; i++) {
    sees[i] = k.required[i] === 1 ? seesValue(k, i) : -1;
    writes[i] = writesValue(k, i);
    unchanging[i] = seesValue(k, i) >= 0 && (k.kind[i] === READ || k.a[i] === k.b[i]) ? 1 : 0;
    if (sees[i]! >= 0) {
      toSee[sees[i]!]!++;
      seers[sees[i]!]!.push(i);
    }
    if (writes[i]! >= 0) writersLeft[writes[i]!]!++;
  }

  const order = entriesInOrder(k);
  const count = order.length;
  const opOf = new Int32Array(count);
  const isCall = new Uint8Array(count);
  const returnOf = new Int32Array(n).fill(-1);
  order.forEach((e, pos) => {
    opOf[pos] = e >> 1;
    if ((e & 1) === 0) isCall[pos] = 1;
    else returnOf[e >> 1] = pos;
  });
  for (const list of seers) list.sort((x, y) => returnOf[x]! - returnOf[y]!);
  // The values no operation left can write that some operation left must see: unless the register
  // holds one now, those operations can no longer take effect.
  const dead = new Set<number>();
  const refresh = (v: number): void => {
    if (toSee[v]! > 0 && writersLeft[v] === 0) dead.add(v);
    else dead.delete(v);
  };
  for (let v = 0; v < k.values.length; v++) refresh(v);
  /** Counts operation i in (+1, not placed) or out (-1, placed). */
  const recount = (i: number, delta: number): void => {
    if (sees[i]! >= 0) {
      toSee[sees[i]!]! += delta;
      refresh(sees[i]!);
    }
    if (writes[i]! >= 0) {
      writersLeft[writes[i]!]! += delta;
      refresh(writes[i]!);
    }
  };

  // A doubly linked list over the entries, with sentinels head and tail.
  const head = count;
  const tail = count + 1;
  const next = new Int32Array(count + 2);
  const prev = new Int32Array(count + 2);
  for (let pos = 0; pos < count; pos++) {
    next[pos] = pos + 1;
    prev[pos] = pos - 1;
  }
  next[count - 1] = tail;
  prev[0] = head;
  next[head] = 0;
  prev[tail] = count - 1;
  const unlink = (e: number): void => {
    next[prev[e]!] = next[e]!;
    prev[next[e]!] = prev[e]!;
  };
  const relink = (e: number): void => {
    next[prev[e]!] = e;
    prev[next[e]!] = e;
  };

  const bits = new Uint32Array(Math.ceil(n / 32));
  const isLifted = (i: number): boolean => (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  const seen = new Set<string>();
  // The lifts made, to undo: the call entry, the register before it, whether it was forced.
  const stackEntry = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackForced = new Uint8Array(n);
  let depth = 0;
  let state = 0;
  let turns = 0;

  /** Lifts the call `entry` (the register `after` once it took effect) unless the cache has been there; false if it has. */
  const tryLift = (entry: number, after: number, forced: number): boolean => {
    const i = opOf[entry]!;
    bits[i >>> 5]! |= 1 << (i & 31);
    const key = cacheKey(bits, after);
    if (seen.has(key)) {
      bits[i >>> 5]! &= ~(1 << (i & 31));
      return false;
    }
    seen.add(key);
    if (i === watched) watch!.placed = true;
    recount(i, -1);
    stackEntry[depth] = entry;
    stackState[depth] = state;
    stackForced[depth] = forced;
    depth++;
    state = after;
    unlink(entry);
    const ret = returnOf[i]!;
    if (ret >= 0) {
      unlink(ret);
      left--;
    }
    return true;
  };
  /** Undoes the last lift; returns its call entry. */
  const undo = (): number => {
    depth--;
    const entry = stackEntry[depth]!;
    state = stackState[depth]!;
    const i = opOf[entry]!;
    bits[i >>> 5]! &= ~(1 << (i & 31));
    recount(i, 1);
    const ret = returnOf[i]!;
    if (ret >= 0) {
      relink(ret);
      left++;
    }
    relink(entry);
    return entry;
  };
  /** The operations that can never take effect if the register holds `after` now: for each value they must see, the first to end. */
  const doomed = (after: number, except: number): number[] => {
    const list: number[] = [];
    for (const v of dead) {
      if (v === after) continue;
      const o = seers[v]!.find((o) => o !== except && !isLifted(o));
      if (o !== undefined) list.push(o);
    }
    return list;
  };
  const firstEnd = (ops: number[]): number => Math.min(...ops.map((o) => returnOf[o]!));
  let furthest = -1;

  // Some operation may be unable to take effect from the start (it saw a value nobody writes).
  const hopeless = prune ? doomed(state, -1) : [];
  if (hopeless.length > 0) return { result: 'not-linearizable', explored: 0, stuck: opOf[firstEnd(hopeless)]! };

  // `entry` walks the candidates of the current configuration; -1: the configuration is new.
  let entry = -1;
  for (;;) {
    if (++turns % CLOCK_EVERY === 0 && (now() > deadline || seen.size > maxStates)) return { result: 'unknown', explored: seen.size };
    let deadEnd = false;
    if (entry === -1) {
      // A new configuration: lift a candidate that changes nothing, if there is one.
      let forced = -1;
      for (let e = next[head]; isCall[e] === 1; e = next[e]!) {
        if (unchanging[opOf[e]!] === 1 && step(k, opOf[e]!, state) >= 0) {
          forced = e;
          break;
        }
      }
      if (forced >= 0) {
        if (tryLift(forced, state, 1)) {
          if (left === 0) return { result: 'linearizable', explored: seen.size };
          continue;
        }
        deadEnd = true; // been here: it led nowhere, and so does every alternative
      } else {
        entry = next[head]!;
      }
    }
    if (!deadEnd) {
      if (isCall[entry] === 1) {
        const i = opOf[entry]!;
        let after = step(k, i, state);
        if (i === watched && after < 0 && !watch!.refused.includes(state)) watch!.refused.push(state);
        if (prune && after >= 0) {
          recount(i, -1);
          const stranded = doomed(after, i);
          recount(i, 1);
          if (stranded.length > 0) {
            furthest = Math.max(furthest, firstEnd(stranded));
            if (i === watched) {
              watch!.placed = true;
              for (const o of stranded) if (!watch!.blocked.includes(o)) watch!.blocked.push(o);
            }
            after = -1;
          }
        }
        if (after >= 0 && tryLift(entry, after, 0)) {
          if (left === 0) return { result: 'linearizable', explored: seen.size };
          entry = -1;
        } else {
          entry = next[entry]!;
        }
        continue;
      }
      // A return: its operation had to take effect by now and could not.
      furthest = Math.max(furthest, entry);
      if (watched >= 0 && isLifted(watched) && !watch!.blocked.includes(opOf[entry]!)) watch!.blocked.push(opOf[entry]!);
    }
    // Back to the last configuration with candidates left to try (a forced lift leaves none).
    for (;;) {
      if (depth === 0) return { result: 'not-linearizable', explored: seen.size, stuck: opOf[furthest]! };
      const forced = stackForced[depth - 1] === 1;
      const lifted = undo();
      if (!forced) {
        entry = next[lifted]!;
        break;
      }
    }
  }
}

/**
 * The cache key of (lifted set, register value). Operations are numbered in invocation order, so the
 * lifted set is mostly a run of full words then a few scattered bits: only the words in between are
 * spelled out, two 16-bit characters each.
 */
function cacheKey(bits: Uint32Array, state: number): string {
  let lo = 0;
  while (lo < bits.length && bits[lo] === 0xffffffff) lo++;
  let hi = bits.length - 1;
  while (hi >= lo && bits[hi] === 0) hi--;
  let key = `${state}/${lo}/`;
  for (let w = lo; w <= hi; w++) {
    const x = bits[w]!;
    key += String.fromCharCode(x & 0xffff, x >>> 16);
  }
  return key;
}
