// The safety properties of Raft (Figure 3 of the paper), checked incrementally as the simulated
// nodes persist, commit and apply: each check costs O(1) (or O(entries written)) per step, never a
// comparison of whole logs. The first broken property is kept in `violation`.
import type { Entry, NodeId, SnapshotMeta } from '../raft/types.js';
import { nodeName } from './trace.js';

export type Property =
  | 'election-safety'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'leader-append-only'
  | 'commit-monotonic'
  | 'applied-within-commit'
  | 'linearizable-reads'
  | 'liveness'
  /** The core broke the Ready contract itself: a gap in the log or in applied entries, a term going back, ... */
  | 'ready-contract'
  /** The core threw. */
  | 'exception';

export const PROPERTIES: readonly Property[] = [
  'election-safety',
  'log-matching',
  'leader-completeness',
  'state-machine-safety',
  'leader-append-only',
  'commit-monotonic',
  'applied-within-commit',
  'linearizable-reads',
  'liveness',
  'ready-contract',
  'exception',
];

export interface Violation {
  property: Property;
  /** The node the broken property was seen on (0 when it is about the cluster). */
  node: NodeId;
  tick: number;
  detail: string;
}

/** What the checks need to know of a node's log: its persisted log, or a hand-made one in tests. */
export interface LogView {
  /** 0 for index 0, the snapshot's term at its index, undefined when compacted away or beyond the log. */
  termAt(index: number): number | undefined;
  readonly snapshotIndex: number;
  readonly lastIndex: number;
}

/** An entry's payload, the identity the checks compare (two entries match when index, term and this match). */
export function entryKey(e: Entry): string {
  switch (e.type) {
    case 'normal':
      return e.data;
    case 'noop':
      return '\u0000noop';
    case 'config':
      return `\u0000${e.change.type} n${e.change.node}`;
  }
}

function showKey(key: string): string {
  return key.startsWith('\u0000') ? `<${key.slice(1)}>` : JSON.stringify(key.length > 24 ? `${key.slice(0, 21)}...` : key);
}

interface LogRecord {
  term: number;
  key: string;
  /** Term of the entry just before it in the log where it was first seen (-1: not known). */
  prevTerm: number;
  node: NodeId;
}

interface PendingRead {
  invokedAt: number;
  /** The read must see at least this many values (everything acknowledged when it was invoked). */
  floor: number;
}

const name = nodeName;

export class Invariants {
  violation: Violation | null = null;
  /** The simulated time, set by the cluster each step: stamped on violations. */
  now = 0;
  elections = 0;

  /** Election Safety: the leader of each term ever seen, and when it was elected. */
  private readonly leaderOf = new Map<number, { node: NodeId; tick: number }>();
  /** Log Matching: for each index, one record per term seen there. */
  private readonly logRecords: (LogRecord[] | undefined)[] = [];
  /** State Machine Safety: the entry first applied at each index, and by whom. */
  private readonly appliedTerm: number[] = [];
  private readonly appliedKey: string[] = [];
  private readonly appliedBy: NodeId[] = [];
  /** Client values in state-machine order, as first applied anywhere; sizeAt[i]: values after entry i. */
  private readonly sequence: string[] = [];
  private readonly sizeAt: number[] = [];
  /** The highest index known committed, with its term: Leader Completeness checks against it. */
  maxCommit = { index: 0, term: 0, node: 0 as NodeId, tick: 0 };
  private readonly reads = new Map<number, PendingRead>();
  /** The largest number of values any completed read has returned. */
  private lastReadSize = 0;

  fail(property: Property, node: NodeId, detail: string): void {
    if (this.violation === null) this.violation = { property, node, tick: this.now, detail };
  }

  get ok(): boolean {
    return this.violation === null;
  }

  /** Client values acknowledged so far (applied on some node), in order. */
  get acknowledged(): readonly string[] {
    return this.sequence;
  }

  /** The leader of each term that had one, and when it was elected (Election Safety's record). */
  get leaders(): ReadonlyMap<number, { node: NodeId; tick: number }> {
    return this.leaderOf;
  }

  /** The entry applied at `index` by the first node that applied it. */
  appliedAt(index: number): { term: number; key: string; node: NodeId } | undefined {
    const term = this.appliedTerm[index];
    if (term === undefined) return undefined;
    return { term, key: this.appliedKey[index] as string, node: this.appliedBy[index] as NodeId };
  }

  get highestApplied(): number {
    return this.appliedTerm.length - 1;
  }

