// Which actions a cluster's engine can carry out: one answer for the dashboard's footer and help
// (which leave out or mark the keys it cannot serve), the attached cluster's refusals and the
// supervisor's etcd engine. raft-console's own nodes do everything; an etcd cluster raft-console
// runs has no call to start an election, no recovery mode, no live change of timing and no way to
// hold its messages; an etcd cluster it is attached to (`dashboard --etcd`) runs elsewhere, so
// only etcd's own member changes are left, and only with --allow-changes.
import { ACTION_OPS, STEP_OPS, type ActionOp } from './control-protocol.js';
import type { EngineInfo } from './engine.js';

/** What etcd cannot do that raft-console's own nodes can, on a cluster raft-console runs. */
export const ETCD_CANNOT: ReadonlySet<ActionOp> = new Set<ActionOp>(['campaign', 'replace', 'speed', ...STEP_OPS]);

/** The changes an attached etcd cluster takes through etcd's own API, with --allow-changes. */
export const MEMBER_CHANGES: ReadonlySet<ActionOp> = new Set<ActionOp>(['transfer', 'promote', 'remove']);

/** The actions the cluster's engine cannot carry out (none for raft-console's own nodes). */
export function unsupportedOps(engine: EngineInfo): ReadonlySet<ActionOp> {
  if (engine.kind === 'raft-console') return new Set();
  if (!engine.remote) return ETCD_CANNOT;
  return new Set(ACTION_OPS.filter((op) => !(engine.writable && MEMBER_CHANGES.has(op))));
}
