// The CLI as a user runs it: the built binary (bin/raft-console.js -> dist/), in a child process,
// with a temporary XDG_STATE_HOME and XDG_CONFIG_HOME per test file so nothing touches the user's
// own clusters or settings. Each file starts its clusters through `up --detach`, records every
// pid it saw, and in afterAll takes the clusters down, kills whatever is left, and asserts that
// no process outlived the file.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ClusterModel, NodeModel } from '../../src/cluster-model/index.js';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/raft-console.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `log <id> --json`: a node's log, each entry in words. */
export interface LogDoc {
  node: number;
  commit: number;
  entries: Array<{ index: number; term: number; type: string; committed: boolean; text: string }>;
}

/** `status --json`: the model without events, plus the leader it shows. */
export type Status = Omit<ClusterModel, 'events'> & { leader: number | null; term: number | null };

/** Whether a process exists and is not a zombie (a container's init may not reap orphans). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** Whether a live process is one of ours (a pid can be reused once its process is gone). */
function ours(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('raft-console');
  } catch {
    return false;
  }
}

export class Cli {
  /** Every supervisor and node pid seen, for the no-orphans check. */
  readonly pids = new Set<number>();
  private readonly names = new Set<string>();

  private constructor(readonly home: string) {}

  static async create(): Promise<Cli> {
    if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    return new Cli(await mkdtemp(join(tmpdir(), 'raft-console-cli-')));
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, XDG_STATE_HOME: join(this.home, 'state'), XDG_CONFIG_HOME: join(this.home, 'config'), NO_COLOR: '1' };
  }

  /** Runs `raft-console ...args` to its end. */
  run(...args: string[]): Promise<Run> {
    return this.exec(process.execPath, [BIN, ...args]);
  }

  /** Runs a shell command line (a pipeline) to its end, in this test's environment; `$RAFT_CONSOLE` is the CLI. */
  shell(command: string): Promise<Run> {
    return this.exec('sh', ['-c', `RAFT_CONSOLE='${process.execPath} ${BIN}'; ${command}`]);
  }

  private exec(file: string, args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(file, args, { env: this.env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Runs a command that must succeed; returns its stdout. */
  async ok(...args: string[]): Promise<string> {
    const r = await this.run(...args);
    expect(r.code, `raft-console ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`).toBe(0);
    return r.stdout;
  }

  /** `up --detach` with these arguments (name included); remembered for cleanup. */
  async up(name: string, ...args: string[]): Promise<Status> {
    this.names.add(name);
    await this.ok('up', '--detach', '--name', name, ...args);
    return this.status(name);
  }

  async status(name: string): Promise<Status> {
    const s = JSON.parse(await this.ok('status', '--json', '--name', name)) as Status;
    this.pids.add(s.supervisorPid);
    for (const n of s.nodes) if (n.process.pid !== null) this.pids.add(n.process.pid);
    return s;
  }

  /** `log <id> --json` of the cluster `name`. */
  async log(name: string, id: number): Promise<LogDoc> {
    return JSON.parse(await this.ok('log', String(id), '--json', '--name', name)) as LogDoc;
  }

  /** Waits until the running nodes agree on one leader; returns the status that shows it. */
  settled(name: string, test: (s: Status, leader: NodeModel) => boolean = () => true): Promise<{ status: Status; leader: NodeModel }> {
    return waitFor(
      `one leader every running node follows in ${name}`,
      async () => {
        const status = await this.status(name);
        const running = status.nodes.filter((n) => !n.removed && n.process.state === 'running' && n.raft !== null);
        const leaders = running.filter((n) => n.raft!.role === 'leader');
        if (leaders.length !== 1) return undefined;
        const leader = leaders[0]!;
        if (!running.every((n) => n.raft!.term === leader.raft!.term && n.raft!.leader === leader.id)) return undefined;
        return test(status, leader) ? { status, leader } : undefined;
      },
      COSTLY_PROBE,
    );
  }

  /** Takes every cluster down, kills whatever is left, and checks that no process outlived the file. */
  async cleanup(): Promise<void> {
    for (const name of this.names) await this.run('down', '--purge', '--name', name);
    const left = [...this.pids].filter((pid) => alive(pid) && ours(pid));
    for (const pid of left) process.kill(pid, 'SIGKILL');
    await rm(this.home, { recursive: true, force: true });
    expect(left, 'processes left running after the tests').toEqual([]);
  }
}
