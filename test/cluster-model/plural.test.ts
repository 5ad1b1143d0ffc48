// Counts as sentences write them: the word by the number, the digits grouped as toLocaleString('en-US') groups them.
import { describe, expect, it } from 'vitest';
import { plural, thousands } from '../../src/cluster-model/plural.js';

describe('counts in sentences', () => {
  it('take the singular for one and the plural otherwise, or the plural given', () => {
    expect(plural(1, 'node')).toBe('1 node');
    expect(plural(0, 'node')).toBe('0 nodes');
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
  });

  it('group the thousands exactly as en-US does, for every size of whole number', () => {
    for (const n of [0, 7, 999, 1000, 12_000, 123_456, 1_234_567, -1500, 2 ** 48, Number.MAX_SAFE_INTEGER])
      expect(thousands(n), String(n)).toBe(n.toLocaleString('en-US'));
    expect(plural(12_000, 'operation')).toBe('12,000 operations');
  });
});
