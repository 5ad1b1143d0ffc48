import { describe, expect, it } from 'vitest';
import type { History } from '../../src/check/history.js';
import { checkHistory, type KeyVerdict } from '../../src/check/linearizability.js';
import { cas, hardToDecide, history, read, write } from './histories.js';

/** Checks a history that must fail on key x; the window it reports must fail on its own too. */
function failureOf(h: History): NonNullable<KeyVerdict['failure']> {
  const verdict = checkHistory(h);
  expect(verdict.result).toBe('not-linearizable');
  const x = verdict.keys.find((k) => k.key === 'x')!;
  expect(x.result).toBe('not-linearizable');
  const failure = x.failure!;
  expect(failure.window).toContain(failure.op);
  expect(checkHistory({ operations: failure.window }).result).toBe('not-linearizable');
  return failure;
}

describe('checkHistory on linearizable histories', () => {
  it('accepts a sequential history of reads, writes and cas', () => {
    const h = history(
      read(1, 'x', null, 0, 5),
      write(1, 'x', 'a', 10, 20),
      read(2, 'x', 'a', 30, 40),
      cas(1, 'x', 'a', 'b', 50, 60),
      read(2, 'x', 'b', 70, 80),
      cas(2, 'x', 'a', 'c', 90, 100, 'fail'),
      read(1, 'x', 'b', 110, 120),
    );
    const verdict = checkHistory(h);
    expect(verdict.result).toBe('linearizable');
    expect(verdict.keys).toEqual([{ key: 'x', result: 'linearizable', operations: 6, explored: 6 }]);
  });

  it('accepts concurrent operations that fit one order, even one different from the order they started in', () => {
    const h = history(
      write(1, 'x', 'a', 0, 50),
      write(2, 'x', 'b', 10, 60),
      read(3, 'x', 'b', 20, 30),
      read(3, 'x', 'a', 40, 70),
      read(4, 'x', 'a', 65, 80),
    );
    expect(checkHistory(h).result).toBe('linearizable');
  });

  it('counts operations that only touch in time as concurrent', () => {
    const h = history(write(1, 'x', 'a', 0, 10), read(2, 'x', null, 10, 20));
    expect(checkHistory(h).result).toBe('linearizable');
  });

  it('checks each key on its own', () => {
    const h = history(write(1, 'x', 'a', 0, 10), write(2, 'y', 'b', 0, 10), read(1, 'x', 'a', 20, 30), read(2, 'y', 'b', 20, 30));
    const verdict = checkHistory(h);
    expect(verdict.result).toBe('linearizable');
    expect(verdict.keys.map((k) => [k.key, k.operations])).toEqual([
      ['x', 2],
      ['y', 2],
    ]);
  });

  it('accepts an empty history', () => {
    expect(checkHistory({ operations: [] })).toMatchObject({ result: 'linearizable', keys: [], operations: 0 });
  });
});

