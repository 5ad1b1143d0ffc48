// A cluster driven through the built CLI, as a user drives it: `up N --detach --name X` with its own
// state and config folders (XDG_STATE_HOME and XDG_CONFIG_HOME in a temp dir, so the user's own
// clusters and settings are never touched), `status --json`, node actions, `down --purge`. Every
// cluster made here is registered until its teardown, so `teardownAll` (at the end, on an error,
// on a signal) leaves no supervisor, node or temp dir behind.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterModel } from '../src/cluster-model/index.js';
import type { NodeId } from '../src/raft/types.js';
import { waitFor } from './children.js';
import { BIN, ROOT } from './repo.js';

export interface RunResult {
  /** The exit code; null when the command was killed (its timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never rejects on a failed command (see `code`). */
export function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr: stderr || (err?.message ?? '') });
    });
  });
}

/** Runs a command; rejects with its stderr unless it exits 0. */
export async function runOk(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 60_000,
): Promise<string> {
  const r = await run(file, args, env, timeoutMs);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${String(r.code)}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** `status --json` (src/cli/status.ts): the model without its event history, and the leader it shows. */
export type StatusJson = Omit<ClusterModel, 'events'> & { leader: NodeId | null; term: number | null };

const live = new Set<CliCluster>();

/** Tears down every cluster not yet torn down: safe to call more than once. */
export async function teardownAll(): Promise<void> {
  await Promise.all([...live].map((c) => c.teardown()));
}

export class CliCluster {
  readonly home = mkdtempSync(join(tmpdir(), 'raft-console-bench-cli-'));
  readonly env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_STATE_HOME: join(this.home, 'state'),
    XDG_CONFIG_HOME: join(this.home, 'config'),
    NO_COLOR: '1',
  };
  /** Every supervisor and node pid seen: killed at teardown should `down` fail. */
  private readonly pids = new Set<number>();

  constructor(readonly name: string) {
    live.add(this);
  }

  /** The folder holding the cluster folders (`raft-console config` data-folder). */
  get stateDir(): string {
    return join(this.home, 'state', 'raft-console');
  }

  /** This cluster's folder: cluster.json, control.json, token, n1, n2... */
  get folder(): string {
    return join(this.stateDir, this.name);
  }

  /**
   * Set before `up`: the cluster's supervisor and nodes start under this open-file limit (through
   * prlimit), as on a machine whose `ulimit -n` is that low.
   */
  openFileLimit: number | null = null;

  /** `raft-console <args> --name <name>`, to its end. */
  run(...args: string[]): Promise<RunResult> {
    const cli = [process.execPath, BIN, ...args, '--name', this.name];
    if (this.openFileLimit === null) return run(cli[0]!, cli.slice(1), this.env);
    return run('prlimit', [`--nofile=${this.openFileLimit}:${this.openFileLimit}`, '--', ...cli], this.env);
  }

  /** `raft-console <args> --name <name>`; rejects unless it exits 0. */
  async cli(...args: string[]): Promise<string> {
    const r = await this.run(...args);
    if (r.code !== 0) throw new Error(`raft-console ${args.join(' ')} --name ${this.name}: exit ${String(r.code)}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** `up <nodes> --detach` (plus `extra` flags), then waits until `status` names a leader. */
  async up(nodes: number, extra: string[] = []): Promise<StatusJson> {
    await this.cli('up', String(nodes), '--detach', ...extra);
    return waitFor(
      'a leader',
      20_000,
      async () => {
        const s = await this.status();
        return s.leader === null ? undefined : s;
      },
      200,
    );
  }

  async status(): Promise<StatusJson> {
    const s = JSON.parse(await this.cli('status', '--json')) as StatusJson;
    this.pids.add(s.supervisorPid);
    for (const n of s.nodes) if (n.process.pid !== null) this.pids.add(n.process.pid);
    return s;
  }

  /** Takes the cluster down and removes every trace: safe to call more than once. */
  async teardown(): Promise<void> {
    if (!live.delete(this)) return;
    const down = await this.run('down', '--purge');
    // A supervisor that cannot take its cluster down (wedged, or gone with its nodes left): kill
    // every process this cluster ever had that still runs from its folder (its command line names
    // the folder, so a pid reused by another process is left alone).
    if (down.code !== 0) for (const pid of this.pids) if (this.owns(pid)) process.kill(pid, 'SIGKILL');
    rmSync(this.home, { recursive: true, force: true });
  }

  private owns(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.home);
    } catch {
      return false; // gone
    }
  }
}
