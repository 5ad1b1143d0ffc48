// Shared pieces of the supervisor tests: real node processes on loopback, a temporary state
// directory per test file (XDG_STATE_HOME), what to wait for in the model, a check that no node
// process outlives its test, and node lines handed to a live model.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterModel, NodeModel } from '../../src/cluster-model/model.js';
import type { LiveModel } from '../../src/supervisor/live-model.js';
import { readNodeLine } from '../../src/supervisor/node-line.js';

/** Points the state directory at a fresh temporary folder, as a user's XDG_STATE_HOME. */
export async function tempStateHome(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-console-cluster-'));
  process.env.XDG_STATE_HOME = dir;
  return dir;
}

/** Whether a process exists and is not a zombie (a container's init may not reap orphans). */
export function alive(pid: number): boolean {
  if (existsSync('/proc')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The one running leader of the highest term, once every running node agrees on it. */
export function settledLeader(m: ClusterModel): NodeModel | undefined {
  const running = m.nodes.filter((n) => !n.removed && n.process.state === 'running' && n.raft !== null);
  const leaders = running.filter((n) => n.raft!.role === 'leader');
  const top = Math.max(...running.map((n) => n.raft!.term));
  const leader = leaders.find((n) => n.raft!.term === top);
  if (leader === undefined || leaders.filter((n) => n.raft!.term === top).length !== 1) return undefined;
  return running.every((n) => n.raft!.term === top && n.raft!.leader === leader.id) ? leader : undefined;
}

/** Every running node holds the leader's whole log and has committed all of it. */
export function converged(m: ClusterModel): NodeModel | undefined {
  const leader = settledLeader(m);
  if (leader === undefined) return undefined;
  const running = m.nodes.filter((n) => !n.removed && n.process.state === 'running');
  const same = running.every((n) => n.raft!.lastIndex === leader.raft!.lastIndex && n.raft!.commit === leader.raft!.lastIndex);
  return same ? leader : undefined;
}

/** Every node pid the model has known, for the no-orphans check at the end. */
export function pidsOf(m: ClusterModel, seen: Set<number>): void {
  for (const n of m.nodes) if (n.process.pid !== null) seen.add(n.process.pid);
}

/** The built entry point a supervisor child process imports: `npm test` builds it first. */
export function builtModule(path: string): string {
  const file = join(import.meta.dirname, '../../dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`);
  return file;
}

/** Hands the live model one line of a node's stdout, read as the supervisor reads it. */
export function nodeWrites(live: LiveModel, id: number, line: Record<string, unknown>): void {
  live.nodeLine(id, readNodeLine(JSON.stringify(line)));
}
