// serialize() and restore(): the state machine's side of the core's compaction. A restored machine
// must behave exactly like the one that was serialized, sessions included, and a damaged snapshot
// string must be refused with its cause, never half-loaded.
import { describe, expect, it } from 'vitest';
import { KvSnapshotError, KvStateMachine, type ApplyResult } from '../../src/kv/index.js';
import { Random } from '../../src/sim/random.js';
import { cas, del, forSeeds, put, randomLog, Replica, stateOf, submit } from './fixtures.js';

/** A machine with data, sessions of every kind of result, and a submit. */
function populated(): Replica {
  const r = Replica.create({ maxSessions: 3 });
  r.write(put('a', 1, 'b-key', 'one'));
  r.write(put('a', 2, 'a-key', 'two'));
  r.write(cas('b', 1, 'b-key', 'nope', 'x'));
  r.write(del('c', 1, 'a-key'));
  r.write(submit('a', 3, 'hello'));
  r.noop(2);
  return r;
}

describe('snapshots', () => {
  it('serialize() writes the pinned, canonical format: keys sorted, sessions least recently used first', () => {
    expect(populated().machine.serialize()).toBe(
      '{"v":2,"appliedIndex":6,"digest":"6d5ab1d3a5ce665f","maxSessions":3,"submitted":1,' +
        '"data":[["b-key","one"]],' +
        '"sessions":[{"clientId":"b","seq":1,"lastIndex":3,"result":{"ok":true,"op":"cas","swapped":false,"current":"one"}},' +
        '{"clientId":"c","seq":1,"lastIndex":4,"result":{"ok":true,"op":"delete","existed":true}},' +
        '{"clientId":"a","seq":3,"lastIndex":5,"result":{"ok":true,"op":"submit"}}]}',
    );
  });

  it('two machines holding the same data serialize it alike, whatever order it was written in; only the digest tells', () => {
    const one = new Replica();
    one.write(put('x', 1, 'k1', 'v'));
    one.write(put('x', 2, 'k2', 'v'));
    const two = new Replica();
    two.write(put('x', 1, 'k2', 'v'));
    two.write(put('x', 2, 'k1', 'v'));
    expect(stateOf(two.machine)).toBe(stateOf(one.machine));
    expect(two.machine.digest).not.toBe(one.machine.digest);
    expect(one.machine.serialize()).toContain('"data":[["k1","v"],["k2","v"]]');
  });

  it('a round trip keeps the data, the stats and the sessions', () => {
    const original = populated().machine;
    const restored = KvStateMachine.restore(original.serialize());
    expect(restored.serialize()).toBe(original.serialize());
    expect(restored.stats()).toEqual(original.stats());
    expect(restored.get('b-key')).toBe('one');
    expect(restored.get('a-key')).toBeNull();
    const r = new Replica(restored);
    // A retry is answered from the restored session; an older seq is stale; maxSessions still holds.
    expect(r.write(cas('b', 1, 'b-key', 'nope', 'x'))).toEqual({ ok: true, op: 'cas', swapped: false, current: 'one' });
    expect(r.write(put('a', 2, 'a-key', 'two'))).toMatchObject({ ok: false, code: 'stale-sequence' });
    r.write(put('d', 1, 'k', 'v')); // the fourth session evicts c, the least recently used
    expect(r.write(del('c', 2, 'a-key'))).toMatchObject({ ok: false, code: 'session-expired' });
    expect(r.machine.stats().maxSessions).toBe(3);
  });

  it('a restored machine continues exactly like one that never snapshotted (seeded random logs)', () => {
    forSeeds(40, (seed) => {
      const rnd = new Random(seed, 'snapshot-points');
      const log = randomLog(seed, 400, { clients: 8 });
      const steady = new KvStateMachine({ maxSessions: 5 });
      let snapshotted = new KvStateMachine({ maxSessions: 5 });
      const points = new Set(Array.from({ length: 4 }, () => rnd.int(0, log.length)));
      const results: [ApplyResult | null, ApplyResult | null][] = [];
      for (const entry of log) {
        if (points.has(entry.index - 1)) snapshotted = KvStateMachine.restore(snapshotted.serialize());
        results.push([steady.apply(entry), snapshotted.apply(entry)]);
      }
      for (const [a, b] of results) expect(b).toEqual(a);
      expect(snapshotted.serialize()).toBe(steady.serialize());
    });
  });
});

