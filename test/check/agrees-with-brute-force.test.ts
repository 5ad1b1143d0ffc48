// The checker against a brute-force reference on small random histories (most of them not
// linearizable): every subset of the indeterminate operations, every order that respects real time.
import { describe, expect, it } from 'vitest';
import type { History, Operation, OpOutcome } from '../../src/check/history.js';
import { checkHistory } from '../../src/check/linearizability.js';
import { Random } from '../../src/sim/random.js';

function linearizableByBruteForce(ops: readonly Operation[]): boolean {
  // Failed operations and indeterminate reads have no effect.
  const relevant = ops.filter((op) => op.outcome.type !== 'fail' && !(op.outcome.type === 'info' && op.input.kind === 'read'));
  const optional = relevant.filter((op) => op.outcome.type === 'info');
  const required = relevant.filter((op) => op.outcome.type === 'ok');
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const chosen = [...required, ...optional.filter((_, i) => (mask & (1 << i)) !== 0)];
    if (someOrderFits(chosen, [], null)) return true;
  }
  return false;
}

/** Whether the operations left can follow `done` (the register holding `value`) in some order. */
function someOrderFits(left: Operation[], done: Operation[], value: string | null): boolean {
  if (left.length === 0) return true;
  for (const op of left) {
    // It may go next only if nothing left had to come before it: a.completedAt < op.invokedAt.
    if (left.some((a) => a !== op && a.outcome.type === 'ok' && a.completedAt < op.invokedAt)) continue;
    let after: string | null;
    const input = op.input;
    if (input.kind === 'read') {
      if (op.outcome.type === 'ok' && op.outcome.value !== value) continue;
      after = value;
    } else if (input.kind === 'write') {
      after = input.value;
    } else if (op.outcome.type === 'ok') {
      if (value !== input.expected) continue;
      after = input.value;
    } else {
      after = value === input.expected ? input.value : value;
    }
    if (
      someOrderFits(
        left.filter((o) => o !== op),
        [...done, op],
        after,
      )
    )
      return true;
  }
  return false;
}

function randomHistory(seed: number): History {
  const r = new Random(seed, 'brute-force');
  const values = ['a', 'b', 'c'].slice(0, r.int(1, 3));
  const count = r.int(1, 7);
  const ops: Operation[] = [];
  for (let id = 0; id < count; id++) {
    const invokedAt = r.int(0, 10);
    const completedAt = invokedAt + r.int(0, 6);
    const roll = r.next();
    const ending = roll < 0.7 ? 'ok' : roll < 0.85 ? 'info' : 'fail';
    const outcome: OpOutcome = ending === 'ok' ? { type: 'ok' } : { type: ending, reason: 'test' };
    const kind = r.pick(['read', 'write', 'cas'] as const);
    const client = id + 1;
    if (kind === 'read') {
      const seen = r.chance(0.2) ? null : r.pick(values);
      ops.push({
        id,
        client,
        input: { kind, key: 'x' },
        invokedAt,
        completedAt,
        outcome: ending === 'ok' ? { type: 'ok', value: seen } : outcome,
      });
    } else if (kind === 'write') {
      ops.push({ id, client, input: { kind, key: 'x', value: r.pick(values) }, invokedAt, completedAt, outcome });
    } else {
      const expected = r.chance(0.2) ? null : r.pick(values);
      ops.push({ id, client, input: { kind, key: 'x', expected, value: r.pick(values) }, invokedAt, completedAt, outcome });
    }
  }
  ops.sort((p, q) => p.invokedAt - q.invokedAt);
  return { operations: ops.map((op, id) => ({ ...op, id })) };
}

describe('checkHistory on small random histories', () => {
  it('agrees with a brute-force search, and every window it reports fails on its own', () => {
    const seen = { linearizable: 0, not: 0 };
    for (let seed = 1; seed <= 3000; seed++) {
      const h = randomHistory(seed);
      const verdict = checkHistory(h);
      const expected = linearizableByBruteForce(h.operations);
      expect(verdict.result, `seed ${seed}`).toBe(expected ? 'linearizable' : 'not-linearizable');
      if (expected) {
        seen.linearizable++;
        continue;
      }
      seen.not++;
      const failure = verdict.keys[0]!.failure!;
      expect(failure.window, `seed ${seed}`).toContain(failure.op);
      expect(linearizableByBruteForce(failure.window), `seed ${seed}`).toBe(false);
    }
    // Both answers are common, so both are tested.
    expect(seen.linearizable).toBeGreaterThan(500);
    expect(seen.not).toBeGreaterThan(500);
  });
});
