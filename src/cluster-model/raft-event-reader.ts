// A core event back from a cluster event: a node's "raft" line carries the RaftEvent's own fields
// beside its English sentence (src/node/event-stream.ts), and a viewer that words the event in
// another language reads them here, checked field by field, from the data as it crossed the process
// boundaries. The table lists every field of every kind, so a kind or a field added to RaftEvent
// does not compile until it is read.
import { EVENT_WORDS } from '../raft/events-zh.js';
import type { RaftEvent } from '../raft/events.js';
import { MESSAGE_TYPES } from '../transport/message-schema.js';
import { among, count, counts, flag, node, nodeOrNone, nodes, optional, readRow, record, type FieldTable } from './field-table.js';
import type { ClusterEvent } from './model.js';

const round = among(['pre-vote', 'vote']);
const change = record({ type: among(EVENT_WORDS.changes), node });
const membership = record({ voters: nodes, learners: nodes });
const messageType = among(MESSAGE_TYPES);

/** How each field of each kind is read. */
const FIELDS: FieldTable<RaftEvent, 'type'> = {
  'election-timeout': { term: count, ticks: count, leader: nodeOrNone },
  'role-change': { from: among(EVENT_WORDS.roles), to: among(EVENT_WORDS.roles), term: count, cause: among(EVENT_WORDS.causes) },
  campaign: { round, term: count, voters: count, transfer: flag },
  'vote-cast': { round, candidate: nodeOrNone, term: count, granted: flag, reason: optional(among(EVENT_WORDS.refusals)) },
  'vote-received': {
    round,
    from: nodeOrNone,
    term: count,
    granted: flag,
    reason: optional(among(EVENT_WORDS.refusals)),
    grantedTotal: count,
    rejectedTotal: count,
    needed: count,
  },
  'election-won': { term: count, votes: count, voters: count },
  'election-lost': { round, term: count, rejections: count, voters: count },
  'append-rejected': {
    leader: nodeOrNone,
    term: count,
    prevLogIndex: count,
    prevLogTerm: count,
    reason: among(EVENT_WORDS.rejections),
    conflictTerm: count,
    conflictIndex: count,
  },
  truncate: { leader: nodeOrNone, term: count, from: count, to: count, terms: counts },
  commit: { from: count, to: count, term: count, replicas: count, voters: count },
  'snapshot-sent': { to: nodeOrNone, index: count, term: count },
  'snapshot-installed': { from: nodeOrNone, index: count, term: count },
  'snapshot-taken': { index: count, term: count },
  membership: { change, membership, index: count },
  'config-committed': { change, membership, index: count },
  'proposal-refused': { reason: among(EVENT_WORDS.proposals), leader: nodeOrNone },
  'transfer-started': { target: nodeOrNone, term: count },
  'transfer-aborted': { target: nodeOrNone, term: count },
  'stale-message': { from: nodeOrNone, message: messageType, messageTerm: count, term: count },
  'follower-lost-data': { follower: nodeOrNone, acknowledged: count, term: count },
  'recovery-finished': { index: count, aboveTerm: count, term: count },
};

/** The core's event a "raft" cluster event tells, or null when it is not one or its fields are not all there. */
export function readRaftEvent(e: ClusterEvent): RaftEvent | null {
  if (e.kind !== 'raft' || e.node === null || e.data === undefined) return null;
  // Every field of the row was read by the table, which is typed over RaftEvent.
  return readRow(e.data, 'type', e.type, FIELDS) as RaftEvent | null;
}
