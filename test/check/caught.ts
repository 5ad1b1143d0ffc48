// What `check` must say of a cluster that runs a known bug: a violation that is a safety finding.
import { expect } from 'vitest';
import type { RunSummary } from '../../src/check/run-report.js';
import type { Cli } from '../cli/helpers.js';

/** Runs `check --json` with `args`; expects a violation that is a safety finding, and returns the summary. */
export async function expectCaught(cli: Cli, bug: string, args: string[]): Promise<RunSummary> {
  const r = await cli.run('check', ...args, '--json');
  expect(r.code, r.stderr + r.stdout.slice(0, 4000)).toBe(1);
  const s = JSON.parse(r.stdout) as RunSummary;
  expect(s.result).toBe('violation');
  expect(s.cluster.switches).toContain(`BUG ${bug} ON`);
  // A safety finding, not only a cluster that failed to settle: committed entries differ between
  // nodes, two leaders shared a term, or the clients saw a history no single copy of the data explains.
  const safety = s.checks.filter((c) => c.name !== 'settled' && c.ok === false).map((c) => c.name);
  if (s.linearizability.result === 'not-linearizable') safety.push('linearizable');
  expect(safety, JSON.stringify(s.checks, null, 1)).not.toEqual([]);
  return s;
}
