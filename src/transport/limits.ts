// What a node's inbound connections may cost it, so that no number of strangers can exhaust its
// memory or its file descriptors, and clients can never crowd out the peers a cluster needs:
// - partial frames: bytes held for frames not yet complete come out of a budget, one for peers
//   and a smaller one shared by clients and connections still in their hello;
// - connections: clients are capped below the process's open-file limit, keeping descriptors for
//   peers (both directions), the node's own files and refused connections that linger.
import { readFileSync } from 'node:fs';

/** Used when the open-file limit cannot be read (not Linux): the usual soft limit. */
export const DEFAULT_OPEN_FILE_LIMIT = 1024;

/**
 * Descriptors kept out of the connection caps for the node itself: stdio, the event loop's own
 * (epoll, eventfd, signal pipes, worker threads), the WAL segments, snapshot and folder handles
 * it opens, and the peers' connections (PEER_DESCRIPTORS each, on top).
 */
export const RESERVED_DESCRIPTORS = 96;
/** Per peer: its inbound connection, our outbound link, and one of each being replaced. */
export const PEER_DESCRIPTORS = 4;
/** Connections in their hello at once (at most a quarter of the inbound cap); the oldest is refused to make room for a new one. */
export const DEFAULT_MAX_PENDING = 256;
/** Kept for refused connections lingering (frame-connection.ts); when none is left, the oldest is cut short. */
export const LINGER_ROOM = 32;

/** The soft RLIMIT_NOFILE of this process, from /proc/self/limits; the default where unreadable. */
export function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER;
    const n = Number(soft);
    return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_OPEN_FILE_LIMIT;
  } catch {
    return DEFAULT_OPEN_FILE_LIMIT;
  }
}

export interface ConnectionCaps {
  /** Inbound connections that are not peers' (clients, hellos, refused ones lingering): at it, the oldest lingering one is closed, or else the new one, unread. */
  maxInbound: number;
  /** Connections in their hello. */
  maxPending: number;
  /** Clients past their hello: the next one is refused with `too-many-connections`. */
  maxClients: number;
}

/**
 * The caps for a process allowed `fdLimit` descriptors with `peers` peers. Clients get what is
 * left after the reserve, less room for the connections in their hello and for lingering
 * refusals, so that a client flood always leaves a peer's new connection a descriptor.
 */
export function connectionCaps(fdLimit: number, peers: number, maxPending = DEFAULT_MAX_PENDING): ConnectionCaps {
  const maxInbound = Math.max(8, fdLimit - RESERVED_DESCRIPTORS - PEER_DESCRIPTORS * peers);
  const pending = Math.max(1, Math.min(maxPending, Math.floor(maxInbound / 4)));
  return {
    maxInbound,
    maxPending: pending,
    maxClients: Math.max(1, maxInbound - pending - Math.min(LINGER_ROOM, Math.floor(maxInbound / 4))),
  };
}

/**
 * Bytes held, by owner, against a fixed limit: the partial frames of a pool of connections. An
 * owner may always shrink; it may grow only while the pool stays within the limit.
 */
export class ByteBudget {
  private readonly held = new Map<object, number>();
  private total = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.total;
  }

  /** Sets what `owner` holds; false (and unchanged) when growing to `bytes` would pass the limit. */
  hold(owner: object, bytes: number): boolean {
    const before = this.held.get(owner) ?? 0;
    if (bytes > before && this.total - before + bytes > this.limit) return false;
    this.total += bytes - before;
    if (bytes === 0) this.held.delete(owner);
    else this.held.set(owner, bytes);
    return true;
  }

  release(owner: object): void {
    this.hold(owner, 0);
  }
}

/**
 * Requests taken from all clients together in one event-loop turn. Past it, a connection pauses
 * until the next turn: the node's ticks (and so its heartbeats) run between turns, and a flood of
 * pipelined requests on many connections must not hold them back for long.
 */
export class TurnBudget {
  private used = 0;
  private parked: Array<() => void> = [];
  private scheduled = false;

  constructor(readonly perTurn: number) {}

  /** Counts one request; false when it spent the rest of this turn's budget (the caller then waits with `park`). */
  take(): boolean {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.nextTurn());
    }
    return ++this.used < this.perTurn;
  }

  /** Calls `resume` at the start of the next turn. */
  park(resume: () => void): void {
    this.parked.push(resume);
  }

  private nextTurn(): void {
    this.scheduled = false;
    this.used = 0;
    const parked = this.parked;
    this.parked = [];
    for (const resume of parked) resume();
  }
}
