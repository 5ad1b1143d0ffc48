import { describe, expect, it } from 'vitest';
import { decimalId, hexId, isHexId } from '../../src/etcd/ids.js';

describe('etcd member ids', () => {
  it('convert between the API decimal and the logs hex without losing bits past 2^53', () => {
    expect(hexId('10501334649042878790')).toBe('91bc3c398fb3c146');
    expect(decimalId('91bc3c398fb3c146')).toBe('10501334649042878790');
    expect(decimalId(hexId('18446744073709551615')!)).toBe('18446744073709551615');
  });

  it('refuse what is not a uint64', () => {
    expect(hexId('18446744073709551616')).toBeNull();
    expect(hexId('-1')).toBeNull();
    expect(hexId('12a')).toBeNull();
    expect(decimalId('xyz')).toBeNull();
    expect(isHexId('0abc')).toBe(false);
    expect(isHexId('abc')).toBe(true);
  });
});
