// The Ready contract between the pure core and the runtime that touches the world.
import type { RaftEvent } from './events.js';
import type { Entry, HardState, Message, ReadState, Snapshot, SoftState } from './types.js';

/**
 * What the core asks of the world since the last `ready()`. The runtime handles Readys one at a
 * time, in order, each in these steps, and calls `advance(ready)` when done:
 *
 * 1. Send `messagesBeforePersist`. They may leave before this Ready is persisted, never before an
 *    earlier Ready is: they are a leader's appends, heartbeats and snapshots, which a leader may
 *    send while writing the same entries to its own disk (dissertation 10.2.1), and the core puts
 *    none there in a Ready that changes the term or vote.
 * 2. Persist `snapshot` if set (it replaces the stored log up to its index), then `entries` (first
 *    drop every stored entry at or after `entries[0].index`: a conflicting suffix is being
 *    replaced), then `hardState` if set; durably (fsync) when `mustSync`. Then call
 *    `persisted(ready)`: from then on a leader counts these entries of its own towards a commit.
 *    Votes and terms live in the hard state: a vote must be on disk before the reply that grants it
 *    leaves (section 5.2 and Figure 2, "persistent state ... updated on stable storage before
 *    responding to RPCs"). When `mustSync` is false the Ready only moves the commit index, which
 *    Raft never needs durable (a restarted node relearns it): write it, skip the fsync, and a
 *    crash before the next synced write may lose it.
 * 3. Send `messages`. They may be dropped, duplicated or reordered: the core copes.
 * 4. If `snapshot` is set, restore the state machine from it; then apply `committedEntries` in
 *    order. They are committed: every node applies the same entries at the same indexes.
 * 5. Serve the reads waiting on `readStates` once the state machine has applied `index`.
 *
 * Inputs (messages, ticks, proposals, `persisted`) may reach the core while a Ready is being
 * handled; what they cause comes out in the next Ready.
 */
export interface Ready {
  /** Set when role or leader changed. */
  softState: SoftState | null;
  /** Set when term, vote or commit changed. */
  hardState: HardState | null;
  entries: Entry[];
  snapshot: Snapshot | null;
  /** Whether step 2 must fsync: entries, a snapshot, or a new term or vote to persist. */
  mustSync: boolean;
  /** Step 1: may leave before this Ready is persisted. */
  messagesBeforePersist: Message[];
  /** Step 3: only once this Ready is persisted. */
  messages: Message[];
  committedEntries: Entry[];
  readStates: ReadState[];
  events: RaftEvent[];
}