  /**
   * `node` became leader of `term`, with `log` as its log.
   * Election Safety (5.2): at most one leader per term, over the whole run.
   * Leader Completeness (5.4): the new leader's log holds every committed entry. By Log Matching
   * it is enough that it holds the highest entry known committed (same index and term).
   */
  leaderElected(node: NodeId, term: number, log: LogView): void {
    this.electionWon(node, term);
    this.leaderComplete(node, term, log);
  }

  /** Election Safety alone (checked before the new leader's first entries are looked at). */
  electionWon(node: NodeId, term: number): void {
    const other = this.leaderOf.get(term);
    if (other === undefined) {
      this.leaderOf.set(term, { node, tick: this.now });
      this.elections++;
    } else if (other.node !== node) {
      this.fail(
        'election-safety',
        node,
        `${name(node)} and ${name(other.node)} are both leader of term ${term} (${name(other.node)} since t=${other.tick})`,
      );
    }
  }

  /** Leader Completeness alone. */
  leaderComplete(node: NodeId, term: number, log: LogView): void {
    const c = this.maxCommit;
    if (c.index === 0 || c.index < log.snapshotIndex) return;
    const t = log.termAt(c.index);
    if (t !== c.term) {
      this.fail(
        'leader-completeness',
        node,
        `${name(node)} became leader of term ${term} without entry ${c.index} of term ${c.term}, ` +
          `committed (seen on ${name(c.node)} at t=${c.tick}): ` +
          (t === undefined ? `its log ends at ${log.lastIndex}` : `it holds an entry of term ${t} there`),
      );
    }
  }

  /**
   * `node` persisted `entries` after an entry of term `prevTerm` (undefined when not known).
   * Log Matching (5.3): if two logs hold an entry with the same index and term, they are identical
   * up to it. By induction it holds when every (index, term) always carries the same payload and
   * follows the same term: that is what is recorded and compared here.
   * Also: a log's entries are contiguous and their terms never decrease.
   */
  logAppended(node: NodeId, entries: readonly Entry[], prevTerm: number | undefined): void {
    let prev = prevTerm ?? -1;
    let expect = -1;
    for (const e of entries) {
      if (expect !== -1 && e.index !== expect) {
        this.fail('log-matching', node, `${name(node)} appends entry ${e.index} right after entry ${expect - 1}`);
        return;
      }
      if (prev !== -1 && e.term < prev) {
        this.fail('log-matching', node, `${name(node)}'s entry ${e.index} has term ${e.term}, below the term ${prev} before it`);
        return;
      }
      expect = e.index + 1;
      const key = entryKey(e);
      let records = this.logRecords[e.index];
      if (records === undefined) {
        records = [];
        this.logRecords[e.index] = records;
      }
      let seen: LogRecord | undefined;
      for (const r of records) if (r.term === e.term) seen = r;
      if (seen === undefined) {
        records.push({ term: e.term, key, prevTerm: prev, node });
      } else if (seen.key !== key) {
        this.fail(
          'log-matching',
          node,
          `entry ${e.index} of term ${e.term} is ${showKey(seen.key)} on ${name(seen.node)} but ${showKey(key)} on ${name(node)}`,
        );
        return;
      } else if (prev !== -1 && seen.prevTerm !== -1 && seen.prevTerm !== prev) {
        this.fail(
          'log-matching',
          node,
          `entry ${e.index} of term ${e.term} follows an entry of term ${seen.prevTerm} on ${name(seen.node)} ` +
            `but of term ${prev} on ${name(node)}`,
        );
        return;
      } else if (seen.prevTerm === -1) {
        seen.prevTerm = prev;
      }
      prev = e.term;
    }
  }

  /**
   * `node`'s persisted commit index moved from `from` to `to`; `log` is its log.
   * The commit index on a node's disk never decreases (a crash may take back one written without
   * an fsync, and `from` is then what the crash left), and never points past the log.
   */
  commitAdvanced(node: NodeId, from: number, to: number, log: LogView): void {
    if (to < from) {
      this.fail('commit-monotonic', node, `${name(node)}'s commit index goes back from ${from} to ${to}`);
      return;
    }
    if (to > log.lastIndex) {
      this.fail('ready-contract', node, `${name(node)} commits up to ${to} but its log ends at ${log.lastIndex}`);
      return;
    }
    this.committed(node, to, log.termAt(to));
  }

