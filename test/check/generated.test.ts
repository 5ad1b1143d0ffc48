// The checker against histories generated from a real register (linearizable by construction), and
// the same histories with one read made impossible or stale.
import { describe, expect, it } from 'vitest';
import { generateHistory, withImpossibleRead, withStaleRead } from '../../src/check/generate.js';
import { checkHistory } from '../../src/check/linearizability.js';
import { summarize } from '../../src/check/report.js';

describe('checkHistory on generated histories', () => {
  it('finds a 10,000-operation history over 5 keys with indeterminate operations linearizable', () => {
    const seed = 20261124;
    const h = generateHistory({ seed, operations: 10_000, keys: 5, clients: 10, indeterminate: 0.02 });
    const s = summarize(h);
    expect(s.byKind.write.info + s.byKind.cas.info + s.byKind.read.info).toBeGreaterThan(0);
    expect(s.byKind.cas.fail).toBeGreaterThan(0);
    const started = performance.now();
    const verdict = checkHistory(h, { budgetMs: 60_000 });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `seed ${seed}: 10,000 operations checked in ${seconds.toFixed(2)} s, ${verdict.keys.reduce((n, k) => n + k.explored, 0)} states`,
    );
    expect(verdict.result, `seed ${seed}`).toBe('linearizable');
    expect(verdict.keys).toHaveLength(5);
  });

  for (const values of ['unique', 4] as const) {
    it(`finds seeded histories of a correct register linearizable, and not once a read sees a value nobody wrote (${values} values)`, () => {
      for (let seed = 1; seed <= 100; seed++) {
        const h = generateHistory({ seed, operations: 300, keys: 2, clients: 6, indeterminate: 0.04, values });
        expect(checkHistory(h).result, `seed ${seed}`).toBe('linearizable');
        const broken = withImpossibleRead(h, seed);
        const verdict = checkHistory(broken.history);
        expect(verdict.result, `seed ${seed}`).toBe('not-linearizable');
        const failed = verdict.keys.find((k) => k.result === 'not-linearizable')!;
        expect(failed.failure!.op.id, `seed ${seed}`).toBe(broken.id);
        expect(failed.failure!.text, `seed ${seed}`).toContain("no operation ever wrote 'never-written'");
        expect(checkHistory({ operations: failed.failure!.window }).result, `seed ${seed}`).toBe('not-linearizable');
      }
    });
  }

  it('finds seeded histories not linearizable once a read returns a value overwritten before it began, in a window of a few operations (unique values)', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const h = generateHistory({ seed, operations: 300, keys: 2, clients: 6, indeterminate: 0.04 });
      const stale = withStaleRead(h)!;
      const verdict = checkHistory(stale.history);
      expect(verdict.result, `seed ${seed}`).toBe('not-linearizable');
      const failure = verdict.keys.find((k) => k.result === 'not-linearizable')!.failure!;
      expect(failure.op.id, `seed ${seed}`).toBe(stale.id);
      expect(failure.window.length, `seed ${seed}`).toBeLessThanOrEqual(8);
      expect(checkHistory({ operations: failure.window }).result, `seed ${seed}`).toBe('not-linearizable');
    }
  });
});
