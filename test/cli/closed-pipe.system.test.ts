// A reader that goes away ends a command the way a closed pipe ends any Unix tool: no stack trace,
// and `up` in the foreground stops its nodes cleanly, as on Ctrl-C (`up 3 | head -3`).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli } from './helpers.js';

const BIN = fileURLToPath(new URL('../../bin/raft-console.js', import.meta.url));
let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

function pipeline(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { env: cli.env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

describe('a closed pipe', () => {
  it('ends `up` quietly, with its nodes stopped', async () => {
    // What `up` writes on stderr is kept apart, so that a stack trace there cannot hide among the lines head passes on.
    const err = `${cli.home}/up-stderr.txt`;
    const r = await pipeline(`"${process.execPath}" "${BIN}" up 3 --name piped 2>"${err}" | head -3; cat "${err}"`);
    expect(r.stdout.split('\n').filter((l) => l !== '')).toHaveLength(3);
    expect(r.stderr + r.stdout).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    const status = await cli.run('status', '--name', 'piped');
    expect(status.code, status.stderr).toBe(3);
    expect(status.stderr).not.toMatch(/is gone/);
  });
});
