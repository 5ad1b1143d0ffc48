// How every raft-console process ends: the one table of exit statuses, read by whoever runs one (a
// shell, a script, `up --detach` waiting for its supervisor). Here, at the bottom, because processes
// end in several layers: each CLI command, a node (src/cli/node.ts), a supervisor of its own
// (src/supervisor/supervise-main.ts), the dashboard. README.md and docs/CHECK.md list these.

export const EXIT_STATUS = {
  /** Done; for `check` and `sim`, nothing was found broken. */
  ok: 0,
  /**
   * The operation failed: no leader with a majority, a refused action, a node that is down, a port in
   * use, a `cas` whose value did not match; a node that stops on a fatal error; also a bug (an
   * uncaught error, as Node itself ends on one).
   */
  failed: 1,
  /** `check` or `sim` found a property broken. */
  violation: 1,
  /** The command line is wrong. */
  usage: 2,
  /** No cluster of that name is running. */
  'not-running': 3,
  /** `check` found no violation but could not decide (its --budget ran out, a key could not be read). */
  unknown: 4,
  /** Interrupted: Ctrl-C during `check`, or a second signal that makes a supervisor leave at once. */
  interrupted: 130,
} as const satisfies Record<string, number>;

export type ExitCode = keyof typeof EXIT_STATUS;