  /** A snapshot covers committed entries only: its last entry is committed. */
  snapshotSaved(node: NodeId, meta: SnapshotMeta): void {
    const t = this.appliedTerm[meta.index];
    if (t !== undefined && t !== meta.term) {
      this.fail(
        'state-machine-safety',
        node,
        `${name(node)} holds a snapshot up to entry ${meta.index} of term ${meta.term}, ` +
          `but ${name(this.appliedBy[meta.index] as NodeId)} applied an entry of term ${t} there`,
      );
      return;
    }
    this.committed(node, meta.index, meta.term);
  }

  private committed(node: NodeId, index: number, term: number | undefined): void {
    if (term !== undefined && index > this.maxCommit.index) this.maxCommit = { index, term, node, tick: this.now };
  }

  /**
   * `node` applies `entry` while its commit index is `commit`.
   * Applied never above committed; State Machine Safety (5.4.3): no two nodes apply different
   * entries at the same index.
   */
  applied(node: NodeId, entry: Entry, commit: number): void {
    const i = entry.index;
    if (i > commit) {
      this.fail('applied-within-commit', node, `${name(node)} applies entry ${i} while its commit index is ${commit}`);
      return;
    }
    const key = entryKey(entry);
    const t = this.appliedTerm[i];
    if (t === undefined) {
      this.appliedTerm[i] = entry.term;
      this.appliedKey[i] = key;
      this.appliedBy[i] = node;
    } else if (t !== entry.term || this.appliedKey[i] !== key) {
      this.fail(
        'state-machine-safety',
        node,
        `${name(node)} applies ${showKey(key)} (term ${entry.term}) at index ${i}, ` +
          `where ${name(this.appliedBy[i] as NodeId)} applied ${showKey(this.appliedKey[i] as string)} (term ${t})`,
      );
    }
  }

  /**
   * `node`'s state machine took client `value` as its `position`-th value, at log index `index`.
   * Every state machine is the same sequence of values. Returns true when no node had applied it
   * before: that is when the write is acknowledged.
   */
  valueApplied(node: NodeId, position: number, value: string, index: number): boolean {
    const seq = this.sequence;
    if (position < seq.length) {
      if (seq[position] !== value) {
        this.fail(
          'state-machine-safety',
          node,
          `${name(node)}'s state machine holds ${showKey(value)} as value ${position}, others hold ${showKey(seq[position] as string)}`,
        );
      }
      return false;
    }
    if (position > seq.length) {
      this.fail('state-machine-safety', node, `${name(node)}'s state machine holds value ${position} but no node has value ${seq.length}`);
      return false;
    }
    seq.push(value);
    this.sizeAt[index] = seq.length;
    return true;
  }

  /** A restored state machine must be the sequence every node had at that index. */
  stateMachineRestored(node: NodeId, index: number, size: number): void {
    if (this.appliedTerm[index] === undefined) return;
    let expected: number | undefined;
    for (let i = index; i >= 0 && expected === undefined; i--) expected = this.sizeAt[i];
    expected ??= 0;
    if (size !== expected) {
      this.fail(
        'state-machine-safety',
        node,
        `${name(node)} restores a snapshot at entry ${index} holding ${size} values, other nodes had ${expected} there`,
      );
    }
  }

  /**
   * Linearizable reads (dissertation 6.4): a read must observe every write acknowledged before it
   * was invoked, and every value returned by a read that completed before it was invoked.
   */
  readInvoked(id: number): void {
    this.reads.set(id, { invokedAt: this.now, floor: Math.max(this.sequence.length, this.lastReadSize) });
  }

  /**
   * Read `id` completed on `node` observing its first `observed` values. It cannot see more than
   * has been applied anywhere (a value is never applied before it is invoked, so nothing invoked
   * after the read completed can be in it).
   */
  readCompleted(id: number, node: NodeId, observed: number): void {
    const r = this.reads.get(id);
    if (r === undefined) return;
    this.reads.delete(id);
    if (observed < r.floor) {
      this.fail(
        'linearizable-reads',
        node,
        `read r${id}, invoked at t=${r.invokedAt} when ${r.floor} values were acknowledged, saw only ${observed} (served by ${name(node)})`,
      );
    } else if (observed > this.sequence.length) {
      this.fail('linearizable-reads', node, `read r${id} saw ${observed} values, only ${this.sequence.length} were ever applied`);
    }
    if (observed > this.lastReadSize) this.lastReadSize = observed;
  }

  /** Leader Append-Only (5.3): a leader never overwrites or deletes entries in its log. */
  leaderTruncated(node: NodeId, term: number, from: number, lastIndex: number): void {
    this.fail(
      'leader-append-only',
      node,
      `${name(node)}, leader of term ${term}, rewrites its log from entry ${from} (it held up to ${lastIndex})`,
    );
  }
}
