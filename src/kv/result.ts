// What applying a command answers its client. Results are plain JSON data: the session table keeps
// the latest one per client (a retry gets it again), snapshots carry them, and the node runtime sends
// them back over the wire.

export type KvErrorCode =
  /** The entry is not a command this build can read (bad JSON, a missing or mistyped field). */
  | 'malformed'
  /** The entry's "v" names a command version this build does not know. */
  | 'unsupported-version'
  /** A key, value or text is over its limit (limits.ts). */
  | 'too-large'
  /** The client already got past this sequence number: a late duplicate, not applied again. */
  | 'stale-sequence'
  /** The client has no session (evicted, or never opened) and the command is not its first. */
  | 'session-expired';

// Read-only: the session table hands the same result to every retry, so a caller that changed
// one would change what this replica remembers, and its snapshot.
export interface CommandError {
  readonly ok: false;
  readonly code: KvErrorCode;
  readonly message: string;
}

/** A command that ran. A cas whose comparison failed ran too: it answers the value it found. */
export type CommandOutcome =
  | { readonly ok: true; readonly op: 'submit' }
  | { readonly ok: true; readonly op: 'put'; readonly previous: string | null }
  | { readonly ok: true; readonly op: 'delete'; readonly existed: boolean }
  | { readonly ok: true; readonly op: 'cas'; readonly swapped: true }
  | { readonly ok: true; readonly op: 'cas'; readonly swapped: false; readonly current: string | null };

export type CommandResult = CommandOutcome | CommandError;

export function commandError(code: KvErrorCode, message: string): CommandError {
  return { ok: false, code, message };
}
