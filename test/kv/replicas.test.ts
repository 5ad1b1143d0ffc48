// Determinism, property-style: replicas applying the same seeded random log (valid writes, retries,
// stale duplicates, writes without a session, oversized and malformed entries, noops, config
// entries) stay byte-identical, and agree with the reference model on every result.
import { describe, expect, it } from 'vitest';
import { KvStateMachine } from '../../src/kv/index.js';
import { forSeeds, randomLog } from './fixtures.js';
import { ModelKv, withoutMessage } from './model.js';

describe('replicas fed the same log', () => {
  it('stay byte-identical in serialize() after every entry', () => {
    forSeeds(30, (seed) => {
      const one = new KvStateMachine({ maxSessions: 5 });
      const two = new KvStateMachine({ maxSessions: 5 });
      for (const entry of randomLog(seed, 300, { clients: 8 })) {
        expect(two.apply(entry)).toEqual(one.apply(entry));
        expect(two.serialize()).toBe(one.serialize());
      }
    });
  });

  it('give the results of the reference model, and hold its data', () => {
    const outcomes = new Map<string, number>();
    forSeeds(50, (seed) => {
      const machine = new KvStateMachine({ maxSessions: 4 });
      const model = new ModelKv(4);
      for (const entry of randomLog(seed, 800, { clients: 9 })) {
        const applied = machine.apply(entry);
        const expected = model.apply(entry);
        expect(
          withoutMessage(applied?.result ?? null),
          `entry ${entry.index}: ${entry.type === 'normal' ? entry.data : entry.type}`,
        ).toEqual(expected);
        const kind = applied === null ? entry.type : applied.result.ok ? applied.result.op : applied.result.code;
        outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
      }
      for (const [key, value] of model.data) expect(machine.get(key)).toBe(value);
      expect(machine.stats()).toMatchObject({ keys: model.data.size, submitted: model.submitted });
    });
    // The logs really exercised every path, not only the happy one.
    const kinds = [
      'noop',
      'config',
      'submit',
      'put',
      'delete',
      'cas',
      'malformed',
      'unsupported-version',
      'too-large',
      'stale-sequence',
      'session-expired',
    ];
    for (const kind of kinds) expect(outcomes.get(kind) ?? 0, kind).toBeGreaterThan(0);
  });
});
