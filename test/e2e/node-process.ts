// One `raft-console node` process for the end-to-end tests: spawned from bin/ (the build in dist/),
// its NDJSON stdout parsed into events, its stderr kept, its exit awaited. Every process spawned
// through here is killed after each test, whatever the test did (SIGKILL also ends a stopped
// process), and the test fails if one is still there afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import { waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = `${ROOT}bin/raft-console.js`;

/** Waits are failure guards only: a healthy run finishes far sooner. */
const DEADLINE_MS = 15_000;

export interface NodeEvent {
  ts: number;
  node: number;
  kind: 'raft' | 'transport' | 'node' | 'state' | 'control';
  type?: string;
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<NodeProcess>();

afterEach(async () => {
  const left = [...live];
  for (const p of left) p.child.kill('SIGKILL');
  await Promise.all(left.map((p) => p.exited));
  for (const p of left) {
    expect(p.child.exitCode !== null || p.child.signalCode !== null, `node process ${p.child.pid} still running`).toBe(true);
    expect(() => process.kill(p.child.pid!, 0), `node process ${p.child.pid} still exists`).toThrow();
  }
  expect(live.size).toBe(0);
});

export class NodeProcess {
  readonly events: NodeEvent[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | null = null;
  private partial = '';

  private constructor(readonly child: ChildProcess) {
    live.add(this);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.parse(chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    // 'close' comes after the streams ended: by then every event and all of stderr are in.
    this.exited = new Promise((resolve) =>
      child.on('close', (code, signal) => {
        this.exit = { code, signal };
        live.delete(this);
        resolve(this.exit);
      }),
    );
  }

  /**
   * Runs `node bin/raft-console.js node <args>`, as the supervisor does: with --control-stdin, so
   * that the node stops by itself when its stdin closes, should this test process die before its
   * afterEach could kill it. `wrap` goes before the command, and must exec it (so that the pid is
   * the node's): e.g. `withOpenFileLimit(1024)`.
   */
  static spawn(args: readonly string[], wrap: readonly string[] = []): NodeProcess {
    const command = [...wrap, process.execPath, BIN, 'node', ...args, '--control-stdin'];
    return new NodeProcess(spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** The process's resident memory (VmRSS), in bytes. */
  rss(): number {
    const line = readFileSync(`/proc/${this.child.pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) * 1024;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** The first event, already seen or still to come, that matches; fails as soon as the node exits without it. */
  async waitFor(what: string, match: (e: NodeEvent) => boolean): Promise<NodeEvent> {
    // Once the process is gone (its output all read) no event can come: null ends the wait.
    const found = await waitFor(what, () => this.events.find(match) ?? (this.running ? undefined : null));
    if (found === null) throw new Error(`the node exited (${JSON.stringify(this.exit)}) before ${what}; stderr: ${this.stderr}`);
    return found;
  }

  /** Resolves with the exit once the process ended by itself; fails the test if it does not. */
  async ended(deadlineMs = DEADLINE_MS): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the node did not exit')), deadlineMs)));
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL, as a crash: nothing is flushed or closed. */
  async kill(): Promise<Exit> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGSTOP / SIGCONT: frozen, its sockets open, its peers and clients unanswered. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  private parse(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) if (line !== '') this.events.push(JSON.parse(line) as NodeEvent);
  }
}

/** A `wrap` for spawn: the node runs with at most `n` open files (soft and hard limit). */
export function withOpenFileLimit(n: number): string[] {
  return ['sh', '-c', `ulimit -n ${n} && exec "$@"`, 'sh'];
}

/** What a node process is built from: src/cli/main.ts pulls in the other commands' folders too, but they do not run here. */
const NODE_SOURCES = ['cli', 'node', 'raft', 'storage', 'transport', 'kv'];

/** Fails loudly when dist/ is older than the node's sources: the e2e tests run the build, not the sources. */
export async function checkBuild(): Promise<void> {
  const built = statSync(`${ROOT}dist/cli/main.js`, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  for (const folder of NODE_SOURCES) {
    const files = await readdir(`${ROOT}src/${folder}`, { recursive: true, withFileTypes: true });
    const stale = files.find((f) => f.isFile() && statSync(`${f.parentPath}/${f.name}`).mtimeMs > built);
    if (stale !== undefined)
      throw new Error(`dist/ is older than ${stale.parentPath}/${stale.name}: run \`npm run build\` before the end-to-end tests`);
  }
}
