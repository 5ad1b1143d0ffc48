// Raft's safety properties (Figure 3 of the paper), checked on a real cluster as it runs: fed every
// state report of every node and every election won, the monitor keeps what the properties need and
// gives a verdict. Pure: no clock of its own (reports carry their time), no I/O.
//
// - Election Safety: at most one leader per term. Each term's leader is remembered.
// - Log Matching: if two logs hold an entry with the same index and term, they are identical in all
//   entries up to it. Holds between logs of any two moments, so each node's latest report is
//   compared with the others' latest, whether they still run or not (a crashed node keeps its log).
// - Leader Completeness: a leader holds every entry committed before its term. A follower whose
//   committed entry differs from the one its leader sends at that index says so (the core's
//   'overwrites-committed' refusal): its commit came from a leader of its term or an earlier one,
//   so the leader should hold that entry. Nothing else is needed to tell it broke.
// - State Machine Safety: no two nodes ever commit (and so apply) different entries at one index.
//   The term of every committed index seen is remembered, as runs. Two entries of the same index
//   and term that differ (a forged append) look alike there, so each node also reports the digest
//   of what it applied (src/kv/digest.ts) at a few indexes: the first digest seen at each index is
//   remembered, and a different one at that index, from any node, breaks the property.
//
// A report covers the log's term runs over its last 1,000 entries after the snapshot: what lies
// before is not compared. The first violation sticks: the cluster is broken from then on.
import type { NodeId } from '../raft/types.js';
import { DIGEST_CHECKPOINT_EVERY } from '../node/state-report.js';
import type { NodeRaftState, SafetyVerdict } from '../cluster-model/model.js';

/**
 * Digests remembered at checkpoint indexes (multiples of DIGEST_CHECKPOINT_EVERY), which every node
 * passes through: about a million entries of history. The oldest is forgotten first.
 */
export const CHECKPOINT_DIGESTS_KEPT = 16_384;
/** Digests remembered at other indexes (a node's applied index when it reported), oldest forgotten first. */
export const OTHER_DIGESTS_KEPT = 4096;

export type SafetyViolation = Extract<SafetyVerdict, { ok: false }>;

/** Entries from..to, all of one term. */
interface Segment {
  from: number;
  to: number;
  term: number;
}

/** Committed entries, with the node that first reported them committed. */
interface CommittedSegment extends Segment {
  node: NodeId;
}

/** The reported runs as segments ending at the log's last index. */
function segments(runs: ReadonlyArray<readonly [number, number]>, lastIndex: number): Segment[] {
  return runs.map(([from, term], i) => ({ from, to: i + 1 < runs.length ? runs[i + 1]![0] - 1 : lastIndex, term }));
}

/** Segments cut to [from, to]. */
function clip<S extends Segment>(segs: readonly S[], from: number, to: number): S[] {
  const out: S[] = [];
  for (const s of segs) if (s.to >= from && s.from <= to) out.push({ ...s, from: Math.max(s.from, from), to: Math.min(s.to, to) });
  return out;
}

/**
 * Walks two logs over the indexes both cover, piece by piece (a piece has one term in each). A
 * piece where they agree that comes after one where they differ breaks Log Matching.
 */
function logMismatch(
  a: readonly Segment[],
  b: readonly Segment[],
): { index: number; term: number; before: number; termA: number; termB: number } | null {
  let i = 0;
  let j = 0;
  let differ: { index: number; termA: number; termB: number } | null = null;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const from = Math.max(x.from, y.from);
    const to = Math.min(x.to, y.to);
    if (from <= to) {
      if (x.term !== y.term) differ ??= { index: from, termA: x.term, termB: y.term };
      else if (differ !== null) return { index: from, term: x.term, before: differ.index, termA: differ.termA, termB: differ.termB };
    }
    if (x.to <= y.to) i++;
    else j++;
  }
  return null;
}

export class SafetyMonitor {
  private current: SafetyVerdict = { ok: true, checkedReports: 0 };
  private readonly leaders = new Map<number, NodeId>();
  private readonly logs = new Map<NodeId, Segment[]>();
  /** Ascending, not overlapping. */
  private committed: CommittedSegment[] = [];
  /** The first applied-state digest reported at each index, and by whom; checkpoints and others apart, each bounded. */
  private readonly checkpointDigests = new Map<number, { digest: string; node: NodeId }>();
  private readonly otherDigests = new Map<number, { digest: string; node: NodeId }>();

  get verdict(): SafetyVerdict {
    return this.current;
  }

  /** A node's state report. Returns the violation it revealed, if it is the first. */
  report(
    node: NodeId,
    s: Pick<NodeRaftState, 'role' | 'term' | 'commit' | 'lastIndex' | 'runs' | 'digests'>,
    ts: number,
  ): SafetyViolation | null {
    if (!this.current.ok) return null;
    this.current = { ok: true, checkedReports: this.current.checkedReports + 1 };
    if (s.role === 'leader') {
      const v = this.leader(node, s.term, ts);
      if (v !== null) return v;
    }
    const log = segments(s.runs, s.lastIndex);
    return this.matchLogs(node, log, ts) ?? this.matchCommitted(node, clip(log, 0, s.commit), ts) ?? this.matchDigests(node, s.digests, ts);
  }

