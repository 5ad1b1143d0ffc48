// Every child process and temp dir the cluster bench makes is registered here, so that no exit path
// leaves one behind: a normal end, an exception, Ctrl-C (SIGINT), SIGTERM or SIGHUP all SIGKILL the
// children still running and remove the temp dirs.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { inspect } from 'node:util';

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let installed = false;

export function trackChild(child: ChildProcess): void {
  install();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export function trackDir(dir: string): void {
  install();
  dirs.add(dir);
}

export function removeDir(dir: string): void {
  dirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** SIGKILLs every child still running and removes every temp dir: safe to call more than once. */
export function cleanUpNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
  dirs.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}: killing ${live.size} child process(es) and removing the temp dirs\n`);
      cleanUpNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown from a waitFor check: stop waiting at once (a process died), do not retry. */
export class GiveUp extends Error {}

/**
 * Polls `check` every `everyMs` until it returns a value other than undefined, or throws after
 * `timeoutMs`. An error thrown by `check` is retried (remembered for the message), a GiveUp is not.
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
  everyMs = 20,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      lastError = err;
    }
    if (performance.now() > deadline) {
      const why = lastError === null ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : inspect(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}
