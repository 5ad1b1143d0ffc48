// The session table is bounded. The least recently used session goes, where recency is the log
// index of the client's latest entry, so every replica evicts the same ones.
import { describe, expect, it } from 'vitest';
import { KvStateMachine } from '../../src/kv/index.js';
import { forSeeds, put, randomLog, Replica } from './fixtures.js';

describe('session eviction', () => {
  it('keeps at most maxSessions, evicting the least recently used by log index', () => {
    const r = Replica.create({ maxSessions: 2 });
    r.write(put('a', 1, 'k', 'a'));
    r.write(put('b', 1, 'k', 'b'));
    r.write(put('a', 2, 'k', 'a2')); // a is now more recent than b
    r.write(put('c', 1, 'k', 'c')); // evicts b
    expect(r.machine.stats().sessions).toBe(2);
    expect(r.write(put('a', 2, 'k', 'a2'))).toEqual({ ok: true, op: 'put', previous: 'b' }); // a kept
    expect(r.write(put('b', 2, 'k', 'b2'))).toMatchObject({ ok: false, code: 'session-expired' }); // b gone
    expect(r.machine.get('k')).toBe('c');
  });

  it('a retry or a stale duplicate counts as use and keeps the session', () => {
    const r = Replica.create({ maxSessions: 2 });
    r.write(put('a', 1, 'k', 'a1'));
    r.write(put('a', 2, 'k', 'a2'));
    r.write(put('b', 1, 'k', 'b'));
    r.write(put('a', 1, 'k', 'a1')); // stale, yet a is alive: now b is the least recent
    r.write(put('c', 1, 'k', 'c'));
    expect(r.write(put('a', 2, 'k', 'a2'))).toEqual({ ok: true, op: 'put', previous: 'a1' });
    expect(r.write(put('b', 2, 'k', 'b2'))).toMatchObject({ ok: false, code: 'session-expired' });
  });

  it('a write refused as session-expired opens no session and evicts nobody', () => {
    const r = Replica.create({ maxSessions: 1 });
    r.write(put('a', 1, 'k', 'a'));
    r.write(put('ghost', 7, 'k', 'g'));
    expect(r.write(put('a', 1, 'k', 'a'))).toEqual({ ok: true, op: 'put', previous: null });
  });

  it('two replicas fed the same log evict the same sessions, one of them restored from snapshots on the way', () => {
    forSeeds(20, (seed) => {
      const log = randomLog(seed, 600, { clients: 10 });
      const one = new KvStateMachine({ maxSessions: 4 });
      let two = new KvStateMachine({ maxSessions: 4 });
      for (const entry of log) {
        // A restored table is rebuilt from the snapshot: its eviction order must be the original's.
        if (entry.index % 37 === 0) two = KvStateMachine.restore(two.serialize());
        expect(two.apply(entry)).toEqual(one.apply(entry));
        expect(two.stats()).toEqual(one.stats());
      }
      expect(one.stats().sessions).toBe(4);
      expect(two.serialize()).toBe(one.serialize());
    });
  });
});
