// Each node's events reach the supervisor on a pipe of their own, so a line can arrive after a
// later line of another node, and the story would tell an effect before its cause. A short window
// puts them back in time order: every event is held until its timestamp is `holdMs` old, and the
// events due leave oldest first (equal timestamps in the order they arrived). The window bounds the
// delay, not how late a stalled process may be: an event older than the ones already released
// leaves at the next release, after them. Pure: the caller says what time it is.

export class ReorderWindow<T extends { ts: number }> {
  /** Held events, oldest first. */
  private readonly held: T[] = [];

  constructor(readonly holdMs: number) {}

  push(item: T): void {
    // After every held event with the same or an earlier time: arrival order breaks ties.
    let at = this.held.length;
    while (at > 0 && this.held[at - 1]!.ts > item.ts) at--;
    this.held.splice(at, 0, item);
  }

  /** The events due at `now` (their timestamp is holdMs old), oldest first. */
  release(now: number): T[] {
    let due = 0;
    while (due < this.held.length && this.held[due]!.ts + this.holdMs <= now) due++;
    return this.held.splice(0, due);
  }

  /** Every held event, oldest first: for a supervisor that stops. */
  drain(): T[] {
    return this.held.splice(0);
  }

  /** When the oldest held event is due, or null when none is held. */
  nextDue(): number | null {
    const first = this.held[0];
    return first === undefined ? null : first.ts + this.holdMs;
  }
}
