// A node's "state" line as it writes it (src/node/state-line.ts), whole: for the tests of its
// readers, which change it a field at a time.
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
