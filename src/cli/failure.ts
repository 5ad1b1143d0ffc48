// How a command ends when something a user can fix went wrong: one line on stderr naming the cause
// and the fix, and the exit status (src/schema/exit-codes.ts) that tells scripts what kind of
// failure it was. The status is chosen by the error's code, never by its text. Anything else is a
// bug and keeps its stack trace.
import { UsageError } from '../cluster-model/commands/grammar.js';
import { ClusterError } from '../cluster-model/errors.js';
import { EXIT_STATUS, type ExitCode } from '../schema/exit-codes.js';

/** What a CLI error ends the command with. */
export type CliErrorCode = Extract<ExitCode, 'failed' | 'usage' | 'not-running'>;

export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly code: CliErrorCode = 'failed',
  ) {
    super(message);
  }
}

/** The error as the CLI reports it, or null for a bug. */
export function asCliError(err: unknown): CliError | null {
  if (err instanceof CliError) return err;
  if (err instanceof UsageError) return new CliError(err.message, 'usage');
  if (err instanceof ClusterError) return new CliError(err.message, err.problem.code === 'not-running' ? 'not-running' : 'failed');
  return null;
}

/**
 * Wraps a command's action: a failure a user can fix becomes one line on stderr,
 * "raft-console <command>: <cause and fix>", and its exit status.
 */
export function guarded<A extends unknown[]>(command: string, action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (err) {
      const failure = asCliError(err);
      if (failure === null) throw err;
      process.stderr.write(`raft-console ${command}: ${failure.message}\n`);
      process.exitCode = EXIT_STATUS[failure.code];
    }
  };
}
