// Counts the fsync/fdatasync calls of running processes with `strace -c` (seccomp-filtered, so only
// those calls stop the tracee): how many fsyncs a system pays per acknowledged write. Linux only,
// needs strace and the right to ptrace the processes (root, or ptrace_scope 0).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { exited, sleep, trackChild } from '../children.js';

export interface FsyncCount {
  pid: number;
  calls: number;
  /** Total seconds spent in the calls, as strace measured them (includes tracing overhead). */
  seconds: number;
}

let available: boolean | null = null;

export function straceAvailable(): boolean {
  if (available === null) {
    const r = spawnSync('strace', ['-V'], { encoding: 'utf8' });
    available = r.status === 0;
  }
  return available;
}

export class FsyncCounter {
  private readonly tracers: Array<{ pid: number; child: ChildProcess; output: string }> = [];

  /** Attaches to every pid; resolves once the tracers had a moment to attach. */
  static async attach(pids: number[]): Promise<FsyncCounter> {
    const counter = new FsyncCounter();
    for (const pid of pids) {
      const child = spawn('strace', ['-f', '-c', '--seccomp-bpf', '-e', 'trace=fsync,fdatasync', '-p', String(pid)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      trackChild(child);
      const t = { pid, child, output: '' };
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (s: string) => (t.output += s));
      counter.tracers.push(t);
    }
    await sleep(200);
    return counter;
  }

  /** Detaches and returns the counts. */
  async detach(): Promise<FsyncCount[]> {
    for (const t of this.tracers) t.child.kill('SIGINT');
    await Promise.all(this.tracers.map((t) => exited(t.child)));
    return this.tracers.map((t) => {
      let calls = 0;
      let seconds = 0;
      for (const line of t.output.split('\n')) {
        // "% time     seconds  usecs/call     calls    errors syscall"
        const m = /^\s*[\d.]+\s+([\d.]+)\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)\s*$/.exec(line);
        if (m) {
          seconds += Number(m[1]);
          calls += Number(m[2]);
        }
      }
      return { pid: t.pid, calls, seconds };
    });
  }
}
