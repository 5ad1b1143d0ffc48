// Key and value sizes are capped in UTF-8 bytes. A command over a cap is refused the same way on
// every replica, and, being well formed, it uses up its seq: a retry gets the same refusal.
import { describe, expect, it } from 'vitest';
import { encodeCommand, MAX_CLIENT_ID_BYTES, MAX_KEY_BYTES, MAX_VALUE_BYTES } from '../../src/kv/index.js';
import { cas, put, Replica, submit } from './fixtures.js';

/** Data for a command the encoder would refuse: a client of another build could still send it. */
const raw = (command: object): string => JSON.stringify({ v: 1, ...command });

describe('size limits', () => {
  it('are 256 bytes for a key, 16 KiB for a value, 64 bytes for a client id', () => {
    expect([MAX_KEY_BYTES, MAX_VALUE_BYTES, MAX_CLIENT_ID_BYTES]).toEqual([256, 16384, 64]);
  });

  it('accept a key and a value exactly at their limits', () => {
    const r = new Replica();
    const key = 'k'.repeat(MAX_KEY_BYTES);
    expect(r.write(put('a', 1, key, 'v'.repeat(MAX_VALUE_BYTES)))).toEqual({ ok: true, op: 'put', previous: null });
    expect(r.machine.get(key)).toHaveLength(MAX_VALUE_BYTES);
  });

  it('count bytes, not characters: 128 two-byte characters fill a key', () => {
    const r = new Replica();
    expect(r.write(put('a', 1, 'й'.repeat(128), 'v'))).toMatchObject({ ok: true });
    expect(() => encodeCommand(put('a', 2, 'й'.repeat(129), 'v'))).toThrow('key is 258 bytes, over the limit of 256');
  });

  it('refuse an over-long key, value, cas expected value or submitted text with too-large, changing no data', () => {
    const r = new Replica();
    const long = 'x'.repeat(MAX_VALUE_BYTES + 1);
    const cases: [string, string][] = [
      [
        raw({ op: 'put', clientId: 'a', seq: 1, key: 'k'.repeat(MAX_KEY_BYTES + 1), value: 'v' }),
        'key is 257 bytes, over the limit of 256',
      ],
      [raw({ op: 'put', clientId: 'b', seq: 1, key: 'k', value: long }), 'value is 16385 bytes, over the limit of 16384'],
      [raw({ op: 'cas', clientId: 'c', seq: 1, key: 'k', expected: long, value: 'v' }), 'expected is 16385 bytes, over the limit of 16384'],
      [raw({ op: 'cas', clientId: 'd', seq: 1, key: 'k', expected: null, value: long }), 'value is 16385 bytes, over the limit of 16384'],
      [raw({ op: 'submit', clientId: 'e', seq: 1, text: long }), 'text is 16385 bytes, over the limit of 16384'],
      [raw({ op: 'delete', clientId: 'f', seq: 1, key: 'k'.repeat(MAX_KEY_BYTES + 1) }), 'key is 257 bytes, over the limit of 256'],
    ];
    for (const [data, message] of cases) expect(r.entry(data).result).toEqual({ ok: false, code: 'too-large', message });
    expect(r.machine.stats()).toMatchObject({ keys: 0, dataBytes: 0, submitted: 0 });
  });

  it('a refused command uses up its seq: its retry gets the same refusal, the next seq runs', () => {
    const r = new Replica();
    const tooLong = raw({ op: 'put', clientId: 'a', seq: 1, key: 'k', value: 'x'.repeat(MAX_VALUE_BYTES + 1) });
    const refusal = r.entry(tooLong).result;
    expect(refusal).toMatchObject({ ok: false, code: 'too-large' });
    expect(r.entry(tooLong).result).toEqual(refusal);
    expect(r.write(cas('a', 2, 'k', null, 'fits'))).toEqual({ ok: true, op: 'cas', swapped: true });
    expect(r.write(submit('a', 3, 'x'.repeat(MAX_VALUE_BYTES)))).toEqual({ ok: true, op: 'submit' });
  });
});