describe('restoring a damaged snapshot', () => {
  const good = populated().machine.serialize();
  const edit = (change: (s: Record<string, unknown>) => void): string => {
    const s = JSON.parse(good) as Record<string, unknown>;
    change(s);
    return JSON.stringify(s);
  };
  const sessions = (s: Record<string, unknown>) => s['sessions'] as Record<string, unknown>[];

  const CASES: [what: string, data: string, problem: string, message: string][] = [
    ['an empty string', '', 'not-json', 'the kv snapshot is not valid JSON (is it truncated?)'],
    ['a truncated string', good.slice(0, -10), 'not-json', 'the kv snapshot is not valid JSON (is it truncated?)'],
    ['a JSON array', '[]', 'invalid', 'the kv snapshot is invalid: the snapshot must be a JSON object, got []'],
    [
      'a future version',
      edit((s) => (s['v'] = 3)),
      'unsupported-version',
      'kv snapshot version 3 is not supported: this build reads version 2',
    ],
    [
      'no version',
      edit((s) => delete s['v']),
      'invalid',
      'the kv snapshot is invalid: v must be the snapshot version 2 (or 1), got nothing',
    ],
    ['no digest', edit((s) => delete s['digest']), 'invalid', 'the kv snapshot is invalid: digest must be a string, got nothing'],
    [
      'a digest that is not 16 hex digits',
      edit((s) => (s['digest'] = 'ABC')),
      'invalid',
      'the kv snapshot is invalid: digest must be 16 hex digits, got "ABC"',
    ],
    [
      'a digest in a version 1 snapshot',
      edit((s) => (s['v'] = 1)),
      'invalid',
      'the kv snapshot is invalid: the snapshot has an unknown field "digest"',
    ],
    ['an unknown field', edit((s) => (s['extra'] = 1)), 'invalid', 'the kv snapshot is invalid: the snapshot has an unknown field "extra"'],
    [
      'a negative applied index',
      edit((s) => (s['appliedIndex'] = -1)),
      'invalid',
      'the kv snapshot is invalid: appliedIndex must be an integer of at least 0, got -1',
    ],
    [
      'maxSessions 0',
      edit((s) => (s['maxSessions'] = 0)),
      'invalid',
      'the kv snapshot is invalid: maxSessions must be an integer of at least 1, got 0',
    ],
    [
      'data that is not pairs',
      edit((s) => (s['data'] = [['k']])),
      'invalid',
      'the kv snapshot is invalid: data[0] must be a [key, value] pair, got ["k"]',
    ],
    [
      'a number as a value',
      edit((s) => (s['data'] = [['k', 1]])),
      'invalid',
      'the kv snapshot is invalid: data[0][1] must be a string, got 1',
    ],
    [
      'unsorted keys',
      edit(
        (s) =>
          (s['data'] = [
            ['b', '1'],
            ['a', '2'],
          ]),
      ),
      'invalid',
      'the kv snapshot is invalid: data[1] is out of order: keys must be sorted and unique',
    ],
    [
      'a repeated key',
      edit(
        (s) =>
          (s['data'] = [
            ['a', '1'],
            ['a', '2'],
          ]),
      ),
      'invalid',
      'the kv snapshot is invalid: data[1] is out of order: keys must be sorted and unique',
    ],
    ['an empty key', edit((s) => (s['data'] = [['', '1']])), 'invalid', 'the kv snapshot is invalid: data[0][0] is an empty key'],
    [
      'a session used after the applied index',
      edit((s) => (s['appliedIndex'] = 4)),
      'invalid',
      'the kv snapshot is invalid: sessions[2].lastIndex 5 is beyond appliedIndex 4',
    ],
    [
      'sessions out of order',
      edit((s) => sessions(s).reverse()),
      'invalid',
      'the kv snapshot is invalid: sessions[1] is out of order: lastIndex must increase',
    ],
    [
      'a repeated client',
      edit((s) => (sessions(s)[1]!['clientId'] = 'b')),
      'invalid',
      'the kv snapshot is invalid: sessions[1] repeats client "b"',
    ],
    [
      'more sessions than maxSessions',
      edit((s) => (s['maxSessions'] = 2)),
      'invalid',
      'the kv snapshot is invalid: it holds 3 sessions, over its maxSessions of 2',
    ],
    [
      'seq 0',
      edit((s) => (sessions(s)[0]!['seq'] = 0)),
      'invalid',
      'the kv snapshot is invalid: sessions[0].seq must be an integer of at least 1, got 0',
    ],
    [
      'a result of an unknown op',
      edit((s) => (sessions(s)[0]!['result'] = { ok: true, op: 'get' })),
      'invalid',
      'the kv snapshot is invalid: sessions[0].result.op must be one of "submit", "put", "delete", "cas", got "get"',
    ],
    [
      'a result with a field of another result',
      edit((s) => (sessions(s)[2]!['result'] = { ok: true, op: 'submit', previous: null })),
      'invalid',
      'the kv snapshot is invalid: sessions[2].result has an unknown field "previous"',
    ],
    [
      'an error result with an unknown code',
      edit((s) => (sessions(s)[0]!['result'] = { ok: false, code: 'oops', message: '' })),
      'invalid',
      'the kv snapshot is invalid: sessions[0].result.code must be one of "malformed", "unsupported-version", "too-large", "stale-sequence", "session-expired", got "oops"',
    ],
  ];

  it.each(CASES)('%s: refused as %s, naming the cause', (_what, data, problem, message) => {
    let err: unknown;
    try {
      KvStateMachine.restore(data);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KvSnapshotError);
    expect(err).toMatchObject({ name: 'KvSnapshotError', problem, message });
  });

  it('the unedited snapshot restores (the cases above differ from it only by their damage)', () => {
    expect(KvStateMachine.restore(good).serialize()).toBe(good);
  });
});
