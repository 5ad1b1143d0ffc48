// Entries that are not commands this build can run (another client version, a bug, garbage) give a
// deterministic error result and change nothing but the applied index. They never throw: a node
// must not crash on what the log holds.
import { describe, expect, it } from 'vitest';
import { KvStateMachine } from '../../src/kv/index.js';
import { Random } from '../../src/sim/random.js';
import { forSeeds, normal, put, Replica, stateOf } from './fixtures.js';

const body = (fields: Record<string, unknown>): string =>
  JSON.stringify({ v: 1, op: 'put', clientId: 'a', seq: 1, key: 'k', value: 'v', ...fields });

const CASES: [what: string, data: string, code: string, message: string][] = [
  ['empty data', '', 'malformed', 'the entry data is not valid JSON'],
  ['plain text', 'hello', 'malformed', 'the entry data is not valid JSON'],
  ['truncated JSON', '{"v":1,"op":"pu', 'malformed', 'the entry data is not valid JSON'],
  ['a JSON array', '[1,"put"]', 'malformed', 'the command must be a JSON object, got [1,"put"]'],
  ['JSON null', 'null', 'malformed', 'the command must be a JSON object, got null'],
  ['no version', '{"op":"put"}', 'malformed', 'v must be the command version 1, got nothing'],
  ['a version as a string', body({ v: '1' }), 'malformed', 'v must be the command version 1, got "1"'],
  ['a future version', body({ v: 2 }), 'unsupported-version', 'command version 2 is not supported: this build reads version 1'],
  ['an unknown op', body({ op: 'get' }), 'malformed', 'op must be one of "submit", "put", "delete", "cas", got "get"'],
  ['an unknown field', body({ ttl: 5 }), 'malformed', 'a put command has an unknown field "ttl"'],
  ['a field of another op', body({ expected: null }), 'malformed', 'a put command has an unknown field "expected"'],
  ['no clientId', body({ clientId: undefined }), 'malformed', 'clientId must be a string, got nothing'],
  ['an empty clientId', body({ clientId: '' }), 'malformed', 'clientId must be 1 to 64 bytes, got ""'],
  [
    'a clientId over 64 bytes',
    body({ clientId: 'c'.repeat(65) }),
    'malformed',
    `clientId must be 1 to 64 bytes, got "${'c'.repeat(56)}...`,
  ],
  ['seq 0', body({ seq: 0 }), 'malformed', 'seq must be an integer of at least 1, got 0'],
  ['a fractional seq', body({ seq: 1.5 }), 'malformed', 'seq must be an integer of at least 1, got 1.5'],
  [
    'a seq beyond safe integers',
    '{"v":1,"op":"put","clientId":"a","seq":1e300,"key":"k","value":"v"}',
    'malformed',
    'seq must be an integer of at least 1, got 1e+300',
  ],
  ['a numeric value', body({ value: 7 }), 'malformed', 'value must be a string, got 7'],
  ['an empty key', body({ key: '' }), 'malformed', 'key must not be empty'],
  [
    'a cas without expected',
    JSON.stringify({ v: 1, op: 'cas', clientId: 'a', seq: 1, key: 'k', value: 'v' }),
    'malformed',
    'expected must be a string or null, got nothing',
  ],
  [
    'data nested 100,000 deep',
    `{"v":1,"op":"put","clientId":"a","seq":1,"key":"k","value":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    'malformed',
    'the entry data nests objects or arrays deeper than 64 levels',
  ],
  [
    'a value nested 60 deep (within the depth limit)',
    body({ value: JSON.parse('['.repeat(60) + ']'.repeat(60)) }),
    'malformed',
    `value must be a string, got ${'['.repeat(57)}...`,
  ],
  [
    'a __proto__ field',
    '{"v":1,"op":"put","clientId":"a","seq":1,"key":"k","value":"v","__proto__":{}}',
    'malformed',
    'a put command has an unknown field "__proto__"',
  ],
];

/** Up to 40 random UTF-16 code units, lone surrogates included. */
function randomCodeUnits(rnd: Random): string {
  return String.fromCharCode(...Array.from({ length: rnd.int(0, 40) }, () => rnd.int(0, 0xffff)));
}

/** `text` with one to three characters replaced, dropped or inserted. */
function mangle(rnd: Random, text: string): string {
  const chars = Array.from(text); // by code point: which characters get mangled does not matter
  for (let n = rnd.int(1, 3); n > 0; n--) {
    const at = rnd.int(0, chars.length - 1);
    const c = String.fromCharCode(rnd.int(32, 126));
    if (rnd.chance(0.4)) chars[at] = c;
    else if (rnd.chance(0.5)) chars.splice(at, 1);
    else chars.splice(at, 0, c);
  }
  return chars.join('');
}

describe('entries that are not valid commands', () => {
  it.each(CASES)('%s: answered %s, with a message that names the cause', (_what, data, code, message) => {
    const r = new Replica();
    const applied = r.entry(data);
    expect(applied).toEqual({ index: 1, term: 1, clientId: null, seq: null, result: { ok: false, code, message } });
  });

  it('change nothing but the applied index, and leave the sessions alone', () => {
    const r = new Replica();
    r.write(put('a', 1, 'k', 'v'));
    const clean = new Replica();
    clean.write(put('a', 1, 'k', 'v'));
    for (const [, data] of CASES) r.entry(data);
    for (let i = 0; i < CASES.length; i++) clean.noop();
    expect(stateOf(r.machine)).toBe(stateOf(clean.machine));
    // Client a's seq 2 is still new, and its retry of seq 1 still gets the remembered result.
    expect(r.write(put('a', 1, 'k', 'v'))).toEqual({ ok: true, op: 'put', previous: null });
    expect(r.write(put('a', 2, 'k', 'w'))).toEqual({ ok: true, op: 'put', previous: 'v' });
  });

  it('random bytes and mangled commands never throw, and give the same result on two replicas', () => {
    forSeeds(10, (seed) => {
      const rnd = new Random(seed, 'garbage');
      const one = new KvStateMachine();
      const two = new KvStateMachine();
      const valid = JSON.stringify({ v: 1, op: 'cas', clientId: 'fuzz', seq: 1, key: 'k', expected: null, value: 'v' });
      for (let index = 1; index <= 500; index++) {
        const data = rnd.chance(0.3) ? randomCodeUnits(rnd) : mangle(rnd, valid);
        const entry = normal(index, data);
        expect(two.apply(entry)).toEqual(one.apply(entry));
      }
      expect(two.serialize()).toBe(one.serialize());
    });
  });
});
