// How often a cluster's nodes snapshot their state machine and compact their log: once this many
// applied entries sit in a node's log (each node's --compact-every). Kept in cluster.json, set with
// `up --snapshot-every`; a small value lets a workshop show a follower catching up from a snapshot.
import { DEFAULT_COMPACT_EVERY } from '../node/options.js';
import { ClusterError } from './errors.js';
import { plural } from './plural.js';

/** What a cluster runs with unless `up --snapshot-every` said otherwise (and what files written before it have). */
export const DEFAULT_SNAPSHOT_EVERY = DEFAULT_COMPACT_EVERY;

export function checkSnapshotEvery(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ClusterError(`the snapshot threshold must be a whole number of entries from 1, got ${n} (e.g. --snapshot-every 100)`);
  return n;
}

/** "a snapshot every 10,000 entries". */
export function describeSnapshotEvery(n: number): string {
  return `a snapshot every ${plural(n, 'entry', 'entries')}`;
}
