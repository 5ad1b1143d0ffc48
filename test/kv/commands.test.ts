// What each write does to the data and what it answers: the results a client gets back.
import { describe, expect, it } from 'vitest';
import { cas, del, put, Replica, submit } from './fixtures.js';

describe('put, get, delete, cas and submit', () => {
  it('put stores a value and answers the one it replaced, null for a new key', () => {
    const r = new Replica();
    expect(r.write(put('a', 1, 'color', 'red'))).toEqual({ ok: true, op: 'put', previous: null });
    expect(r.machine.get('color')).toBe('red');
    expect(r.write(put('a', 2, 'color', 'blue'))).toEqual({ ok: true, op: 'put', previous: 'red' });
    expect(r.machine.get('color')).toBe('blue');
  });

  it('get answers null for a key never written, and stores the empty string as a value', () => {
    const r = new Replica();
    expect(r.machine.get('missing')).toBeNull();
    r.write(put('a', 1, 'empty', ''));
    expect(r.machine.get('empty')).toBe('');
  });

  it('delete answers whether the key existed, and removes it', () => {
    const r = new Replica();
    r.write(put('a', 1, 'k', 'v'));
    expect(r.write(del('a', 2, 'k'))).toEqual({ ok: true, op: 'delete', existed: true });
    expect(r.machine.get('k')).toBeNull();
    expect(r.write(del('a', 3, 'k'))).toEqual({ ok: true, op: 'delete', existed: false });
  });

  it('cas swaps when the current value is the expected one', () => {
    const r = new Replica();
    r.write(put('a', 1, 'k', 'old'));
    expect(r.write(cas('a', 2, 'k', 'old', 'new'))).toEqual({ ok: true, op: 'cas', swapped: true });
    expect(r.machine.get('k')).toBe('new');
  });

  it('cas that finds another value changes nothing and answers the value it found', () => {
    const r = new Replica();
    r.write(put('a', 1, 'k', 'theirs'));
    expect(r.write(cas('a', 2, 'k', 'mine', 'new'))).toEqual({ ok: true, op: 'cas', swapped: false, current: 'theirs' });
    expect(r.machine.get('k')).toBe('theirs');
  });

  it('cas with expected null creates an absent key, and fails on a present one', () => {
    const r = new Replica();
    expect(r.write(cas('a', 1, 'k', null, 'first'))).toEqual({ ok: true, op: 'cas', swapped: true });
    expect(r.write(cas('b', 1, 'k', null, 'second'))).toEqual({ ok: true, op: 'cas', swapped: false, current: 'first' });
    expect(r.machine.get('k')).toBe('first');
  });

  it('cas expecting a value on an absent key fails and answers current null', () => {
    const r = new Replica();
    expect(r.write(cas('a', 1, 'k', 'x', 'y'))).toEqual({ ok: true, op: 'cas', swapped: false, current: null });
    expect(r.machine.get('k')).toBeNull();
  });

  it('submit answers nothing beyond ok, leaves the data alone and is counted', () => {
    const r = new Replica();
    expect(r.write(submit('a', 1, 'hello'))).toEqual({ ok: true, op: 'submit' });
    expect(r.machine.stats()).toMatchObject({ keys: 0, submitted: 1 });
  });

  it('keys like __proto__ and constructor are ordinary data', () => {
    const r = new Replica();
    r.write(put('a', 1, '__proto__', 'p'));
    r.write(put('a', 2, 'constructor', 'c'));
    expect(r.machine.get('__proto__')).toBe('p');
    expect(r.machine.get('constructor')).toBe('c');
    expect(r.machine.get('toString')).toBeNull();
    expect(r.machine.stats().keys).toBe(2);
  });

  it('the apply result names the entry and its session', () => {
    const r = new Replica();
    r.noop(3);
    const applied = r.entry('{"v":1,"op":"put","clientId":"a","seq":1,"key":"k","value":"v"}', 3);
    expect(applied).toEqual({ index: 2, term: 3, clientId: 'a', seq: 1, result: { ok: true, op: 'put', previous: null } });
  });

  it('stats count keys, bytes of keys and values, sessions and submits', () => {
    const r = Replica.create({ maxSessions: 7 });
    r.write(put('a', 1, 'k', 'vv'));
    r.write(put('b', 1, 'ключ', '😀'));
    r.write(put('a', 2, 'k', 'v'));
    r.write(submit('c', 1, 'text'));
    expect(r.machine.stats()).toEqual({ appliedIndex: 4, keys: 2, dataBytes: 1 + 1 + 8 + 4, sessions: 3, maxSessions: 7, submitted: 1 });
    r.write(del('a', 3, 'ключ'));
    expect(r.machine.stats().dataBytes).toBe(2);
  });
});
