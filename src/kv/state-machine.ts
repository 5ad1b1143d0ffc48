// The replicated key-value state machine a node applies committed entries to. Deterministic: the
// same entries in the same order give the same state and the same results on every replica, even
// for entries that are not valid commands (another client version, a bug): those give an error
// result and change nothing but the applied index. Nothing here reads a clock or a random source.
//
// Writes arrive as entries; reads (get) are served by the runtime once a ReadIndex round completed
// and appliedIndex has reached its index, so they never enter the log.
import type { Entry } from '../raft/types.js';
import { decodeCommand, limitViolation } from './command.js';
import { GENESIS_DIGEST, nextDigest } from './digest.js';
import { DEFAULT_MAX_SESSIONS } from './limits.js';
import { commandError, type CommandResult } from './result.js';
import { SessionTable } from './sessions.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import { KvStore } from './store.js';

export interface KvOptions {
  /**
   * Sessions kept before the least recently used is evicted. Every replica must use the same value;
   * a snapshot carries it, so a restored machine keeps the one it was created with.
   */
  maxSessions?: number;
}

/** What applying one normal entry gave, for the client waiting on it and for the dashboard. */
export interface ApplyResult {
  index: number;
  /** With index, identifies the entry: a waiter whose proposal was at (index, term) gets this. */
  term: number;
  /** The command's session; null when the entry could not be read as a command. */
  clientId: string | null;
  seq: number | null;
  result: CommandResult;
}

export interface KvStats {
  appliedIndex: number;
  keys: number;
  /** UTF-8 bytes of all keys and values. */
  dataBytes: number;
  sessions: number;
  maxSessions: number;
  submitted: number;
}

export class KvStateMachine {
  private store = new KvStore();
  private sessions: SessionTable;
  private applied = 0;
  /** The applied-state digest at `applied` (digest.ts); null after a restore from a snapshot that had none. */
  private appliedDigest: string | null = GENESIS_DIGEST;

  constructor(options: KvOptions = {}) {
    const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (!Number.isSafeInteger(maxSessions) || maxSessions < 1)
      throw new RangeError(`maxSessions must be a positive integer, got ${maxSessions}`);
    this.sessions = new SessionTable(maxSessions);
  }

  /** A machine in the state `data` (from serialize()) describes. Throws a KvSnapshotError if damaged. */
  static restore(data: string): KvStateMachine {
    const snapshot = decodeSnapshot(data);
    const machine = new KvStateMachine({ maxSessions: snapshot.maxSessions });
    machine.store = KvStore.from(snapshot.data, snapshot.submitted);
    machine.sessions = new SessionTable(snapshot.maxSessions, snapshot.sessions);
    machine.applied = snapshot.appliedIndex;
    machine.appliedDigest = snapshot.digest;
    return machine;
  }

  /** Index of the last entry applied (or of the snapshot restored); 0 for a new machine. */
  get appliedIndex(): number {
    return this.applied;
  }

  /** The applied-state digest at appliedIndex: equal on two replicas only if they applied the same entries. Null when unknown. */
  get digest(): string | null {
    return this.appliedDigest;
  }

  /**
   * Applies the committed entry at appliedIndex + 1. Noop and config entries only advance the
   * applied index (null is returned). Throws only on a runtime bug: an entry out of order (skipped,
   * repeated, or below a restored snapshot), which would make this replica diverge.
   */
  apply(entry: Entry): ApplyResult | null {
    if (entry.index !== this.applied + 1)
      throw new RangeError(`kv state machine: cannot apply entry ${entry.index}, the next to apply is ${this.applied + 1}`);
    this.applied = entry.index;
    if (this.appliedDigest !== null) this.appliedDigest = nextDigest(this.appliedDigest, entry);
    if (entry.type !== 'normal') return null;
    const { index, term } = entry;
    const decoded = decodeCommand(entry.data);
    if (!decoded.ok) return { index, term, clientId: null, seq: null, result: decoded.error };
    const command = decoded.command;
    const result = this.sessions.run(command.clientId, command.seq, index, () => {
      // Checked inside the session: a command over a limit uses up its seq, and a retry gets the
      // same refusal.
      const over = limitViolation(command);
      return over === null ? this.store.execute(command) : commandError('too-large', over);
    });
    return { index, term, clientId: command.clientId, seq: command.seq, result };
  }

  /** The value of `key`, or null. Linearizable once a ReadIndex round's index has been applied. */
  get(key: string): string | null {
    return this.store.get(key);
  }

  stats(): KvStats {
    return {
      appliedIndex: this.applied,
      keys: this.store.keys,
      dataBytes: this.store.dataBytes,
      sessions: this.sessions.size,
      maxSessions: this.sessions.maxSessions,
      submitted: this.store.submitted,
    };
  }

  /** The whole state, canonical (see snapshot.ts): the data for the core's compact(appliedIndex, data). */
  serialize(): string {
    return encodeSnapshot({
      appliedIndex: this.applied,
      digest: this.appliedDigest,
      maxSessions: this.sessions.maxSessions,
      submitted: this.store.submitted,
      data: [...this.store.entries()],
      sessions: this.sessions.list(),
    });
  }
}
