// The unit project's guard refuses every way to start a process, the ones dependencies use included,
// and names the way out.
import * as childProcess from 'node:child_process';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ProcessInUnitTest, takeRefusals } from './no-processes.js';

const NODE = process.execPath;

describe('a unit test that starts a process', () => {
  it('is refused, whichever child_process call it makes', async () => {
    const calls: Array<[string, () => unknown]> = [
      ['spawn', () => childProcess.spawn(NODE, ['-e', ''])],
      ['spawnSync', () => childProcess.spawnSync(NODE, ['-e', ''])],
      ['exec', () => childProcess.exec('true')],
      ['execSync', () => childProcess.execSync('true')],
      ['execFile', () => childProcess.execFile(NODE, ['-e', ''])],
      ['execFileSync', () => childProcess.execFileSync(NODE, ['-e', ''])],
      ['fork', () => childProcess.fork('-e')],
    ];
    for (const [call, start] of calls) expect(start, call).toThrow(ProcessInUnitTest);
    const { spawn: imported } = await import('node:child_process');
    expect(() => imported(NODE, ['-e', ''])).toThrow(ProcessInUnitTest);
    expect(takeRefusals().map((r) => r.call)).toEqual([...calls.map(([call]) => call), 'spawn']);
  });

  it('is refused when a dependency starts it, even one that catches the error', async () => {
    await execa(NODE, ['-e', ''], { reject: false });
    const [refusal, ...rest] = takeRefusals();
    expect(rest).toEqual([]);
    expect(refusal).toMatchObject({ code: 'process-in-unit-test', call: 'spawn', command: NODE });
    expect(refusal!.message).toMatch(/move this test to the system project by naming its file \*\.system\.test\.ts$/);
  });
});
