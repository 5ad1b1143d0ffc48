// `exercise start N --engine etcd` for an exercise that does not run on etcd: one line saying why,
// in the learner's language, and the usage exit status, before anything is started.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { registerExerciseCommand } from '../../src/cli/exercise.js';
import { EXIT_STATUS } from '../../src/schema/exit-codes.js';

let config: string;
beforeEach(async () => {
  config = await mkdtemp(join(tmpdir(), 'raft-console-exercise-engine-'));
  vi.stubEnv('XDG_CONFIG_HOME', config);
});
afterEach(async () => {
  process.exitCode = undefined;
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await rm(config, { recursive: true, force: true });
});

/** Runs `raft-console exercise ...args` in this process; resolves with stdout, stderr and the exit status. */
async function exercise(...args: string[]): Promise<{ stdout: string; stderr: string; status: number | string | null | undefined }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command().exitOverride();
  registerExerciseCommand(program);
  await program.parseAsync(['node', 'raft-console', 'exercise', ...args]);
  const status = process.exitCode;
  process.exitCode = undefined;
  return { stdout, stderr, status };
}

describe('exercises and engines on the command line', () => {
  test('start --engine etcd refuses an exercise that does not run on etcd, with its reason in one line', async () => {
    const r = await exercise('start', '5', '--engine', 'etcd', '--lang', 'en');
    expect(r.status).toBe(EXIT_STATUS.usage);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/exercise 5 \(split-vote\) does not run on etcd: its set-up makes two members start an election/);
    const zh = await exercise('start', 'why-the-rules', '--engine', 'etcd', '--lang', 'zh');
    expect(zh.status).toBe(EXIT_STATUS.usage);
    expect(zh.stderr).toMatch(/练习 10 \(why-the-rules\) 不能在 etcd 上运行：它关闭了 raft-console 核心中的一条规则/);
  });

  test('--etcd-bin goes only with --engine etcd', async () => {
    const r = await exercise('start', '3', '--etcd-bin', '/usr/bin/etcd');
    expect(r.status).toBe(EXIT_STATUS.usage);
    expect(r.stderr).toMatch(/--etcd-bin goes with --engine etcd/);
  });

  test('list says which exercises run on etcd, and why the others do not', async () => {
    const listed = JSON.parse((await exercise('list', '--json', '--lang', 'en')).stdout) as Array<{
      number: number;
      etcd: { runs: boolean; why: string | null };
    }>;
    expect(listed.filter((e) => e.etcd.runs).map((e) => e.number)).toEqual([1, 3, 4, 6, 7, 8, 9, 12]);
    expect(listed.find((e) => e.number === 2)!.etcd.why).toMatch(/etcd reports neither its log entries/);
    const human = (await exercise('list', '--lang', 'en')).stdout;
    expect(human).toMatch(
      /^#\s+ID\s+MIN\s+DONE\s+ETCD\s+TITLE\n\s*1\s+first-election\s+10\s+-\s+✔\s+First election\n\s*2\s+replication\s+15\s+-\s+-\s+/,
    );
    expect(human).toContain('raft-console exercise start <number> --engine etcd');
    expect(human).toMatch(/ {2}5\. its set-up makes two members start an election/);
  });
});
