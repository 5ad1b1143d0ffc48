import { describe, expect, it } from 'vitest';
import { mixSeed, Random } from '../../src/sim/random.js';

describe('the seeded PRNG', () => {
  it('gives the same numbers for the same seed, and these exact ones on every platform', () => {
    const a = new Random(42, 'network');
    const b = new Random(42, 'network');
    const first = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(first);
    // Pinned: a change here changes every recorded seed's run.
    expect(first).toEqual([2670686000, 2656314501, 828885922, 167565874, 1881295431]);
  });

  it('gives unrelated streams for different seeds and stream names', () => {
    const draw = (r: Random) => Array.from({ length: 4 }, () => r.nextUint32());
    expect(draw(new Random(1))).not.toEqual(draw(new Random(2)));
    expect(draw(new Random(1, 'core', 1, 1))).not.toEqual(draw(new Random(1, 'core', 1, 2)));
    expect(draw(new Random(1, 'core', 2, 1))).not.toEqual(draw(new Random(1, 'core', 1, 2)));
    expect(mixSeed(2 ** 40)).not.toBe(mixSeed(0));
  });

  it('stays within its ranges', () => {
    const r = new Random(7);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const k = r.int(3, 6);
      expect(k).toBeGreaterThanOrEqual(3);
      expect(k).toBeLessThanOrEqual(6);
      seen.add(k);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('draws chance(p) about p of the time and picks every item', () => {
    const r = new Random(11);
    let hits = 0;
    for (let i = 0; i < 20_000; i++) if (r.chance(0.25)) hits++;
    expect(hits / 20_000).toBeGreaterThan(0.23);
    expect(hits / 20_000).toBeLessThan(0.27);
    const picked = new Set(Array.from({ length: 200 }, () => r.pick(['a', 'b', 'c'])));
    expect(picked).toEqual(new Set(['a', 'b', 'c']));
    expect(r.shuffled([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
