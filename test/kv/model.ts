// A reference model of the state machine, written for obviousness rather than speed: sessions in a
// plain Map with their last index, eviction by scanning for the smallest one. Random logs run
// through both must give the same results. It reuses the decoder and the limit check, which have
// their own table tests.
import { decodeCommand, limitViolation, type CommandResult, type KvCommand, type KvErrorCode } from '../../src/kv/index.js';
import type { Entry } from '../../src/raft/types.js';

interface ModelSession {
  seq: number;
  lastIndex: number;
  result: CommandResult;
}

export class ModelKv {
  readonly data = new Map<string, string>();
  submitted = 0;
  private readonly sessions = new Map<string, ModelSession>();

  constructor(private readonly maxSessions: number) {}

  apply(entry: Entry): CommandResult | null {
    if (entry.type !== 'normal') return null;
    const decoded = decodeCommand(entry.data);
    if (!decoded.ok) return withoutMessage(decoded.error);
    const { clientId, seq } = decoded.command;
    const session = this.sessions.get(clientId);
    if (session === undefined && seq !== 1) return refused('session-expired');
    if (session !== undefined) {
      session.lastIndex = entry.index;
      if (seq === session.seq) return session.result;
      if (seq < session.seq) return refused('stale-sequence');
    }
    const over = limitViolation(decoded.command);
    const result = over === null ? this.run(decoded.command) : refused('too-large');
    this.sessions.set(clientId, { seq, lastIndex: entry.index, result });
    if (this.sessions.size > this.maxSessions) {
      const oldest = [...this.sessions].reduce((a, b) => (b[1].lastIndex < a[1].lastIndex ? b : a));
      this.sessions.delete(oldest[0]);
    }
    return result;
  }

  private run(c: KvCommand): CommandResult {
    const current = c.op === 'submit' ? null : (this.data.get(c.key) ?? null);
    switch (c.op) {
      case 'submit':
        this.submitted++;
        return { ok: true, op: 'submit' };
      case 'put':
        this.data.set(c.key, c.value);
        return { ok: true, op: 'put', previous: current };
      case 'delete':
        this.data.delete(c.key);
        return { ok: true, op: 'delete', existed: current !== null };
      case 'cas':
        if (current !== c.expected) return { ok: true, op: 'cas', swapped: false, current };
        this.data.set(c.key, c.value);
        return { ok: true, op: 'cas', swapped: true };
    }
  }
}

/** The model does not word its refusals: compare results through withoutMessage(). */
function refused(code: KvErrorCode): CommandResult {
  return { ok: false, code, message: '' };
}

export function withoutMessage(result: CommandResult | null): CommandResult | null {
  return result === null || result.ok ? result : { ...result, message: '' };
}