  /** A node won an election (or became leader) in `term`. Returns the violation, if it is the first. */
  leader(node: NodeId, term: number, ts: number): SafetyViolation | null {
    if (!this.current.ok) return null;
    const known = this.leaders.get(term);
    if (known === undefined) this.leaders.set(term, node);
    else if (known !== node)
      return this.violated('Election Safety', [known, node], `n${known} and n${node} are both leader of term ${term}`, ts);
    return null;
  }

  /** Follower `follower` holds entry `index` of term `committedTerm` committed, and its leader of `term` sends another there. */
  leaderLacks(
    leader: NodeId,
    follower: NodeId,
    c: { term: number; index: number; committedTerm: number; leaderTerm: number },
    ts: number,
  ): SafetyViolation | null {
    if (!this.current.ok) return null;
    return this.violated(
      'Leader Completeness',
      [leader, follower],
      `n${leader}, leader of term ${c.term}, lacks entry ${c.index} (term ${c.committedTerm}), committed on n${follower}: it holds one of term ${c.leaderTerm} there`,
      ts,
    );
  }

  private matchLogs(node: NodeId, log: Segment[], ts: number): SafetyViolation | null {
    this.logs.set(node, log);
    for (const [other, theirs] of this.logs) {
      if (other === node) continue;
      const m = logMismatch(log, theirs);
      if (m !== null)
        return this.violated(
          'Log Matching',
          [node, other],
          `n${node} and n${other} both hold entry ${m.index} of term ${m.term}, but entry ${m.before} before it has term ${m.termA} on n${node} and term ${m.termB} on n${other}`,
          ts,
        );
    }
    return null;
  }

  private matchCommitted(node: NodeId, committed: Segment[], ts: number): SafetyViolation | null {
    for (const mine of committed)
      for (let k = this.firstEndingAtOrAfter(mine.from); k < this.committed.length && this.committed[k]!.from <= mine.to; k++) {
        const known = this.committed[k]!;
        if (known.term === mine.term) continue;
        const index = Math.max(known.from, mine.from);
        const where =
          known.node === node
            ? `on n${node} before, and term ${mine.term} there now`
            : `on n${known.node} but term ${mine.term} on n${node}`;
        return this.violated(
          'State Machine Safety',
          [...new Set([known.node, node])],
          `entry ${index} is committed with term ${known.term} ${where}`,
          ts,
        );
      }
    for (const mine of committed) this.remember(node, mine);
    return null;
  }

  /** Each reported digest against the first one seen at its index; ascending, so the lowest mismatch is named. */
  private matchDigests(node: NodeId, digests: ReadonlyArray<readonly [number, string]>, ts: number): SafetyViolation | null {
    for (const [index, digest] of digests) {
      const kept = index % DIGEST_CHECKPOINT_EVERY === 0 ? this.checkpointDigests : this.otherDigests;
      const known = kept.get(index);
      if (known === undefined) {
        kept.set(index, { digest, node });
        if (kept.size > (kept === this.checkpointDigests ? CHECKPOINT_DIGESTS_KEPT : OTHER_DIGESTS_KEPT))
          kept.delete(kept.keys().next().value!);
        continue;
      }
      if (known.digest === digest) continue;
      const where =
        known.node === node
          ? `digest ${known.digest} on n${node} before, and ${digest} there now`
          : `digest ${known.digest} on n${known.node} but ${digest} on n${node}`;
      return this.violated(
        'State Machine Safety',
        [...new Set([known.node, node])],
        `the entries applied up to ${index} differ: ${where}`,
        ts,
      );
    }
    return null;
  }

  /** Where the first known committed segment that ends at or after `index` is (binary search). */
  private firstEndingAtOrAfter(index: number): number {
    let lo = 0;
    let hi = this.committed.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.committed[mid]!.to < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Adds the parts of `mine` not known yet (what is known there has its term: checked before), and
   * joins neighbours of one term. A joined segment names the node of its later part: that node
   * committed everything before it too.
   */
  private remember(node: NodeId, mine: Segment): void {
    const start = this.firstEndingAtOrAfter(mine.from - 1);
    let end = start;
    const pieces: CommittedSegment[] = [];
    let next = mine.from;
    while (end < this.committed.length && this.committed[end]!.from <= mine.to + 1) {
      const known = this.committed[end]!;
      if (known.from > next) pieces.push({ from: next, to: known.from - 1, term: mine.term, node });
      pieces.push(known);
      next = Math.max(next, known.to + 1);
      end++;
    }
    if (next <= mine.to) pieces.push({ from: next, to: mine.to, term: mine.term, node });
    const joined: CommittedSegment[] = [];
    for (const p of pieces) {
      const last = joined.at(-1);
      if (last !== undefined && last.to + 1 === p.from && last.term === p.term)
        joined[joined.length - 1] = { ...last, to: p.to, node: p.node };
      else joined.push(p);
    }
    this.committed.splice(start, end - start, ...joined);
  }

  private violated(property: SafetyViolation['property'], nodes: NodeId[], text: string, ts: number): SafetyViolation {
    const v: SafetyViolation = { ok: false, property, nodes, text, ts, checkedReports: this.current.checkedReports };
    this.current = v;
    return v;
  }
}
