// How a command ends on an error a user can fix: one line on stderr, and the exit status that the
// error's code maps to in the one table (src/schema/exit-codes.ts), never one read from its text.
// The statuses are the ones README.md and docs/CHECK.md promise to scripts.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { CliError, guarded } from '../../src/cli/failure.js';
import { ClusterError } from '../../src/cluster-model/errors.js';
import { EXIT_STATUS } from '../../src/schema/exit-codes.js';
import { parseSuperviseLine, type FailedLine } from '../../src/supervisor/supervise-main.js';

afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs an action that throws `err` the way a command does; returns its stderr and exit status. */
async function endOf(err: Error): Promise<{ stderr: string; status: number | string | undefined | null }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  await guarded('status', () => Promise.reject(err))();
  const status = process.exitCode;
  process.exitCode = undefined;
  return { stderr, status };
}

describe('exit statuses', () => {
  test('are the ones the documentation promises', () => {
    expect(EXIT_STATUS).toEqual({ ok: 0, failed: 1, violation: 1, usage: 2, 'not-running': 3, unknown: 4, interrupted: 130 });
  });

  test.each([
    ['no cluster running exits 3', new ClusterError('no cluster named x is running: start one', { code: 'not-running' }), 3],
    [
      'a busy port exits 1',
      new ClusterError('port 7001 is already in use by pid 42: stop what uses it', { code: 'port-in-use', port: 7001, owner: 'pid 42' }),
      1,
    ],
    ['words that read like "not running" decide nothing', new ClusterError('no cluster named x is running'), 1],
    ['a usage error exits 2', new CliError('--to must not be below --from', 'usage'), 2],
    ['any other refusal exits 1', new CliError('no node 7: nodes are 1'), 1],
  ])('%s, with the message on one line', async (_, err, status) => {
    expect(await endOf(err)).toEqual({ stderr: `raft-console status: ${err.message}\n`, status });
  });

  test("a bug is not taken for a user's mistake: it is thrown on with its stack", async () => {
    await expect(guarded('status', () => Promise.reject(new TypeError('x is undefined')))()).rejects.toThrow(TypeError);
    expect(process.exitCode).toBeUndefined();
  });
});

describe('a supervisor that cannot start', () => {
  test('hands `up --detach` its problem with the code and the port, not only the text', () => {
    const line: FailedLine = {
      type: 'failed',
      text: 'port 7001 is already in use by pid 42 (python3): pick another --base-port',
      problem: { code: 'port-in-use', port: 7001, owner: 'pid 42 (python3)' },
    };
    expect(parseSuperviseLine(JSON.stringify(line))).toEqual({ ok: true, value: line });
  });

  test('a line that is neither ready nor failed is refused, naming the field', () => {
    expect(parseSuperviseLine('{"type":"failed","text":"x","problem":{"code":"on-fire"}}')).toEqual({
      ok: false,
      problem: expect.stringMatching(/^problem\.code must be one of "not-running", "port-in-use", .*, got "on-fire"$/) as unknown,
    });
    expect(parseSuperviseLine('Node.js v20')).toEqual({ ok: false, problem: 'the line is not valid JSON' });
  });
});
