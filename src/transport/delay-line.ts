// Messages held back by the fault filter's per-link delay. Each frame waits on its own timer and
// is then handed to the peer's send queue; with one delay per link, timers of equal length fire
// in the order they were set, so a delayed link keeps its order. What is held per peer is bounded
// like a send queue (frames and bytes), so a long delay on a busy link cannot grow memory without bound.
import type { NodeId } from '../raft/types.js';
import type { Timers } from './timers.js';

interface Held {
  handles: Set<unknown>;
  bytes: number;
}

export class DelayLine {
  private readonly held = new Map<NodeId, Held>();

  constructor(
    private readonly timers: Timers,
    private readonly limits: { maxFrames: number; maxBytes: number },
    private readonly release: (to: NodeId, frame: Buffer, urgent: boolean) => void,
  ) {}

  /** Frames held, all peers together. */
  get size(): number {
    let n = 0;
    for (const h of this.held.values()) n += h.handles.size;
    return n;
  }

  /** Holds `frame` for `delayMs`; false (and not held) when that would pass `to`'s bounds. */
  hold(to: NodeId, frame: Buffer, urgent: boolean, delayMs: number): boolean {
    let h = this.held.get(to);
    if (h === undefined) this.held.set(to, (h = { handles: new Set(), bytes: 0 }));
    const held = h;
    if (held.handles.size >= this.limits.maxFrames || held.bytes + frame.length > this.limits.maxBytes) return false;
    const handle = this.timers.setTimeout(() => {
      held.handles.delete(handle);
      held.bytes -= frame.length;
      this.release(to, frame, urgent);
    }, delayMs);
    held.handles.add(handle);
    held.bytes += frame.length;
    return true;
  }

  /** Forgets everything held (the transport is closing). */
  clear(): void {
    for (const h of this.held.values()) for (const handle of h.handles) this.timers.clearTimeout(handle);
    this.held.clear();
  }
}
