// `npm run bench:checker`: how fast the linearizability checker decides generated histories
// (src/check/generate.ts: clients on a real register, random overlaps, some indeterminate
// operations). The target: 10,000 operations over 5 keys in under 10 s.
//
// Prints one JSON line per measurement, then a table.
import { Command } from 'commander';
import { generateHistory, withImpossibleRead, withStaleRead, type GenerateOptions } from '../src/check/generate.js';
import { checkHistory } from '../src/check/linearizability.js';
import { renderTable } from './table.js';

interface Measurement {
  bench: string;
  operations: number;
  keys: number;
  clients: number;
  values: string;
  result: string;
  seconds: number;
  opsPerSecond: number;
  states: number;
}

const SEED = 1;

function measure(bench: string, o: GenerateOptions, broken?: 'impossible' | 'stale'): Measurement {
  let history = generateHistory(o);
  if (broken === 'impossible') history = withImpossibleRead(history, o.seed).history;
  if (broken === 'stale') history = withStaleRead(history)!.history;
  const started = performance.now();
  const verdict = checkHistory(history, { budgetMs: 120_000 });
  const seconds = (performance.now() - started) / 1000;
  return {
    bench,
    operations: o.operations,
    keys: o.keys,
    clients: o.clients,
    values: String(o.values ?? 'unique'),
    result: verdict.result,
    seconds,
    opsPerSecond: Math.round(o.operations / seconds),
    states: verdict.keys.reduce((n, k) => n + k.explored, 0),
  };
}

function main(): void {
  const base = { seed: SEED, operations: 10_000, keys: 5, clients: 10, indeterminate: 0.02 };
  measure('warm-up', base);
  const results: Measurement[] = [];
  const record = (m: Measurement): void => {
    results.push(m);
    console.log(JSON.stringify(m));
  };
  record(measure('linearizable', base));
  record(measure('linearizable', { ...base, operations: 100_000 }));
  record(measure('linearizable', { ...base, values: 5 }));
  record(measure('linearizable', { ...base, keys: 1, clients: 20 }));
  record(measure('one impossible read', base, 'impossible'));
  record(measure('one impossible read', { ...base, values: 5 }, 'impossible'));
  record(measure('one stale read', base, 'stale'));
  record(measure('one stale read', { ...base, keys: 1, clients: 20 }, 'stale'));
  // Few values written over and over by many clients on one key: the hard case for any checker.
  record(measure('linearizable', { ...base, keys: 1, clients: 30, values: 5 }));

  const head = ['bench', 'operations', 'keys', 'clients', 'values', 'result', 'seconds', 'ops/s', 'states'];
  const rows = results.map((m) => [
    m.bench,
    m.operations.toLocaleString('en-US'),
    String(m.keys),
    String(m.clients),
    m.values,
    m.result,
    m.seconds.toFixed(3),
    m.opsPerSecond.toLocaleString('en-US'),
    m.states.toLocaleString('en-US'),
  ]);
  console.log('');
  console.log(renderTable(head, rows, { rule: false }));
}

new Command('bench:checker')
  .description('how fast the linearizability checker decides generated histories, linearizable and not')
  .action(main)
  .parse();
