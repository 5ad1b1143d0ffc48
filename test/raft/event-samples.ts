// Core events for the tests of their sentences (English and Chinese): one of every kind, and the
// variants that are worded differently.
import type { RaftEvent, RaftEventType, RoleChangeCause } from '../../src/raft/events.js';
import type { VoteRefusal } from '../../src/raft/types.js';
import type { EventOf } from './harness.js';

/** One event of every kind. */
export const samples: { [K in RaftEventType]: EventOf<K> } = {
  'election-timeout': { type: 'election-timeout', term: 3, ticks: 14, leader: 2 },
  'role-change': { type: 'role-change', from: 'follower', to: 'candidate', term: 4, cause: 'election-timeout' },
  campaign: { type: 'campaign', round: 'vote', term: 4, voters: 3, transfer: false },
  'vote-cast': { type: 'vote-cast', round: 'vote', candidate: 2, term: 4, granted: true },
  'vote-received': {
    type: 'vote-received',
    round: 'vote',
    from: 2,
    term: 4,
    granted: true,
    grantedTotal: 2,
    rejectedTotal: 0,
    needed: 2,
  },
  'election-won': { type: 'election-won', term: 4, votes: 2, voters: 3 },
  'election-lost': { type: 'election-lost', round: 'pre-vote', term: 4, rejections: 2, voters: 3 },
  'append-rejected': {
    type: 'append-rejected',
    leader: 1,
    term: 4,
    prevLogIndex: 7,
    prevLogTerm: 3,
    reason: 'term-mismatch',
    conflictTerm: 2,
    conflictIndex: 5,
  },
  truncate: { type: 'truncate', leader: 1, term: 4, from: 5, to: 7, terms: [2, 3] },
  commit: { type: 'commit', from: 5, to: 7, term: 4, replicas: 2, voters: 3 },
  'snapshot-sent': { type: 'snapshot-sent', to: 3, index: 100, term: 4 },
  'snapshot-installed': { type: 'snapshot-installed', from: 1, index: 100, term: 4 },
  'snapshot-taken': { type: 'snapshot-taken', index: 100, term: 4 },
  membership: {
    type: 'membership',
    change: { type: 'add-learner', node: 4 },
    membership: { voters: [1, 2, 3], learners: [4] },
    index: 9,
  },
  'config-committed': {
    type: 'config-committed',
    change: { type: 'promote', node: 4 },
    membership: { voters: [1, 2, 3, 4], learners: [] },
    index: 12,
  },
  'proposal-refused': { type: 'proposal-refused', reason: 'not-leader', leader: 1 },
  'transfer-started': { type: 'transfer-started', target: 2, term: 4 },
  'transfer-aborted': { type: 'transfer-aborted', target: 2, term: 4 },
  'stale-message': { type: 'stale-message', from: 2, message: 'append', messageTerm: 3, term: 4 },
  'follower-lost-data': { type: 'follower-lost-data', follower: 2, acknowledged: 120, term: 4 },
  'recovery-finished': { type: 'recovery-finished', index: 120, aboveTerm: 3, term: 4 },
};

const causes: RoleChangeCause[] = [
  'election-timeout',
  'pre-vote-won',
  'won-election',
  'higher-term',
  'leader-found',
  'check-quorum',
  'removed',
  'transfer',
  'campaign-requested',
  'election-lost',
];
const refusals: VoteRefusal[] = ['stale-term', 'already-voted', 'log-not-up-to-date', 'leader-alive', 'recovering'];

/** Every kind, and the variants of each that read differently: every cause, every refusal, pre-vote and vote. */
export const variants: RaftEvent[] = [
  ...Object.values(samples),
  ...causes.map((cause): RaftEvent => ({ type: 'role-change', from: 'candidate', to: 'follower', term: 2, cause })),
  ...refusals.map((reason): RaftEvent => ({ type: 'vote-cast', round: 'vote', candidate: 3, term: 2, granted: false, reason })),
  { type: 'vote-cast', round: 'pre-vote', candidate: 3, term: 2, granted: true },
  { type: 'election-timeout', term: 1, ticks: 12, leader: 0 },
  {
    type: 'append-rejected',
    leader: 1,
    term: 2,
    prevLogIndex: 9,
    prevLogTerm: 2,
    reason: 'missing-entries',
    conflictTerm: 0,
    conflictIndex: 4,
  },
  { type: 'commit', from: 3, to: 3, term: 2, replicas: 0, voters: 0 },
  { type: 'membership', change: { type: 'remove', node: 1 }, membership: { voters: [], learners: [] }, index: 3 },
  { type: 'membership', change: { type: 'promote', node: 4 }, membership: { voters: [1, 2, 3, 4], learners: [] }, index: 3 },
  { type: 'campaign', round: 'pre-vote', term: 2, voters: 5, transfer: false },
  { type: 'campaign', round: 'vote', term: 2, voters: 5, transfer: true },
];
