// Node processes that outlived their supervisor. A node stops when its stdin (the supervisor's
// pipe) closes, but a node paused with SIGSTOP cannot read that end: when the supervisor dies
// (SIGKILL, a crash) while nodes are paused, they stay, frozen, holding their ports. An etcd member
// dies with its supervisor through its parent-death signal where the system has setpriv
// (etcd/member-child.ts), and is ended here where it has not. The supervisor
// keeps its nodes' pids in the cluster folder; the next supervisor of that folder, and a purge,
// end the ones still there.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const PIDS_FILE = 'node-pids.json';

/** Records the pids of the nodes running now (best effort: a folder deleted meanwhile is fine). */
export function recordNodePids(folder: string, pids: readonly number[]): void {
  try {
    writeFileSync(join(folder, PIDS_FILE), `${JSON.stringify(pids)}\n`, { mode: 0o600 });
  } catch {
    // The folder is gone (a purge): nothing to record.
  }
}

/** Whether `pid` is a live node process (raft-console's, or an etcd member) of the cluster in `folder` (pids are reused). */
function isNodeOf(pid: number, folder: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const program = basename(cmdline.split('\0')[0] ?? '');
    return (cmdline.includes('raft-console') || program.startsWith('etcd')) && cmdline.includes(folder);
  } catch {
    return false;
  }
}

/** SIGKILLs the recorded nodes of an earlier supervisor still alive; returns their pids. */
export function endOrphanNodes(folder: string): number[] {
  let pids: unknown;
  try {
    pids = JSON.parse(readFileSync(join(folder, PIDS_FILE), 'utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(pids)) return [];
  const ended: number[] = [];
  for (const pid of pids) {
    if (typeof pid !== 'number' || pid === process.pid || !isNodeOf(pid, folder)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      ended.push(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return ended;
}
