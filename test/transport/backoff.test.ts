import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../src/transport/backoff.js';

describe('reconnectDelay', () => {
  const options = { baseMs: 100, maxMs: 1000 };

  it('doubles from the base up to the cap, between half the ceiling and the ceiling', () => {
    expect([0, 1, 2, 3, 4, 5, 60, 5000].map((a) => reconnectDelay(a, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500, 500, 500]);
    expect([0, 1, 2, 3, 4, 5].map((a) => reconnectDelay(a, options, () => 0.999999))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('draws its jitter from the injected random source', () => {
    const draws = [0.25, 0.75];
    expect([3, 3].map((a) => reconnectDelay(a, options, () => draws.shift()!))).toEqual([500, 700]);
  });
});
