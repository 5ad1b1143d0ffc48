// The one error type storage raises for a data directory it will not open. Its message is one line
// for the operator: what is wrong, where, and what to do about it. `code` is for programs (the CLI
// picks an exit status, tests check the cause) so they never parse the message.

export type DataDirProblem =
  /** The directory belongs to another cluster or another node. */
  | 'wrong-identity'
  /** Written by a storage format this build does not read. */
  | 'unsupported-format'
  /** Not empty, yet not a raft-console data directory. */
  | 'not-a-data-dir'
  /** A file is damaged in a way a crash cannot explain. */
  | 'corrupt';

export class DataDirError extends Error {
  override readonly name = 'DataDirError';

  constructor(
    readonly problem: DataDirProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The usual advice for a damaged file: there is no safe automatic repair. Deleting the directory by
 * hand is not safe either: the node may have helped commit entries and cast votes it would forget.
 * `replace` keeps the directory and starts the node in recovering mode (no vote until caught up).
 */
export function replaceAdvice(dir: string): string {
  return `run \`raft-console replace <id>\` for this node: it moves ${dir} aside and starts the node empty, in recovering mode until it has caught up from the leader (do not delete it by hand: the node would vote again at once)`;
}

export type SnapshotRefusal =
  /** Another of the node's own snapshots is still being written: one at a time. */
  | 'in-flight'
  /** The stored snapshot is already at or beyond its index. */
  | 'not-beyond-stored'
  /** Its index is beyond the stored commit index: the Ready that committed it was not saved first. */
  | 'beyond-commit'
  /** The stored log's entry at its index has another term. */
  | 'term-mismatch';

/**
 * A snapshot of the node's own state machine that storage will not take: a bug in the caller, since
 * the core only compacts to an applied (so committed and saved) entry. Nothing is left of it.
 */
export class SnapshotRefusedError extends RangeError {
  override readonly name = 'SnapshotRefusedError';

  constructor(
    readonly code: SnapshotRefusal,
    /** The refused snapshot's index. */
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}
