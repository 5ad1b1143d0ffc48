// `check --history DIR`: a run saved by `check --out` is read back through the schema readers and
// checked again, with the same answer every time; a history changed to hold a stale read fails; a
// folder without the files, or with a broken one, is refused naming the file and the field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readSavedRun, recheck, SavedRunError } from '../../src/check/saved-run.js';
import { history, read, write } from './histories.js';

function saved(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'saved-run-'));
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const leader = { ts: 1, node: 1, kind: 'raft', type: 'role-change', text: 'n1 leads', data: { from: 'candidate', to: 'leader', term: 2 } };
const verdict = (result: string) => ({
  result,
  checks: [
    { name: 'settled', ok: true, text: 'settled' },
    { name: 'no lost writes', ok: true, text: 'all there' },
  ],
});

describe('a run saved by check --out, checked again', () => {
  const ops = history(write(0, 'k1', '1.1', 0, 10), read(1, 'k1', '1.1', 20, 30)).operations;
  const files = {
    'history.json': {
      seed: 7,
      startedAt: 1,
      cluster: 'check-7',
      keys: ['k1'],
      finalReader: 9,
      finals: [{ key: 'k1', value: '1.1' }],
      operations: ops,
    },
    'faults.json': {
      seed: 7,
      timeline: [{ at: 5, episode: 1, kind: 'kill', phase: 'inject', action: { op: 'kill', nodes: [2] }, ok: true, text: 'killed n2' }],
    },
    'events.ndjson': `${JSON.stringify(leader)}\n`,
    'verdict.json': verdict('pass'),
  };

  test('passes again, with the live checks as recorded and marked so, the same every time', async () => {
    const run = await readSavedRun(saved(files));
    const first = recheck(run, 10_000);
    expect(first.result).toBe('pass');
    expect(first.checks.map((c) => c.name)).toEqual(['no lost writes', 'one leader per term', 'settled']);
    expect(first.checks[2]!.text).toContain('as recorded');
    expect(recheck(run, 10_000)).toEqual({ ...first, linearizability: { ...first.linearizability, elapsedMs: expect.any(Number) } });
  });

  test('a history with a stale read is a violation whose window shows the faults around it', async () => {
    const stale = history(write(0, 'k1', '1.1', 0, 10), write(0, 'k1', '1.2', 11, 15), read(1, 'k1', '1.1', 20, 30)).operations;
    const run = await readSavedRun(
      saved({ ...files, 'history.json': { ...files['history.json'], finals: [{ key: 'k1', value: '1.2' }], operations: stale } }),
    );
    const again = recheck(run, 10_000);
    expect(again.result).toBe('violation');
    expect(again.linearizability.keys[0]!.failure?.faults.map((f) => f.text)).toEqual(['killed n2']);
  });

  test('without events.ndjson one leader per term is unknown, and without verdict.json nothing is recorded', async () => {
    const run = await readSavedRun(saved({ 'history.json': files['history.json'] }));
    expect(run.recorded).toBeNull();
    const again = recheck(run, 10_000);
    expect(again.checks.find((c) => c.name === 'one leader per term')).toMatchObject({ ok: null });
    expect(again.result).toBe('unknown');
  });

  test('a folder without history.json, broken JSON and a wrong field are refused naming the file and the fix', async () => {
    await expect(readSavedRun(saved({}))).rejects.toThrow(
      /history\.json: not found: give the folder a `raft-console check --out DIR` wrote/,
    );
    await expect(readSavedRun(saved({ 'history.json': '{"seed": 1' }))).rejects.toThrow(SavedRunError);
    const badOp = { ...files['history.json'], operations: [{ ...ops[0], outcome: { type: 'maybe' } }] };
    await expect(readSavedRun(saved({ 'history.json': badOp }))).rejects.toThrow(/history\.json: operations\[0\]\.outcome\.type/);
    await expect(readSavedRun(saved({ ...files, 'events.ndjson': 'not json\n' }))).rejects.toThrow(/events\.ndjson line 1/);
  });
});