describe('checkHistory on histories that are not linearizable', () => {
  it('rejects a stale read: a read after a completed write returns the value before it', () => {
    const h = history(write(1, 'x', 'a', 0, 10), write(2, 'x', 'b', 20, 30), read(3, 'x', 'a', 40, 50));
    const failure = failureOf(h);
    expect(failure.op).toBe(h.operations[2]);
    expect(failure.window).toEqual(h.operations);
    expect(failure.text).toContain("The read of x by client 3 returned 'a', but x could only hold 'b' while the read ran");
    expect(failure.text).toContain("the last change to x completed before the read started (client 2: write x 'b', 20..30 ms) set 'b'");
    expect(failure.text).toMatch(/client 3 {2}read x -> 'a' {2}40\.\.50 {2}<- cannot be placed/);
  });

  it('rejects a lost write: acknowledged, read once, then gone with no write after it', () => {
    const h = history(
      write(1, 'x', 'a', 0, 10),
      read(2, 'x', 'a', 20, 30),
      write(1, 'x', 'b', 40, 50),
      read(2, 'x', 'b', 60, 70),
      read(3, 'x', 'a', 80, 90),
      read(2, 'x', 'a', 100, 110),
    );
    const failure = failureOf(h);
    expect(failure.op).toBe(h.operations[4]);
    expect(failure.text).toContain("returned 'a', but x could only hold 'b' while the read ran");
  });

  it('rejects a read of a value nobody wrote', () => {
    const h = history(write(1, 'x', 'a', 0, 10), read(2, 'x', 'z', 20, 30));
    const failure = failureOf(h);
    expect(failure.op).toBe(h.operations[1]);
    expect(failure.text).toContain("no operation ever wrote 'z' to x");
  });

  it('rejects a read of a value that only a failed write wrote, and names that write: a failure had no effect', () => {
    const h = history(write(1, 'x', 'z', 0, 10, 'fail'), read(2, 'x', 'z', 20, 30));
    const text = failureOf(h).text;
    expect(text).toContain("only an operation answered as failed would have written 'z' to x (client 1: write x 'z', answered fail");
    expect(text).toContain('so the cluster applied a write it said it had not');
  });

  it('rejects a read of a value written only after the read ended', () => {
    const h = history(read(2, 'x', 'a', 0, 10), write(1, 'x', 'a', 20, 30));
    expect(failureOf(h).text).toContain(
      "'a' was only written later (client 1: write x 'a' started at 20 ms, after the read ended at 10 ms)",
    );
  });

  it('rejects two cas that both swapped from the same value with no write between them', () => {
    const h = history(write(1, 'x', 'a', 0, 10), cas(1, 'x', 'a', 'b', 20, 30), cas(2, 'x', 'a', 'b', 40, 50));
    const failure = failureOf(h);
    expect(failure.op).toBe(h.operations[2]);
    expect(failure.window).toEqual(h.operations);
    expect(failure.text).toContain("The cas of x by client 2 from 'a' to 'b' succeeded, but x could only hold 'b' while the cas ran");
  });

  it('rejects two cas that both swapped from the same value while overlapping', () => {
    const h = history(write(1, 'x', 'a', 0, 10), cas(1, 'x', 'a', 'b', 20, 50), cas(2, 'x', 'a', 'c', 30, 60), read(3, 'x', 'c', 70, 80));
    const failure = failureOf(h);
    expect(failure.text).toContain(
      "The cas of x by client 2 from 'a' to 'c' succeeded, but x could only hold 'b' while the cas ran; and in the orders where it does take effect, client 1's cas x 'a' -> 'b' cannot.",
    );
  });

  it('rejects two readers that see two concurrent writes in opposite orders', () => {
    const h = history(
      write(1, 'x', 'a', 0, 100),
      write(2, 'x', 'b', 0, 100),
      read(3, 'x', 'a', 10, 20),
      read(3, 'x', 'b', 30, 40),
      read(4, 'x', 'b', 10, 20),
      read(4, 'x', 'a', 30, 40),
    );
    failureOf(h);
  });

  it('reports the key that fails and still checks the others', () => {
    const h = history(write(1, 'y', 'a', 0, 10), read(1, 'y', 'a', 20, 30), write(2, 'x', 'a', 0, 10), read(2, 'x', 'b', 20, 30));
    const verdict = checkHistory(h);
    expect(verdict.keys.map((k) => [k.key, k.result])).toEqual([
      ['x', 'not-linearizable'],
      ['y', 'linearizable'],
    ]);
  });

  it('leaves operations that cannot matter out of the window', () => {
    const h = history(
      write(1, 'x', 'a', 0, 10),
      read(2, 'x', 'a', 12, 14),
      write(1, 'x', 'b', 20, 30),
      read(2, 'x', 'b', 32, 34),
      write(1, 'x', 'c', 40, 50),
      read(2, 'x', 'c', 52, 54),
      write(1, 'x', 'd', 60, 70),
      read(3, 'x', 'c', 80, 90),
      read(2, 'x', 'd', 95, 99),
    );
    const failure = failureOf(h);
    expect(failure.op).toBe(h.operations[7]);
    expect(failure.window.map((op) => op.id)).toEqual([4, 6, 7]);
  });
});

