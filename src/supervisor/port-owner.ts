// Which process listens on a TCP port, for the "port in use" error: read from /proc on Linux, for
// processes this user may look into. Elsewhere, or for another user's process, it is unknown.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { ClusterError } from '../cluster-model/errors.js';

const LISTEN = '0A';

/** The socket inodes listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(`:${hex}`) && f[3] === LISTEN && f[9] !== undefined) inodes.add(f[9]);
    }
  }
  return inodes;
}

/** "pid 4242 (python3 -m http.server 7001)", or null when it cannot be known. */
function portOwner(port: number): string | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode === undefined || !inodes.has(inode)) continue;
      let command = '';
      try {
        command = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          .split('\0')
          .filter((a) => a !== '')
          .join(' ');
      } catch {
        // Gone meanwhile: the pid is still the answer.
      }
      return command === '' ? `pid ${pid}` : `pid ${pid} (${command.length > 80 ? `${command.slice(0, 77)}...` : command})`;
    }
  }
  return null;
}

/**
 * The error for a port that another process holds: `fix` says what to do about it, and `before`
 * what could not be done ("n2 did not start: "). It names the holder when it can, which makes the
 * `ss` hint unnecessary; programs find the port and the holder in its problem.
 */
export function portInUse(port: number, fix: string, before = ''): ClusterError {
  const owner = portOwner(port);
  const text =
    owner === null
      ? `port ${port} is already in use: ${fix} (try: ss -ltnp 'sport = :${port}')`
      : `port ${port} is already in use by ${owner}: ${fix}`;
  return new ClusterError(`${before}${text}`, { code: 'port-in-use', port, owner });
}
