// Step mode's hold, below the core beside the fault filter: while it is on, every Raft message the
// core sends is kept here instead of queued for its peer, under an id unique in the cluster
// (`${from}.${seq}`), until the supervisor releases it (then it goes the usual way, through the
// fault filter, in the order asked) or drops it (as a lossy network would). The core never knows:
// to it, a held message is one still on the wire, which Raft tolerates (section 5.1: messages may
// be delayed, reordered or lost).
import type { Message, NodeId } from '../raft/types.js';

/** A held message's id: the sender's node id and its sequence number ("1.7"). */
export const HELD_ID = /^[1-9][0-9]{0,8}\.[1-9][0-9]{0,14}$/;

export interface HeldEntry {
  /** `${from}.${seq}`: seq counts this process's held messages from 1. */
  id: string;
  message: Message;
  /** When it was held (ms epoch). */
  heldAt: number;
}

/** A held message's own fields, flat, for the people deciding its fate (HeldMessage.detail in the model). */
export type HeldDetail = Record<string, number | string | boolean>;

export class StepHold {
  private on = false;
  private seq = 0;
  private held: HeldEntry[] = [];

  constructor(private readonly self: NodeId) {}

  get holding(): boolean {
    return this.on;
  }

  get size(): number {
    return this.held.length;
  }

  /** Step mode on: messages are held from now. Off: every message held, oldest first, for sending now. */
  set(on: boolean): HeldEntry[] {
    this.on = on;
    if (on) return [];
    const all = this.held;
    this.held = [];
    return all;
  }

  /** Keeps `m` and returns its entry. */
  hold(m: Message, now: number): HeldEntry {
    const entry = { id: `${this.self}.${++this.seq}`, message: m, heldAt: now };
    this.held.push(entry);
    return entry;
  }

  /** Takes the messages `ids` out, in the order asked; `unknown`: ids this node does not hold (taken nothing for them). */
  take(ids: readonly string[]): { taken: HeldEntry[]; unknown: string[] } {
    const taken: HeldEntry[] = [];
    const unknown: string[] = [];
    for (const id of ids) {
      const i = this.held.findIndex((e) => e.id === id);
      if (i < 0) unknown.push(id);
      else taken.push(...this.held.splice(i, 1));
    }
    return { taken, unknown };
  }

  /** The messages held now, oldest first. */
  list(): readonly HeldEntry[] {
    return this.held;
  }
}

/** What a message says besides its type and term, flat: indexes, counts, grants. */
export function heldDetail(m: Message): HeldDetail {
  switch (m.type) {
    case 'pre-vote':
    case 'vote':
      return { lastLogIndex: m.lastLogIndex, lastLogTerm: m.lastLogTerm, ...(m.transfer === true ? { transfer: true } : {}) };
    case 'pre-vote-response':
    case 'vote-response':
      return { granted: m.granted, ...(m.reason === undefined ? {} : { reason: m.reason }) };
    case 'append': {
      const first = m.entries[0];
      const last = m.entries.at(-1);
      return {
        prevLogIndex: m.prevLogIndex,
        prevLogTerm: m.prevLogTerm,
        entries: m.entries.length,
        ...(first === undefined || last === undefined ? {} : { firstIndex: first.index, lastIndex: last.index, lastTerm: last.term }),
        leaderCommit: m.leaderCommit,
      };
    }
    case 'append-response':
      return {
        success: m.success,
        index: m.index,
        ...(m.success ? {} : { conflictTerm: m.conflictTerm, conflictIndex: m.conflictIndex }),
      };
    case 'heartbeat':
      return { commit: m.commit, ...(m.context === undefined ? {} : { read: true }) };
    case 'heartbeat-response':
      return m.context === undefined ? {} : { read: true };
    case 'snapshot':
      return { index: m.snapshot.meta.index, snapshotTerm: m.snapshot.meta.term };
    case 'timeout-now':
      return {};
  }
}
