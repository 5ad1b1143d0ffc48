// The `sim` command: options, output and exit codes (run in this process, seeds in this thread).
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerSimCommand, type SimIO } from '../../src/cli/sim.js';
import { EXIT_STATUS } from '../../src/schema/exit-codes.js';

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

async function sim(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  let code = -1;
  const io: SimIO = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    progress: false,
    setExitCode: (c) => {
      code = c;
    },
    exit: (c) => {
      throw new Exit(c);
    },
  };
  const program = new Command('raft-console').exitOverride();
  registerSimCommand(program, io);
  try {
    await program.parseAsync(['node', 'raft-console', 'sim', ...args]);
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    code = e.code;
  }
  return { code, out, err };
}

describe('raft-console sim', () => {
  it('prints one JSON object last with --json, and exits 0 when nothing broke', async () => {
    const r = await sim('--seeds', '3', '--nodes', '3', '--json', '--workers', '1');
    expect(r.code).toBe(EXIT_STATUS.ok);
    const last = JSON.parse(r.out[r.out.length - 1]!) as Record<string, number>;
    expect(Object.keys(last)).toEqual(['seeds', 'steps', 'elections', 'commits', 'violations']);
    expect(last.seeds).toBe(3);
    expect(last.violations).toBe(0);
    expect(last.steps).toBeGreaterThan(0);
  });

  it('reports a violation with its seed, property, trace and replay command, and exits 1', async () => {
    const r = await sim('--seeds', '1', '--from', '2', '--bug', 'vote-without-log-check', '--workers', '1');
    expect(r.code).toBe(EXIT_STATUS.violation);
    const text = r.out.join('\n');
    expect(text).toMatch(/VIOLATION seed 2: [a-z-]+ at t=\d+/);
    expect(text).toContain('last steps:');
    expect(text).toContain('replay: npm run sim -- --seed 2 --nodes 5 --bug vote-without-log-check --trace');
  });

  it('replays one seed, with every step under --trace', async () => {
    const quiet = await sim('--seed', '4', '--nodes', '3');
    expect(quiet.code).toBe(EXIT_STATUS.ok);
    expect(quiet.out).toHaveLength(1);
    expect(quiet.out[0]).toMatch(/^seed 4: \d+ steps, \d+ elections, \d+ entries committed, no property broken$/);
    const traced = await sim('--seed', '4', '--nodes', '3', '--trace');
    expect(traced.out.length).toBeGreaterThan(100);
    expect(traced.out[0]).toMatch(/^t=0 seed 4: 3 nodes/);
  });

  it('runs the same seeds to the same totals with --fail-fast stopping at the first violation', async () => {
    const r = await sim('--seeds', '20', '--bug', 'vote-without-log-check', '--fail-fast', '--json', '--workers', '1');
    const last = JSON.parse(r.out[r.out.length - 1]!) as { seeds: number; violations: number };
    expect(last.violations).toBe(1);
    expect(last.seeds).toBeLessThan(20);
  });

  it.each([
    [['--seeds', '0']],
    [['--seeds', 'many']],
    [['--nodes', '2']],
    [['--nodes', '10']],
    [['--bug', 'no-such-bug']],
    [['--workers', '0']],
    [['--trace']],
    [['--frobnicate']],
  ])('exits 2 with a one-line error on bad arguments: %j', async (args) => {
    const r = await sim(...args);
    expect(r.code).toBe(EXIT_STATUS.usage);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^error: /);
  });
});
