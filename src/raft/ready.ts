// The Ready contract between the pure core and the runtime that touches the world.
import type { RaftEvent } from './events.js';
import type { Entry, HardState, Message, ReadState, Snapshot, SoftState } from './types.js';

/**
 * What the core asks of the world since the last `advance()`. The runtime must handle it in this
 * order, and call `advance(ready)` when done:
 *
 * 1. Persist, durably (fsync), before anything below: `snapshot` if set (it replaces the stored log
 *    up to its index), then `entries` (first drop every stored entry at or after
 *    `entries[0].index`: a conflicting suffix is being replaced), then `hardState` if set.
 *    Votes and terms live in the hard state: a vote must be on disk before the reply that grants it
 *    leaves (section 5.2 and Figure 2, "persistent state ... updated on stable storage before
 *    responding to RPCs").
 * 2. Send `messages`. They may be dropped, duplicated or reordered: the core copes.
 * 3. If `snapshot` is set, restore the state machine from it; then apply `committedEntries` in
 *    order. They are committed: every node applies the same entries at the same indexes.
 * 4. Serve the reads waiting on `readStates` once the state machine has applied `index`.
 */
export interface Ready {
  /** Set when role or leader changed. */
  softState: SoftState | null;
  /** Set when term, vote or commit changed. */
  hardState: HardState | null;
  entries: Entry[];
  snapshot: Snapshot | null;
  messages: Message[];
  committedEntries: Entry[];
  readStates: ReadState[];
  events: RaftEvent[];
}
