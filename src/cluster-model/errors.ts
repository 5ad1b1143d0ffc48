// The one error class of src/cluster that a user can fix: its message names the cause and the fix,
// and the CLI prints it as it is. Anything else is a bug and keeps its stack.
export type ClusterErrorCode =
  /** No supervisor answers for that cluster name: the CLI exits 3. */
  | 'not-running'
  | 'failed';

export class ClusterError extends Error {
  constructor(
    message: string,
    readonly code: ClusterErrorCode = 'failed',
  ) {
    super(message);
  }
}
