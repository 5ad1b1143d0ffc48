// The body of a log record: one persist step, written with one write() and, unless it only moves
// the commit index, made durable with one fdatasync. Because a record is the whole step, a crash
// keeps or loses the step as a unit. Because the next write starts only after that fdatasync, a
// crash can damage only what was written since the segment's last completed fdatasync: the last
// record, or records written without one and those after them, which say so (syncedBytes).
import { MAX_TERM_OR_INDEX, isTermOrIndex, type Entry, type HardState } from '../raft/types.js';

/**
 * A snapshot took over the log up to `index`. The snapshot itself is in snapshot.dat; the record
 * fixes where the change happened among the log's records, so that entries written later are not
 * confused with the entries it dropped.
 */
export interface SnapshotMark {
  index: number;
  term: number;
  /**
   * Whether the entries after `index` survived. They do when the log held the snapshot's last
   * entry (same index and term: Raft paper section 7, "retain log entries following it"), as after
   * the node's own compaction; otherwise they belong to another history and went with the rest.
   * Recorded rather than recomputed on replay, because the entry it depends on may be in a segment
   * that has since been removed.
   */
  keepEntries: boolean;
}

/** Applied in field order, as the Ready contract orders a persist step. */
export interface WalRecord {
  snapshot?: SnapshotMark;
  /**
   * Appended in order; an entry whose index is at or below the last one held first drops every
   * entry from its index on (a conflicting suffix replaced). That is how truncation is recorded:
   * nothing already written is ever modified.
   */
  entries: readonly Entry[];
  /** The hard state after this step. Every record carries it, so the last good record has it. */
  hardState: HardState;
  /**
   * Set on a record written without an fdatasync (the step only moved the commit index, which Raft
   * does not need durable) and on every record after it up to and including the next synced one:
   * the size of the segment at its last completed fdatasync. A crash may damage any byte from
   * there on, and leave records after the damage; only records that say the segment was durable
   * short of the damage can be such leftovers, none of them acknowledged (segment-files.ts).
   */
  syncedBytes?: number;
}

export function encodeWalRecord(record: WalRecord): Buffer {
  // Built field by field so the JSON keeps the application order whatever the caller's object.
  const { snapshot, entries, hardState, syncedBytes } = record;
  const body: WalRecord = snapshot === undefined ? { entries, hardState } : { snapshot, entries, hardState };
  if (syncedBytes !== undefined) body.syncedBytes = syncedBytes;
  return Buffer.from(JSON.stringify(body));
}

/**
 * Parses a record body whose checksum matched. Returns why it is not a log record (a bug or a
 * foreign file, since the checksum rules out damage), or the record.
 */
export function decodeWalRecord(body: Buffer): WalRecord | string {
  let r: Partial<WalRecord>;
  try {
    r = JSON.parse(body.toString('utf8')) as Partial<WalRecord>;
  } catch {
    return 'the record is not valid JSON';
  }
  // Terms and indexes beyond MAX_TERM_OR_INDEX are refused as they are from peers: a node never
  // writes one, so one here is damage, and running on it could leave the node stuck at that term.
  const hs = r.hardState;
  if (hs === undefined || !isTermOrIndex(hs.term) || !Number.isSafeInteger(hs.vote) || hs.vote < 0 || !isTermOrIndex(hs.commit))
    return `the record has no valid hard state (term and commit from 0 to ${MAX_TERM_OR_INDEX}, vote a node id or 0)`;
  if (!Array.isArray(r.entries)) return 'the record has no entry list';
  // Parsed JSON: an element may be null (or anything else) until checked.
  for (const e of r.entries as readonly (Entry | null)[]) {
    if (!isTermOrIndex(e?.index) || !isTermOrIndex(e.term)) return `an entry has no valid index or term (from 0 to ${MAX_TERM_OR_INDEX})`;
  }
  const s = r.snapshot;
  if (s !== undefined && (!isTermOrIndex(s.index) || !isTermOrIndex(s.term) || typeof s.keepEntries !== 'boolean'))
    return 'the record has an invalid snapshot mark';
  if (r.syncedBytes !== undefined && !Number.isSafeInteger(r.syncedBytes)) return 'the record has an invalid synced size';
  return r as WalRecord;
}
