// Client sessions, for exactly-once writes (Raft dissertation, section 6.3). A client numbers its
// writes 1, 2, 3... and has one in flight at a time; when a leader change leaves it unsure whether
// a write went through, it sends the same (clientId, seq) again. The table remembers, per client,
// the latest seq and its result:
//
// - seq above the latest: a new command; it runs and its result is remembered.
// - seq equal to the latest: a retry; it does not run again, and gets the remembered result.
// - seq below the latest: a stale duplicate (the client has moved on, so nobody waits for it);
//   it does not run, and gets 'stale-sequence'.
// - an unknown client: a session opens only with seq 1. Any other seq gets 'session-expired',
//   because its session existed and was evicted (or never did): running it could apply a command
//   a second time. Such a client starts over under a new clientId.
//
// The table is bounded: past `maxSessions` the least recently used session goes, where "used" is
// the log index of the client's latest command (a retry or a stale duplicate counts: the client is
// alive). Log order is the same on every replica, wall-clock time is not, so every replica evicts
// the same sessions.
//
// The one gap a bounded table leaves: if a client's session is evicted while it is still retrying
// its very first write (seq 1), that retry opens a new session and applies again. It takes
// `maxSessions` other clients writing meanwhile.
import { commandError, type CommandResult } from './result.js';

export interface Session {
  clientId: string;
  /** The client's latest sequence number. */
  seq: number;
  /** Index of the latest log entry from this client: what eviction orders by. */
  lastIndex: number;
  /** What the command numbered `seq` answered. */
  result: CommandResult;
}

export class SessionTable {
  /** Least recently used first: entries are re-inserted when used, and uses come in log order. */
  private readonly sessions = new Map<string, Session>();

  /** `sessions` must be least recently used first, as list() gives them. */
  constructor(
    readonly maxSessions: number,
    sessions: readonly Session[] = [],
  ) {
    for (const s of sessions) this.sessions.set(s.clientId, { ...s });
  }

  /** Runs `execute` if (clientId, seq) is a new command, and remembers its result; see above. */
  run(clientId: string, seq: number, index: number, execute: () => CommandResult): CommandResult {
    const session = this.sessions.get(clientId);
    if (session === undefined) {
      if (seq !== 1)
        return commandError(
          'session-expired',
          `client ${clientId} has no session (expired or never opened) and seq ${seq} is not 1: start over under a new clientId`,
        );
      const result = execute();
      this.sessions.set(clientId, { clientId, seq, lastIndex: index, result });
      this.evict();
      return result;
    }
    this.sessions.delete(clientId);
    session.lastIndex = index;
    this.sessions.set(clientId, session);
    if (seq === session.seq) return session.result;
    if (seq < session.seq)
      return commandError('stale-sequence', `seq ${seq} of client ${clientId} is a stale duplicate: its latest is ${session.seq}`);
    session.seq = seq;
    session.result = execute();
    return session.result;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Every session, least recently used first. */
  list(): Session[] {
    return [...this.sessions.values()].map((s) => ({ ...s }));
  }

  private evict(): void {
    for (const clientId of this.sessions.keys()) {
      if (this.sessions.size <= this.maxSessions) return;
      this.sessions.delete(clientId);
    }
  }
}
