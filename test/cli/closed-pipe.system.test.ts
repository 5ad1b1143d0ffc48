// A reader that goes away ends a command the way a closed pipe ends any Unix tool: no stack trace,
// and `up` in the foreground stops its nodes cleanly, as on Ctrl-C (`up 3 | head -3`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli } from './helpers.js';

let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  await cli.cleanup();
});

describe('a closed pipe', () => {
  it('ends `up` quietly, with its nodes stopped', async () => {
    // What `up` writes on stderr is kept apart, so that a stack trace there cannot hide among the lines head passes on.
    const err = `${cli.home}/up-stderr.txt`;
    const r = await cli.shell(`$RAFT_CONSOLE up 3 --name piped 2>"${err}" | head -3; cat "${err}"`);
    expect(r.stdout.split('\n').filter((l) => l !== '')).toHaveLength(3);
    expect(r.stderr + r.stdout).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    const status = await cli.run('status', '--name', 'piped');
    expect(status.code, status.stderr).toBe(3);
    expect(status.stderr).not.toMatch(/is gone/);
  });
});
