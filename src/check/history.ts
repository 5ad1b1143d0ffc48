// A history of client operations on a key-value register per key, as `raft-console check` records
// it and the linearizability checker reads it: every operation's invocation and completion with
// their real-time bounds. An operation whose outcome the client could not learn (a timeout, a lost
// connection after sending) is indeterminate: it may or may not have taken effect, at any moment
// after its invocation (Jepsen's :info).
//
// Values are strings; a missing key reads as null.

export type OpKind = 'read' | 'write' | 'cas';

/** What the client asked for. */
export type OpInput =
  | { kind: 'read'; key: string }
  | { kind: 'write'; key: string; value: string }
  /** Set key to `value` if its current value is `expected` (null: only if absent). */
  | { kind: 'cas'; key: string; expected: string | null; value: string };

/** How it ended. */
export type OpOutcome =
  /** read: the value seen; write: always ok; cas: ok means it swapped. */
  | { type: 'ok'; value?: string | null }
  /** The operation certainly did not take effect (e.g. a cas whose expected value did not match, or a refusal before sending). */
  | {
      type: 'fail';
      reason: string;
      /** A cas the cluster answered, refusing it because the key held `current`, not the expected value. */
      mismatch?: { current: string | null };
    }
  /** Unknown: it may have taken effect at any time after `invokedAt` (timeout, connection lost). */
  | { type: 'info'; reason: string };

export interface Operation {
  /** Unique in the history, in invocation order. */
  id: number;
  /** The client (process) that issued it; a client has one operation in flight at a time. */
  client: number;
  input: OpInput;
  /** Monotonic milliseconds (performance.now() of the recording process) of invocation and completion. */
  invokedAt: number;
  /** For 'info' outcomes: when the client gave up (the operation may still take effect later). */
  completedAt: number;
  outcome: OpOutcome;
}

export interface History {
  operations: Operation[];
}
