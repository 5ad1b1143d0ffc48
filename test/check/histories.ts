// Hand-made histories for the checker's tests: one line per operation, times in ms.
import type { History, Operation, OpOutcome } from '../../src/check/history.js';

type Op = Omit<Operation, 'id'>;
type Ending = 'ok' | 'fail' | 'info';

function outcome(ending: Ending, value?: string | null): OpOutcome {
  if (ending === 'fail') return { type: 'fail', reason: 'refused' };
  if (ending === 'info') return { type: 'info', reason: 'timed out' };
  return value === undefined ? { type: 'ok' } : { type: 'ok', value };
}

/** A history of these operations, numbered in invocation order. */
export function history(...ops: Op[]): History {
  const sorted = ops.slice().sort((a, b) => a.invokedAt - b.invokedAt);
  return { operations: sorted.map((op, id) => ({ id, ...op })) };
}

export function write(client: number, key: string, value: string, invokedAt: number, completedAt: number, ending: Ending = 'ok'): Op {
  return { client, input: { kind: 'write', key, value }, invokedAt, completedAt, outcome: outcome(ending) };
}

/** A read that returned `value`, or with `ending` 'info', one that never answered. */
export function read(client: number, key: string, value: string | null, invokedAt: number, completedAt: number, ending: Ending = 'ok'): Op {
  return { client, input: { kind: 'read', key }, invokedAt, completedAt, outcome: outcome(ending, ending === 'ok' ? value : undefined) };
}

export function cas(
  client: number,
  key: string,
  expected: string | null,
  value: string,
  invokedAt: number,
  completedAt: number,
  ending: Ending = 'ok',
): Op {
  return { client, input: { kind: 'cas', key, expected, value }, invokedAt, completedAt, outcome: outcome(ending) };
}

/**
 * Twenty concurrent writes, then reads of two of their values one after the other: not
 * linearizable, and the search only finds out after trying a great many orders of the writes.
 */
export function hardToDecide(): History {
  return history(
    ...Array.from({ length: 20 }, (_, i) => write(i + 1, 'x', `v${i}`, 0, 100)),
    read(99, 'x', 'v0', 200, 210),
    read(99, 'x', 'v1', 220, 230),
  );
}
