// One node process started by the supervisor: `raft-console node ... --control-stdin` with its stdin
// kept piped, so the node stops when the supervisor is gone, even after a SIGKILL. Reads its NDJSON
// stdout line by line, keeps the tail of its stderr for a crash's explanation, and sends control
// commands, matching each answer to its command by id.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ControlAnswer } from '../node/control.js';
import { FATAL_CODES, type FatalCode } from '../node/event-stream.js';
import { MAX_LINE_BYTES, readBoundedLines } from '../schema/bounded-lines.js';
import { object, oneOf, string, validate, type JsonObject } from '../schema/json-shape.js';
import { readNodeLine, type NodeLine } from './node-line.js';

/** The same entry point users run; from src/supervisor or dist/supervisor alike. */
const BIN = fileURLToPath(new URL('../../bin/raft-console.js', import.meta.url));
const STDERR_TAIL = 20;

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  stderrTail: string[];
  /** The node's own account of the error it exited on (its "fatal" event); null if it gave none (a signal, a crash). */
  cause: { code: FatalCode; reason: string } | null;
}

/** Why the node exited, in one line: its own account if it gave one, else its last stderr line; null if neither (a signal). */
export function exitCause(exit: ExitInfo): string | null {
  return exit.cause?.reason ?? exit.stderrTail.at(-1) ?? null;
}

/** The node exited before it listened; `exit` says how and why. */
export class StartFailure extends Error {
  constructor(readonly exit: ExitInfo) {
    super(exitCause(exit) ?? `exited with ${exit.signal ?? `code ${exit.exitCode}`} before it started`);
  }
}

/** A node's "fatal" event (src/cli/node.ts), its fields checked: it names the cause of the exit that follows. */
function readFatal(data: JsonObject): ExitInfo['cause'] {
  const read = validate(() => {
    const o = object(data, '', ['code', 'reason']);
    return { code: oneOf(o, 'code', FATAL_CODES), reason: string(o, 'reason') };
  });
  return read.ok ? read.value : null;
}

export type Signal = 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT';

/** Signals a child process of the supervisor (a node or an etcd member), if it started. */
export function signalChild(pid: number | null, signal: Signal): void {
  if (pid === null) return;
  try {
    process.kill(pid, signal);
  } catch (err) {
    // Already gone: its exit is on its way through `exited`.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** The last STDERR_TAIL lines of a child's stderr, kept for a crash's explanation. */
export class StderrTail {
  readonly lines: string[] = [];

  keep(text: string): void {
    this.lines.push(text);
    if (this.lines.length > STDERR_TAIL) this.lines.shift();
  }

  tooLong(bytes: number): void {
    this.keep(`(a line of ${bytes} bytes, not kept)`);
  }
}

export class NodeChild {
  readonly pid: number | null;
  /** The address it listens on, once it says "started"; rejects with a StartFailure if it exits first. */
  readonly started: Promise<string>;
  readonly exited: Promise<ExitInfo>;
  private readonly sub: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (a: ControlAnswer | Error) => void>();
  private nextCommand = 1;
  private readonly stderrTail = new StderrTail();
  private cause: ExitInfo['cause'] = null;

  /** `onLine` gets every line of its stdout, read (node-line.ts), after the child has taken what it needs from it. */
  constructor(args: readonly string[], onLine: (line: NodeLine) => void) {
    // node:child_process, not execa: loading execa took longer than spawning every node of a cluster.
    this.sub = spawn(process.execPath, [BIN, 'node', ...args, '--control-stdin'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // A process group of its own: a Ctrl-C in the supervisor's terminal reaches the supervisor
      // only, which then stops the nodes in order. The piped stdin still ends the node with it.
      // Being a session of its own, it is also an autogroup of its own, at nice 0 like the
      // terminal's, and left there: a node that waits for a CPU falls silent, and on a busy machine
      // nodes at a higher nice lost elections they should not have (npm run bench:stability).
      detached: true,
    });
    this.pid = this.sub.pid ?? null;
    // Writing to a node that just died fails with EPIPE; its exit is reported through `exited`.
    this.sub.stdin.on('error', () => undefined);

    let startedResolve!: (address: string) => void;
    let startedReject!: (err: StartFailure) => void;
    this.started = new Promise((resolve, reject) => {
      startedResolve = resolve;
      startedReject = reject;
    });
    // A node that never starts is reported through the model; nobody has to await this.
    this.started.catch(() => undefined);

    readBoundedLines(this.sub.stdout, {
      line: (text) => {
        const l = readNodeLine(text);
        if (l.kind === 'event') {
          const { kind, type, data } = l.event;
          if (kind === 'node' && type === 'started' && typeof data.address === 'string') startedResolve(data.address);
          if (kind === 'node' && type === 'fatal') this.cause = readFatal(data);
          if (l.answer !== null && l.answer.id !== null) this.pending.get(l.answer.id)?.(l.answer);
        }
        onLine(l);
      },
      tooLong: (bytes) =>
        onLine({ kind: 'bad-line', problem: `a line of ${bytes} bytes, over the limit of ${MAX_LINE_BYTES}, was dropped` }),
    });
    readBoundedLines(this.sub.stderr, { line: (text) => this.stderrTail.keep(text), tooLong: (bytes) => this.stderrTail.tooLong(bytes) });

    this.exited = new Promise<ExitInfo>((resolve) => {
      let settled = false;
      const settle = (exitCode: number | null, signal: string | null, failure: string | null): void => {
        if (settled) return;
        settled = true;
        const exit: ExitInfo = {
          exitCode,
          signal,
          stderrTail: failure === null ? [...this.stderrTail.lines] : [...this.stderrTail.lines, failure],
          cause: this.cause,
        };
        startedReject(new StartFailure(exit));
        for (const answer of this.pending.values()) answer(new Error('the node exited before it answered'));
        resolve(exit);
      };
      // 'close', not 'exit': its stdout is read to the end first, so its last words are never missed.
      this.sub.once('close', (code, signal) => settle(code, signal, null));
      // It could not be started at all (no such file, no memory for a process).
      this.sub.once('error', (err) => {
        if (this.sub.pid === undefined) settle(null, null, `could not start the node process: ${err.message}`);
      });
    });
  }

  /** Sends a control command and waits for the node's answer (not for a paused node: see post). */
  command(cmd: Record<string, unknown> & { op: string }, timeoutMs: number): Promise<ControlAnswer> {
    const id = this.nextCommand++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`no answer to ${cmd.op} within ${timeoutMs} ms`)), timeoutMs);
      const settle = (a: ControlAnswer | Error): void => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (a instanceof Error) reject(a);
        else resolve(a);
      };
      this.pending.set(id, settle);
      this.sub.stdin.write(`${JSON.stringify({ ...cmd, id })}\n`);
    });
  }

  /** Sends a command without waiting: a paused node reads it from the pipe when it resumes. */
  post(cmd: Record<string, unknown> & { op: string }): void {
    this.sub.stdin.write(`${JSON.stringify({ ...cmd, id: this.nextCommand++ })}\n`);
  }

  signal(signal: Signal): void {
    signalChild(this.pid, signal);
  }
}
