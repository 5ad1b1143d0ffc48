// What a history holds and what the checker found, as short human report sections.
import { plural, thousands } from '../cluster-model/plural.js';
import type { History, OpKind, OpOutcome } from './history.js';
import type { Verdict } from './linearizability.js';
import { MAX_STATES } from './search.js';

export type OutcomeCounts = Record<OpOutcome['type'], number>;

export interface HistorySummary {
  operations: number;
  clients: number;
  keys: number;
  /** From the first invocation to the last completion; 0 for an empty history. */
  durationMs: number;
  byKind: Record<OpKind, OutcomeCounts>;
}

export function summarize(history: History): HistorySummary {
  const zero = (): OutcomeCounts => ({ ok: 0, fail: 0, info: 0 });
  const byKind: Record<OpKind, OutcomeCounts> = { read: zero(), write: zero(), cas: zero() };
  const clients = new Set<number>();
  const keys = new Set<string>();
  let first = Infinity;
  let last = -Infinity;
  for (const op of history.operations) {
    byKind[op.input.kind][op.outcome.type]++;
    clients.add(op.client);
    keys.add(op.input.key);
    first = Math.min(first, op.invokedAt);
    last = Math.max(last, op.completedAt);
  }
  const operations = history.operations.length;
  return { operations, clients: clients.size, keys: keys.size, durationMs: operations === 0 ? 0 : last - first, byKind };
}

/** "12,000 operations by 10 clients on 5 keys over 31.2 s", then one line per kind of operation. */
export function formatSummary(s: HistorySummary): string[] {
  const lines = [
    `${plural(s.operations, 'operation')} by ${plural(s.clients, 'client')} on ${plural(s.keys, 'key')} over ${(s.durationMs / 1000).toFixed(1)} s`,
  ];
  const labels: Record<OpKind, string> = { read: 'reads', write: 'writes', cas: 'cas' };
  for (const kind of ['read', 'write', 'cas'] as const) {
    const c = s.byKind[kind];
    const total = c.ok + c.fail + c.info;
    if (total === 0) continue;
    const parts = [`${thousands(c.ok)} ok`];
    if (c.fail > 0) parts.push(`${thousands(c.fail)} failed`);
    if (c.info > 0) parts.push(`${thousands(c.info)} indeterminate`);
    lines.push(`  ${labels[kind].padEnd(6)} ${thousands(total).padStart(8)}  (${parts.join(', ')})`);
  }
  return lines;
}

/** The verdict: one headline, then each key that is not linearizable with its window, and each unknown one. */
export function formatVerdict(v: Verdict): string[] {
  const explored = v.keys.reduce((sum, k) => sum + k.explored, 0);
  const stats = `${plural(v.keys.length, 'key')}, ${plural(v.operations, 'operation')}, ${plural(explored, 'state')} explored in ${(v.elapsedMs / 1000).toFixed(2)} s`;
  const bad = v.keys.filter((k) => k.result === 'not-linearizable');
  const unknown = v.keys.filter((k) => k.result === 'unknown');
  const lines: string[] = [];
  if (v.result === 'linearizable') lines.push(`Linearizable: every key's history fits a single copy of the register (${stats}).`);
  else if (v.result === 'not-linearizable')
    lines.push(`NOT linearizable: ${plural(bad.length, 'key')} of ${thousands(v.keys.length)} (${stats}).`);
  else {
    const budget = v.budgetMs < 1000 ? `${v.budgetMs} ms` : `${(v.budgetMs / 1000).toFixed(1)} s`;
    lines.push(
      `Unknown: the search reached its limits (${budget}, or ${thousands(MAX_STATES)} states on one key) before finishing (${stats}).`,
    );
  }

  for (const k of bad) {
    lines.push('', `Key ${k.key}: not linearizable (${plural(k.operations, 'operation')} checked).`);
    for (const line of k.failure!.text.split('\n')) lines.push(`  ${line}`);
  }
  if (unknown.length > 0) {
    const names = unknown.map((k) => k.key).join(', ');
    lines.push(
      '',
      `Not decided within the budget: ${unknown.length === 1 ? 'key' : 'keys'} ${names}. A larger time budget may settle ${unknown.length === 1 ? 'it' : 'them'}.`,
    );
  }
  return lines;
}
