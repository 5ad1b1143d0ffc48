// The checks a run makes besides linearizability, each on what the run recorded: no acknowledged
// write lost (the final reads against the writes), at most one leader per term (the nodes' own
// role-change events), and the supervisor's safety monitor's verdict. Each gives a CheckOutcome:
// passed, failed, or could not be made.
import { plural, thousands } from '../cluster-model/plural.js';
import type { ClusterEvent, SafetyVerdict } from '../cluster-model/index.js';
import type { EngineKind } from '../cluster-model/engine.js';
import type { History, Operation } from './history.js';
import type { FinalRead } from './workload.js';

export interface CheckOutcome {
  name: string;
  /** true: passed; false: a violation; null: could not be checked (counts as unknown). */
  ok: boolean | null;
  /** One sentence: what was found. */
  text: string;
}

/** The value an operation would have written, if it could have written one. */
function writtenValue(op: Operation): string | null {
  if (op.input.kind === 'read' || op.outcome.type === 'fail') return null;
  return op.input.value;
}

const show = (v: string | null): string => (v === null ? 'absent' : JSON.stringify(v));
const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

/**
 * Every acknowledged write is still there after healing: the final value of each key was written
 * by an operation that may have happened (ok or info), and no acknowledged write began after that
 * operation had already ended (then the final value would have to be that write's, or a later one).
 * Every written value is unique, so a value names its write.
 */
export function noLostWrites(history: History, finals: readonly FinalRead[]): CheckOutcome {
  const problems: string[] = [];
  const unread = finals.filter((f) => f.value === undefined).map((f) => f.key);
  let acknowledged = 0;
  for (const { key, value } of finals) {
    if (value === undefined) continue;
    const writes = history.operations.filter((op) => op.input.key === key && writtenValue(op) !== null);
    const acked = writes.filter((op) => op.outcome.type === 'ok');
    acknowledged += acked.length;
    const source = value === null ? null : (writes.find((op) => writtenValue(op) === value) ?? null);
    if (value !== null && source === null) {
      // Values are unique to their writer: one answered `fail` that would have written it did write it.
      const refused = history.operations.find((op) => op.input.key === key && op.input.kind !== 'read' && op.input.value === value);
      problems.push(
        refused === undefined
          ? `${key} ends as ${show(value)}, a value no operation that may have happened wrote`
          : `${key} ends as ${show(value)}, written only by op ${refused.id} (client ${refused.client}), which was answered as failed at ${seconds(refused.completedAt)}: the cluster applied a write it said it had not`,
      );
      continue;
    }
    for (const w of acked) {
      if (writtenValue(w) === value) continue;
      if (source === null)
        problems.push(
          `${key} ends absent, but op ${w.id} wrote ${show(writtenValue(w))} and was acknowledged at ${seconds(w.completedAt)}`,
        );
      // An acknowledged source took effect before it ended; an indeterminate one may take effect at any time.
      else if (source.outcome.type === 'ok' && source.completedAt < w.invokedAt)
        problems.push(
          `${key} ends as ${show(value)} from op ${source.id} (done by ${seconds(source.completedAt)}), but op ${w.id} wrote ${show(writtenValue(w))} after that (from ${seconds(w.invokedAt)}) and was acknowledged: it is lost`,
        );
    }
  }
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    return { name: 'no lost writes', ok: false, text: `${problems[0]!}${more}` };
  }
  if (unread.length > 0)
    return { name: 'no lost writes', ok: null, text: `could not read ${unread.join(', ')} after healing: the final values are unknown` };
  return {
    name: 'no lost writes',
    ok: true,
    text: `every key's final value (read after healing) is consistent with all ${thousands(acknowledged)} acknowledged writes`,
  };
}

/**
 * A node's event saying it became leader, and of which term: its role change, or its election won
 * (all an etcd member's log tells).
 */
function becameLeader(e: ClusterEvent): number | null {
  if (e.kind !== 'raft' || e.node === null) return null;
  if (e.type !== 'election-won' && !(e.type === 'role-change' && e.data?.to === 'leader')) return null;
  return typeof e.data?.term === 'number' ? e.data.term : null;
}

/** Election Safety (Raft paper, Figure 3): at most one leader is elected in a given term. */
export function oneLeaderPerTerm(events: readonly ClusterEvent[]): CheckOutcome {
  const leaders = new Map<number, Set<number>>();
  for (const e of events) {
    const term = becameLeader(e);
    if (term === null) continue;
    const nodes = leaders.get(term) ?? new Set<number>();
    nodes.add(e.node!);
    leaders.set(term, nodes);
  }
  const doubled = [...leaders].filter(([, nodes]) => nodes.size > 1);
  if (doubled.length > 0)
    return {
      name: 'one leader per term',
      ok: false,
      text: doubled
        .map(([term, nodes]) => `term ${term} had ${nodes.size} leaders: ${[...nodes].map((id) => `n${id}`).join(', ')}`)
        .join('; '),
    };
  return { name: 'one leader per term', ok: true, text: `${plural(leaders.size, 'election')} won, each by one node in a term of its own` };
}

/**
 * The verdict of the supervisor's safety monitor (Election Safety, Log Matching, State Machine
 * Safety on every node report of the run); null for a supervisor of an earlier version, which has
 * none. An etcd member reports no log, so there the monitor holds Election Safety only, from each
 * member's Raft status (its current term: etcd 3.4's maintenance status gives the term of the last
 * applied entry, which made a new leader look like a second leader of the term before; the
 * engine reads GET /debug/vars instead).
 */
export function safetyMonitor(verdict: SafetyVerdict | undefined, engine: EngineKind = 'raft-console'): CheckOutcome | null {
  if (verdict === undefined) return null;
  if (verdict.ok)
    return {
      name: 'safety monitor',
      ok: true,
      text:
        engine === 'etcd'
          ? `no safety property broken in ${thousands(verdict.checkedReports)} member reports (Election Safety; etcd reports no log to compare)`
          : `no safety property broken in ${thousands(verdict.checkedReports)} node reports (Election Safety, Log Matching, State Machine Safety)`,
    };
  return { name: 'safety monitor', ok: false, text: `${verdict.property}: ${verdict.text}` };
}
