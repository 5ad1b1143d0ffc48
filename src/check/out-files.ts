// The files `check --out DIR` writes, for a closer look after the run (docs/CHECK.md lists them):
// the history, the fault timeline, the verdict, and the cluster's events. Times are milliseconds
// since the clients started, as in the report.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CheckRun } from './run.js';
import type { RunSummary } from './run-report.js';

export const OUT_FILES = ['history.json', 'faults.json', 'verdict.json', 'events.ndjson'] as const;

/** Writes the files into `dir` (created if needed); returns their paths. */
export async function writeRunFiles(dir: string, run: CheckRun, summary: RunSummary): Promise<string[]> {
  const folder = resolve(dir);
  await mkdir(folder, { recursive: true });
  const about = { seed: run.seed, startedAt: run.startedAt, cluster: run.cluster.name, keys: run.keys };
  const contents: Record<(typeof OUT_FILES)[number], string> = {
    'history.json': JSON.stringify(
      { ...about, finalReader: run.finalReader, finals: run.finals, operations: run.history.operations },
      null,
      1,
    ),
    'faults.json': JSON.stringify(
      { ...about, counts: run.faultCounts, tally: run.faultTally, skipped: run.skippedKinds, timeline: run.faults },
      null,
      1,
    ),
    'verdict.json': JSON.stringify(summary, null, 1),
    'events.ndjson': run.events.map((e) => JSON.stringify(e)).join('\n') + (run.events.length > 0 ? '\n' : ''),
  };
  const paths: string[] = [];
  for (const name of OUT_FILES) {
    const path = join(folder, name);
    await writeFile(path, contents[name]);
    paths.push(path);
  }
  return paths;
}
