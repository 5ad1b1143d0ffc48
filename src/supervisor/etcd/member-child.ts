// One etcd member process started by the supervisor. etcd does not watch its stdin, so the way
// raft-console's nodes die with their supervisor (a closed pipe) does not work for it. Instead it
// is started through `setpriv --pdeathsig KILL` (util-linux): the kernel SIGKILLs it the moment the
// supervisor is gone, however it went (even SIGKILL, even while the member is paused), and setpriv
// execs etcd, so the pid is etcd's own and signals reach it directly. Without setpriv (not Linux)
// the pids recorded in the cluster folder (orphans.ts) are ended by the next `up` or `down --purge`.
//
// Its stderr (zap JSON lines) goes to a log file in the cluster folder, bounded, and to the log
// reader; the last lines are kept for a crash's explanation.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, renameSync, writeSync, type PathLike } from 'node:fs';
import { readBoundedLines } from '../../schema/bounded-lines.js';
import { signalChild, StderrTail, type ExitInfo, type Signal } from '../node-child.js';
import { MAX_ETCD_LOG_LINE } from '../../etcd/log-events.js';

/** A member's log file is moved to <file>.1 past this size: the last two of it are kept. */
const LOG_MAX_BYTES = 8 * 1024 * 1024;

/** setpriv, where the system has it (looked up once). */
let setpriv: string | null | undefined;
function findSetpriv(): string | null {
  if (setpriv === undefined)
    setpriv = process.platform !== 'linux' ? null : (['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null);
  return setpriv;
}

/** Appends lines to a file of at most LOG_MAX_BYTES, moving the full one aside. */
class BoundedLog {
  private fd: number | null;
  private size = 0;
  constructor(private readonly path: string) {
    this.fd = this.open();
  }
  private open(): number | null {
    try {
      return openSync(this.path, 'a', 0o600);
    } catch {
      return null; // the folder is gone (a purge): nothing to keep
    }
  }
  write(line: string): void {
    if (this.fd === null) return;
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    if (this.size + bytes.length > LOG_MAX_BYTES) {
      this.close();
      try {
        renameSync(this.path, `${this.path}.1` satisfies PathLike);
      } catch {
        // gone meanwhile
      }
      this.size = 0;
      this.fd = this.open();
      if (this.fd === null) return;
    }
    try {
      writeSync(this.fd, bytes);
      this.size += bytes.length;
    } catch {
      this.close();
    }
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export class EtcdChild {
  readonly pid: number | null;
  readonly exited: Promise<ExitInfo>;
  private readonly sub: ChildProcess;
  private readonly stderrTail = new StderrTail();
  private cause: ExitInfo['cause'] = null;

  /**
   * `onLine` gets every stderr line; it returns the fatal cause the line gives, if any, which then
   * names the cause of the exit that follows.
   */
  constructor(bin: string, args: readonly string[], logPath: string, onLine: (line: string) => ExitInfo['cause']) {
    const guard = findSetpriv();
    const [file, argv] = guard === null ? [bin, args] : [guard, ['--pdeathsig', 'KILL', '--', bin, ...args]];
    // A process group of its own, as raft-console's nodes: a Ctrl-C in the supervisor's terminal
    // reaches the supervisor only, which then stops the members in order.
    this.sub = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.pid = this.sub.pid ?? null;
    const log = new BoundedLog(logPath);
    readBoundedLines(
      this.sub.stderr!,
      {
        line: (text) => {
          log.write(text);
          this.stderrTail.keep(text);
          this.cause = onLine(text) ?? this.cause;
        },
        tooLong: (bytes) => this.stderrTail.tooLong(bytes),
      },
      MAX_ETCD_LOG_LINE,
    );
    this.exited = new Promise<ExitInfo>((resolve) => {
      let settled = false;
      const settle = (exitCode: number | null, signal: string | null, failure: string | null): void => {
        if (settled) return;
        settled = true;
        log.close();
        resolve({
          exitCode,
          signal,
          stderrTail: failure === null ? [...this.stderrTail.lines] : [...this.stderrTail.lines, failure],
          cause: failure === null ? this.cause : { code: 'internal', reason: failure },
        });
      };
      this.sub.once('close', (code, signal) => settle(code, signal, null));
      this.sub.once('error', (err) => {
        if (this.sub.pid === undefined) settle(null, null, `could not start ${bin}: ${err.message}`);
      });
    });
  }

  signal(signal: Signal): void {
    signalChild(this.pid, signal);
  }
}
