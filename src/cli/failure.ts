// How a command ends when something a user can fix went wrong: one line on stderr naming the cause
// and the fix, and the exit code that tells scripts what kind of failure it was. Anything else is
// a bug and keeps its stack trace.
import { ClusterError } from '../cluster-model/index.js';
import { portOwner } from './port-owner.js';

/** The operation failed: no quorum, a refused action, a node that is down... */
export const EXIT_FAILED = 1;
/** The command line is wrong. */
export const EXIT_USAGE = 2;
/** No cluster of that name is running. */
export const EXIT_NOT_RUNNING = 3;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILED,
  ) {
    super(message);
  }
}

const PORT_IN_USE = /port (\d+)\b[^:]*? (?:is )?already in use/;

/**
 * A ClusterError as the CLI reports it: exit 3 when no cluster runs, and who holds a busy port (the
 * port is read from the node's own message, relayed by the supervisor).
 */
function fromCluster(err: ClusterError): CliError {
  const port = PORT_IN_USE.exec(err.message)?.[1];
  const owner = port === undefined ? null : portOwner(Number(port));
  // Naming the holder makes the `ss` hint unnecessary.
  const message = owner === null ? err.message : err.message.replace(/already in use/, `already in use by ${owner}`).replace(/,? \(try: ss [^)]*\)/, '');
  return new CliError(message, err.code === 'not-running' ? EXIT_NOT_RUNNING : EXIT_FAILED);
}

/** The error as the CLI reports it, or null for a bug. */
export function asCliError(err: unknown): CliError | null {
  if (err instanceof CliError) return err;
  if (err instanceof ClusterError) return fromCluster(err);
  return null;
}

/**
 * Wraps a command's action: a failure a user can fix becomes one line on stderr,
 * "raft-console <command>: <cause and fix>", and its exit code.
 */
export function guarded<A extends unknown[]>(command: string, action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (err) {
      const failure = asCliError(err);
      if (failure === null) throw err;
      process.stderr.write(`raft-console ${command}: ${failure.message}\n`);
      process.exitCode = failure.exitCode;
    }
  };
}
