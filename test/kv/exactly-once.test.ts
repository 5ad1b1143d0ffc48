// Exactly-once writes: a client's retry of the same (clientId, seq), e.g. after a leader change
// made it unsure whether its write went through, is answered from its session and never applied
// twice.
import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/kv/index.js';
import { cas, del, put, Replica, submit } from './fixtures.js';

describe('exactly-once writes', () => {
  it('the same command applied twice gives the same result and one effect', () => {
    const r = new Replica();
    r.write(put('setup', 1, 'k', 'v0'));
    const data = encodeCommand(put('a', 1, 'k', 'v1'));
    const first = r.entry(data, 1);
    const retry = r.entry(data, 2); // proposed again to the next leader, committed at a later index
    expect(first.result).toEqual({ ok: true, op: 'put', previous: 'v0' });
    expect(retry.result).toEqual(first.result);
    expect(retry).toMatchObject({ index: 3, term: 2, clientId: 'a', seq: 1 });
    expect(r.machine.get('k')).toBe('v1');
  });

  it('a retried cas answers its original outcome, though the value it set now makes it fail', () => {
    const r = new Replica();
    r.write(put('a', 1, 'k', 'old'));
    const swap = cas('a', 2, 'k', 'old', 'new');
    expect(r.write(swap)).toEqual({ ok: true, op: 'cas', swapped: true });
    expect(r.write(swap)).toEqual({ ok: true, op: 'cas', swapped: true });
  });

  it('a retried delete answers existed: true, as the first time, though the key is gone', () => {
    const r = new Replica();
    r.write(put('a', 1, 'k', 'v'));
    expect(r.write(del('a', 2, 'k'))).toEqual({ ok: true, op: 'delete', existed: true });
    expect(r.write(del('a', 2, 'k'))).toEqual({ ok: true, op: 'delete', existed: true });
  });

  it('a retried submit is counted once', () => {
    const r = new Replica();
    r.write(submit('a', 1, 'once'));
    r.write(submit('a', 1, 'once'));
    expect(r.machine.stats().submitted).toBe(1);
  });

  it('a retry is matched on (clientId, seq) alone: it gets the original result whatever its body', () => {
    const r = new Replica();
    r.write(put('a', 1, 'k', 'first'));
    expect(r.write(put('a', 1, 'k', 'different'))).toEqual({ ok: true, op: 'put', previous: null });
    expect(r.machine.get('k')).toBe('first');
  });

  it('an older seq is a stale duplicate: answered stale-sequence, not applied', () => {
    const r = new Replica();
    r.write(put('a', 1, 'k', 'one'));
    r.write(put('a', 2, 'k', 'two'));
    expect(r.write(put('a', 1, 'k', 'one'))).toEqual({
      ok: false,
      code: 'stale-sequence',
      message: 'seq 1 of client a is a stale duplicate: its latest is 2',
    });
    expect(r.machine.get('k')).toBe('two');
    // The latest result is still the one a retry of seq 2 gets.
    expect(r.write(put('a', 2, 'k', 'two'))).toEqual({ ok: true, op: 'put', previous: 'one' });
    expect(r.machine.get('k')).toBe('two');
  });

  it('interleaved clients keep separate sessions', () => {
    const r = new Replica();
    expect(r.write(put('a', 1, 'x', 'a1'))).toEqual({ ok: true, op: 'put', previous: null });
    expect(r.write(put('b', 1, 'x', 'b1'))).toEqual({ ok: true, op: 'put', previous: 'a1' });
    expect(r.write(put('a', 2, 'x', 'a2'))).toEqual({ ok: true, op: 'put', previous: 'b1' });
    // b's retry of its seq 1 is b's: answered from b's session, even though a has moved on.
    expect(r.write(put('b', 1, 'x', 'b1'))).toEqual({ ok: true, op: 'put', previous: 'a1' });
    expect(r.write(put('a', 1, 'x', 'a1'))).toMatchObject({ ok: false, code: 'stale-sequence' });
    expect(r.write(put('b', 2, 'x', 'b2'))).toEqual({ ok: true, op: 'put', previous: 'a2' });
    expect(r.machine.get('x')).toBe('b2');
  });

  it('sequence numbers may skip: any seq above the latest is a new command', () => {
    const r = new Replica();
    r.write(put('a', 1, 'k', 'v1'));
    expect(r.write(put('a', 5, 'k', 'v5'))).toEqual({ ok: true, op: 'put', previous: 'v1' });
    expect(r.write(put('a', 3, 'k', 'v3'))).toMatchObject({ ok: false, code: 'stale-sequence' });
  });

  it('a client with no session must open one with seq 1; a later seq is session-expired and not applied', () => {
    const r = new Replica();
    expect(r.write(put('newcomer', 2, 'k', 'v'))).toEqual({
      ok: false,
      code: 'session-expired',
      message: 'client newcomer has no session (expired or never opened) and seq 2 is not 1: start over under a new clientId',
    });
    expect(r.machine.get('k')).toBeNull();
    expect(r.machine.stats().sessions).toBe(0);
    expect(r.write(put('newcomer', 1, 'k', 'v'))).toEqual({ ok: true, op: 'put', previous: null });
  });
});
