// Seeded histories that are linearizable by construction, for the checker's tests and benchmark.
// Clients issue reads, writes and cas on a few keys, one operation in flight each, with random
// latencies so that operations overlap. Every operation takes effect at a random instant between its
// invocation and its completion, against a real register per key; the results it reports are the
// ones the register gave at that instant. An indeterminate operation takes effect (possibly after
// its client gave up) or not, at random; its client learns nothing.
import { Random } from '../sim/random.js';
import type { History, Operation, OpInput, OpOutcome } from './history.js';

export interface GenerateOptions {
  seed: number;
  operations: number;
  keys: number;
  clients: number;
  /** Share of operations whose outcome the client does not learn. Default 0.02. */
  indeterminate?: number;
  /** 'unique': every write writes a new value (as Jepsen's workloads do); n: values drawn from n. Default 'unique'. */
  values?: 'unique' | number;
  /** Longest operation, in ms. Default 10. */
  maxLatency?: number;
}

interface Pending {
  client: number;
  key: string;
  kind: OpInput['kind'];
  invokedAt: number;
  completedAt: number;
  /** When it takes effect; null: never. */
  effectAt: number | null;
  indeterminate: boolean;
  input?: OpInput;
  outcome?: OpOutcome;
}

export function generateHistory(o: GenerateOptions): History {
  const random = new Random(o.seed, 'check-history');
  const indeterminate = o.indeterminate ?? 0.02;
  const maxLatency = o.maxLatency ?? 10;
  const keys = Array.from({ length: o.keys }, (_, i) => `k${i + 1}`);
  const free = new Array<number>(o.clients).fill(0);
  const pending: Pending[] = [];
  for (let n = 0; n < o.operations; n++) {
    let client = 0;
    for (let c = 1; c < o.clients; c++) if (free[c]! < free[client]!) client = c;
    const invokedAt = round(free[client]! + random.next() * 2);
    const completedAt = round(invokedAt + 0.1 + random.next() * maxLatency);
    const latency = completedAt - invokedAt;
    const roll = random.next();
    const kind = roll < 0.5 ? 'read' : roll < 0.8 ? 'write' : 'cas';
    const lost = random.chance(indeterminate);
    // An indeterminate operation may take effect well after its client gave up, or never.
    const effectAt = lost ? (random.chance(0.5) ? invokedAt + random.next() * latency * 3 : null) : invokedAt + random.next() * latency;
    pending.push({ client: client + 1, key: random.pick(keys), kind, invokedAt, completedAt, effectAt, indeterminate: lost });
    free[client] = completedAt;
  }

  const register = new Map<string, string | null>();
  const counters = new Map<string, number>();
  const newValue = (key: string): string => {
    if (o.values === undefined || o.values === 'unique') {
      const n = (counters.get(key) ?? 0) + 1;
      counters.set(key, n);
      return `v${n}`;
    }
    return `v${random.int(1, o.values)}`;
  };
  const effective = pending.filter((p) => p.effectAt !== null).sort((p, q) => p.effectAt! - q.effectAt!);
  for (const p of effective) {
    const current = register.get(p.key) ?? null;
    if (p.kind === 'read') {
      p.input = { kind: 'read', key: p.key };
      p.outcome = p.indeterminate ? { type: 'info', reason: 'timed out' } : { type: 'ok', value: current };
    } else if (p.kind === 'write') {
      p.input = { kind: 'write', key: p.key, value: newValue(p.key) };
      register.set(p.key, p.input.value);
      p.outcome = p.indeterminate ? { type: 'info', reason: 'timed out' } : { type: 'ok' };
    } else {
      const expected = random.chance(0.7) ? current : `v${random.int(1, 5)}`;
      p.input = { kind: 'cas', key: p.key, expected, value: newValue(p.key) };
      const swapped = current === expected;
      if (swapped) register.set(p.key, p.input.value);
      p.outcome = p.indeterminate
        ? { type: 'info', reason: 'timed out' }
        : swapped
          ? { type: 'ok' }
          : { type: 'fail', reason: 'expected value did not match', mismatch: { current } };
    }
  }
  // Operations that never took effect still asked for something.
  for (const p of pending) {
    if (p.input !== undefined) continue;
    p.outcome = { type: 'info', reason: 'timed out' };
    if (p.kind === 'read') p.input = { kind: 'read', key: p.key };
    else if (p.kind === 'write') p.input = { kind: 'write', key: p.key, value: newValue(p.key) };
    else p.input = { kind: 'cas', key: p.key, expected: `v${random.int(1, 5)}`, value: newValue(p.key) };
  }

  pending.sort((p, q) => p.invokedAt - q.invokedAt);
  const operations: Operation[] = pending.map((p, id) => ({
    id,
    client: p.client,
    input: p.input!,
    invokedAt: p.invokedAt,
    completedAt: p.completedAt,
    outcome: p.outcome!,
  }));
  return { operations };
}

/** To the microsecond, as a recorded history would be. */
function round(t: number): number {
  return Math.round(t * 1000) / 1000;
}

/**
 * The same history with the value of one successful read (chosen by `seed`) replaced by one nobody
 * wrote: certainly not linearizable. Returns the id of that read.
 */
export function withImpossibleRead(h: History, seed: number): { history: History; id: number } {
  const reads = h.operations.filter((op) => op.input.kind === 'read' && op.outcome.type === 'ok');
  const target = new Random(seed, 'impossible-read').pick(reads);
  const operations = h.operations.map((op) => (op === target ? { ...op, outcome: { type: 'ok' as const, value: 'never-written' } } : op));
  return { history: { operations }, id: target.id };
}

const isOkWrite = (op: Operation): boolean => op.input.kind === 'write' && op.outcome.type === 'ok';

/**
 * With unique values: the same history where the last successful read that can be made stale is (it
 * returns the value of a write that another write followed, both done before the read began):
 * certainly not linearizable. Returns the id of that read; undefined if no read can be made stale.
 */
export function withStaleRead(h: History): { history: History; id: number } | undefined {
  const ops = h.operations;
  for (let r = ops.length - 1; r >= 0; r--) {
    const read = ops[r]!;
    if (read.input.kind !== 'read' || read.outcome.type !== 'ok') continue;
    const key = read.input.key;
    const before = ops.filter((op) => op.input.key === key && isOkWrite(op) && op.completedAt < read.invokedAt);
    const old = before.find((w) => before.some((later) => w.completedAt < later.invokedAt));
    if (old === undefined || old.input.kind !== 'write') continue;
    const value = old.input.value;
    const operations = ops.map((op) => (op === read ? { ...op, outcome: { type: 'ok' as const, value } } : op));
    return { history: { operations }, id: read.id };
  }
  return undefined;
}
