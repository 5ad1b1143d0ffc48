// What the hostile-input bench observes of a cluster from outside, after each attack: whether every
// node process still runs, whether a write commits, the supervisor's safety verdict, whether the
// committed logs agree, the leader and its term, and each node's memory. Also the legitimate
// client: it proves the cluster secret (<cluster folder>/secret, written by `up`).
import { readdirSync, readFileSync } from 'node:fs';
import { RaftClient, type RaftClientOptions } from '../../src/client/index.js';
import { clusterSecret } from '../../src/cluster-model/index.js';
import type { StatusJson } from '../cli-cluster.js';

/** A client of the cluster as `status --json` describes it, proving the cluster secret. */
export function clusterClient(status: StatusJson, options: Partial<Omit<RaftClientOptions, 'secret'>> = {}): RaftClient {
  return new RaftClient({
    clusterId: status.clusterId,
    secret: clusterSecret(status.folder),
    nodes: status.nodes.filter((n) => !n.removed).map((n) => ({ id: n.id, address: n.address })),
    ...options,
  });
}

/** A term no sane cluster reaches: 2^32 elections at one a millisecond take 50 days. */
export const SANE_TERM = 2 ** 32;

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, in MiB; null when it is gone. */
export function memoryMiB(pid: number | null): { peak: number; now: number } | null {
  if (pid === null) return null;
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { peak: Math.round(kib('VmHWM') / 1024), now: Math.round(kib('VmRSS') / 1024) };
  } catch {
    return null;
  }
}

/** The soft limit on open files of a process (/proc/PID/limits), and how many it has open. */
export function fileDescriptors(pid: number): { limit: number | null; open: number | null } {
  let limit: number | null = null;
  let open: number | null = null;
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    limit = m === null ? null : Number(m[1]);
  } catch {
    // gone
  }
  try {
    open = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // gone
  }
  return { limit, open };
}

export function pidAlive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first index at which two nodes hold different committed entries (the same index, different
 * term or data), read with `log` requests from every node that answers; null when they agree.
 */
export async function committedDivergence(client: RaftClient, status: StatusJson): Promise<string | null> {
  const logs = new Map<number, Map<number, string>>();
  for (const n of status.nodes) {
    if (n.removed || n.process.state !== 'running') continue;
    const entries = new Map<number, string>();
    try {
      for (let from = 1; ;) {
        const page = await client.log(n.id, { from }, { timeoutMs: 3000 });
        const committed = page.entries.filter((e) => e.committed);
        for (const e of committed) entries.set(e.index, JSON.stringify({ term: e.term, type: e.type, data: 'data' in e ? e.data : null }));
        if (page.entries.length === 0 || committed.length < page.entries.length) break;
        from = page.entries.at(-1)!.index + 1;
      }
    } catch {
      continue; // a node that does not answer has nothing to compare
    }
    logs.set(n.id, entries);
  }
  const nodes = [...logs];
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++) {
      const [a, la] = nodes[i]!;
      const [b, lb] = nodes[j]!;
      for (const [index, entry] of la) {
        const other = lb.get(index);
        if (other !== undefined && other !== entry) return `n${a} and n${b} committed different entries at index ${index}`;
      }
    }
  return null;
}