describe('checkHistory with indeterminate operations', () => {
  it('assumes an indeterminate write happened when a later read sees its value', () => {
    const h = history(write(1, 'x', 'a', 0, 10), write(2, 'x', 'b', 20, 30, 'info'), read(3, 'x', 'b', 100, 110));
    expect(checkHistory(h).result).toBe('linearizable');
  });

  it('lets an indeterminate write take effect after its client gave up', () => {
    const h = history(write(2, 'x', 'b', 0, 10, 'info'), read(3, 'x', null, 20, 30), read(3, 'x', 'b', 40, 50));
    expect(checkHistory(h).result).toBe('linearizable');
  });

  it('accepts indeterminate writes whose values are never seen', () => {
    const h = history(
      write(1, 'x', 'a', 0, 10),
      write(2, 'x', 'b', 20, 30, 'info'),
      write(3, 'x', 'c', 25, 35, 'info'),
      read(1, 'x', 'a', 40, 50),
      read(1, 'x', 'a', 200, 210),
      read(1, 'x', 'a', 220, 230, 'info'),
    );
    expect(checkHistory(h)).toMatchObject({ result: 'linearizable', keys: [{ operations: 3 }] });
  });

  it('accepts an indeterminate cas seen to have swapped, and one that did not', () => {
    const h = history(
      write(1, 'x', 'a', 0, 10),
      cas(2, 'x', 'a', 'b', 20, 30, 'info'),
      cas(3, 'x', 'a', 'c', 22, 32, 'info'),
      read(1, 'x', 'b', 40, 50),
    );
    expect(checkHistory(h).result).toBe('linearizable');
  });

  it('accepts an indeterminate write of a value others also write, seen or not', () => {
    const h = history(
      write(1, 'x', 'a', 0, 10),
      write(2, 'x', 'b', 20, 30, 'info'),
      write(3, 'x', 'b', 200, 210, 'info'),
      read(1, 'x', 'a', 40, 50),
      read(1, 'x', 'b', 300, 310),
    );
    expect(checkHistory(h).result).toBe('linearizable');
  });

  it('rejects an old value read after an indeterminate write was seen to take effect', () => {
    const h = history(write(1, 'x', 'a', 0, 10), write(2, 'x', 'b', 20, 30, 'info'), read(3, 'x', 'b', 40, 50), read(3, 'x', 'a', 60, 70));
    const failure = failureOf(h);
    expect(failure.op).toBe(h.operations[3]);
    expect(failure.text).toMatch(/write x 'b' +20\.\.\? +indeterminate: gave up at 30/);
    expect(failure.text).toContain(
      "the last change to x known to be done before the read started (client 2: write x 'b', indeterminate, seen done by 50 ms)",
    );
  });
});

describe('checkHistory within a time budget', () => {
  const hard = hardToDecide();

  it('answers unknown for keys it could not finish or reach once the budget is spent', () => {
    let t = 0;
    const now = (): number => t++;
    const verdict = checkHistory({ operations: [...hard.operations, { ...write(1, 'y', 'a', 0, 1), id: 100 }] }, { budgetMs: 50, now });
    expect(verdict.result).toBe('unknown');
    expect(verdict.keys.map((k) => [k.key, k.result])).toEqual([
      ['x', 'unknown'],
      ['y', 'unknown'],
    ]);
    expect(verdict.keys[0]!.explored).toBeGreaterThan(0);
    expect(verdict.keys[1]!.explored).toBe(0);
    expect(verdict.elapsedMs).toBeGreaterThan(50);
  });

  it('decides a history the budget covers, reading the clock only now and then', () => {
    let t = 0;
    const now = (): number => t++;
    const h = history(write(1, 'x', 'a', 0, 10), read(2, 'x', 'a', 20, 30));
    expect(checkHistory(h, { budgetMs: 50, now }).result).toBe('linearizable');
    expect(t).toBeLessThan(10);
  });
});

describe('checkHistory on malformed histories', () => {
  it('names an operation that completes before it is invoked', () => {
    const h = history(write(1, 'x', 'a', 10, 5));
    expect(() => checkHistory(h)).toThrow('operation 0: it completes (at 5 ms) before it is invoked (at 10 ms)');
  });

  it('names a successful read without a value', () => {
    const h = history({ client: 1, input: { kind: 'read', key: 'x' }, invokedAt: 0, completedAt: 1, outcome: { type: 'ok' } });
    expect(() => checkHistory(h)).toThrow('operation 0: a read that succeeded must carry the value it saw');
  });

  it('names an id used twice', () => {
    const [a] = history(write(1, 'x', 'a', 0, 1)).operations;
    expect(() => checkHistory({ operations: [a!, a!] })).toThrow('operation 0: the id is used twice in the history');
  });
});
