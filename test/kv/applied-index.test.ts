// The applied index: every entry advances it by one, whatever its type, and an entry out of order
// is refused loudly, since applying it would make this replica diverge (a bug in the runtime).
import { describe, expect, it } from 'vitest';
import { encodeCommand, KvStateMachine } from '../../src/kv/index.js';
import { normal, put, Replica } from './fixtures.js';

describe('the applied index', () => {
  it('starts at 0 and advances with every entry: noop and config entries give no result', () => {
    const m = new KvStateMachine();
    expect(m.appliedIndex).toBe(0);
    expect(m.apply({ type: 'noop', index: 1, term: 1 })).toBeNull();
    expect(
      m.apply({
        type: 'config',
        index: 2,
        term: 1,
        change: { type: 'add-learner', node: 4 },
        membership: { voters: [1, 2, 3], learners: [4] },
      }),
    ).toBeNull();
    expect(m.appliedIndex).toBe(2);
    expect(m.apply(normal(3, encodeCommand(put('a', 1, 'k', 'v'))))).toMatchObject({ index: 3 });
    expect(m.appliedIndex).toBe(3);
    expect(m.apply(normal(4, 'not a command'))).toMatchObject({ index: 4, result: { ok: false } });
    expect(m.appliedIndex).toBe(4);
  });

  it('refuses an entry that skips ahead, repeats, or goes back, and changes nothing', () => {
    const r = new Replica();
    r.write(put('a', 1, 'k', 'v'));
    r.noop();
    const before = r.machine.serialize();
    const data = encodeCommand(put('a', 2, 'k', 'w'));
    expect(() => r.machine.apply(normal(4, data))).toThrow('kv state machine: cannot apply entry 4, the next to apply is 3');
    expect(() => r.machine.apply(normal(2, data))).toThrow('cannot apply entry 2, the next to apply is 3');
    expect(() => r.machine.apply({ type: 'noop', index: 1, term: 1 })).toThrow('cannot apply entry 1');
    expect(r.machine.serialize()).toBe(before);
  });

  it('continues from a restored snapshot: the next entry is the one after it', () => {
    const r = new Replica();
    for (let i = 0; i < 5; i++) r.noop();
    const restored = KvStateMachine.restore(r.machine.serialize());
    expect(restored.appliedIndex).toBe(5);
    expect(() => restored.apply({ type: 'noop', index: 5, term: 1 })).toThrow('the next to apply is 6');
    expect(restored.apply({ type: 'noop', index: 6, term: 1 })).toBeNull();
  });
});
