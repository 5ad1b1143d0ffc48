// A node's "state" line as it writes it (src/node/state-line.ts), whole: for the tests of its
// readers, which change it a field at a time. And an event the core emits, for its tests and the
// supervisor's that read it from a node's line.
import type { RaftEvent } from '../../src/raft/events.js';

export const STATE_LINE = {
  ts: 1,
  node: 1,
  kind: 'state',
  role: 'leader',
  term: 3,
  vote: 1,
  leader: 1,
  commit: 5,
  applied: 5,
  firstIndex: 1,
  lastIndex: 5,
  lastTerm: 3,
  snapshotIndex: 0,
  membership: { voters: [1, 2, 3], learners: [] },
  runs: [
    [1, 1],
    [4, 3],
  ],
  timer: { kind: 'heartbeat', deadline: 1000, intervalMs: 50 },
  progress: { 2: { match: 5, next: 6, state: 'replicate' } },
  digests: [[5, '0123456789abcdef']],
};

/** A follower's refusal to replace its committed entry 2 (term 1) with leader n1's entry 2 of term 4. */
export const OVERWRITE_REFUSAL = {
  type: 'append-rejected',
  leader: 1,
  term: 4,
  prevLogIndex: 2,
  prevLogTerm: 4,
  reason: 'overwrites-committed',
  conflictTerm: 1,
  conflictIndex: 2,
} as const satisfies RaftEvent;
