// What the frame shows, computed from a snapshot: pure functions, so the rules of the picture
// (a node's partition letter, how full a timer bar is, which log cells are committed) are tested
// without a terminal. Who leads, the term and the commit are the model's questions (queries.ts).
import type { ClusterEvent, ClusterModel, NodeModel, ProcessState } from '../cluster-model/index.js';
import { groupOf, members } from '../cluster-model/index.js';
import type { Truncation } from './store.js';

export type Model = Omit<ClusterModel, 'events'>;

/** Ink colour names. */
export type Colour = 'green' | 'yellow' | 'cyan' | 'magenta' | 'blue' | 'red' | 'gray' | 'white';

/** A glyph per role so roles read without colour. */
export const ROLE_GLYPH: Record<string, string> = { leader: '★', candidate: '◆', 'pre-candidate': '◇', follower: '·' };
export const ROLE_COLOUR: Record<string, Colour> = { leader: 'green', candidate: 'yellow', 'pre-candidate': 'yellow', follower: 'white' };
export const PROCESS_GLYPH: Record<ProcessState, string> = {
  starting: '…',
  running: '●',
  paused: '‖',
  stopped: '■',
  killed: '✗',
  crashed: '☠',
  unreachable: '?',
};
export const PROCESS_COLOUR: Record<ProcessState, Colour> = {
  starting: 'gray',
  running: 'green',
  paused: 'yellow',
  stopped: 'gray',
  killed: 'red',
  crashed: 'red',
  unreachable: 'red',
};

/** Terms cycle through these, so a term change is a colour change along a log row. */
const TERM_COLOURS: readonly Colour[] = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'];
export function termColour(term: number): Colour {
  return TERM_COLOURS[(term - 1 + TERM_COLOURS.length * 1000) % TERM_COLOURS.length]!;
}

export function isLearner(n: NodeModel): boolean {
  return n.raft !== null && n.raft.membership.learners.includes(n.id);
}

/** The election timer bar: how much of the timeout is left, or the leader's heartbeat. */
export interface TimerView {
  kind: 'election' | 'heartbeat' | 'none';
  /** 0 (about to fire) to 1 (just reset). */
  left: number;
  /** A short text: "0.8s", "♥50ms", "paused". */
  text: string;
}

export function timerView(n: NodeModel, now: number, heartbeatMs: number, stepping = false): TimerView {
  if (n.process.state === 'paused') return { kind: 'none', left: 0, text: 'frozen' };
  // In step mode no clock runs: a deadline in wall-clock time would read as overdue.
  if (stepping && n.process.state === 'running') return { kind: 'none', left: 0, text: 'stopped' };
  if (n.process.state !== 'running' || n.raft === null) return { kind: 'none', left: 0, text: '' };
  const t = n.raft.timer;
  if (t === null) return { kind: 'none', left: 0, text: n.raft.role === 'leader' ? `♥${heartbeatMs}ms` : '' };
  if (t.kind === 'heartbeat') {
    const left = Math.max(0, Math.min(1, (t.deadline - now) / t.intervalMs));
    return { kind: 'heartbeat', left, text: `♥${t.intervalMs}ms` };
  }
  const ms = Math.max(0, t.deadline - now);
  return { kind: 'election', left: Math.max(0, Math.min(1, ms / t.timeoutMs)), text: `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s` };
}

/** "██████░░░░" for a fraction of a bar `width` cells wide. */
export function bar(left: number, width: number): string {
  const full = Math.round(left * width);
  return '█'.repeat(full) + '░'.repeat(Math.max(0, width - full));
}

/** The group letter of each node under the partition in force ("" when healed). */
export function groupLabel(model: Model, id: number): string {
  if (model.partition.length === 0) return '';
  // groupOf answers with the listed group itself, or with every member for a node in none.
  const g = model.partition.indexOf(groupOf(model, id));
  // Nodes not listed form one more group.
  return String.fromCharCode(65 + (g < 0 ? model.partition.length : g));
}

/** Faulty links touching a node beyond the partition: "→2 cut", "↔3 200ms 30%". */
export function linkFaults(model: Model, id: number): string {
  const out: string[] = [];
  const partitioned = model.partition.length > 0;
  for (const l of model.links) {
    if (l.from !== id) continue;
    // A cut between partition groups is the partition itself, shown by the group letter.
    if (partitioned && l.blocked && groupLabel(model, l.from) !== groupLabel(model, l.to)) continue;
    const back = model.links.find(
      (r) => r.from === l.to && r.to === l.from && r.blocked === l.blocked && r.delayMs === l.delayMs && r.loss === l.loss,
    );
    const what = l.blocked
      ? 'cut'
      : [l.delayMs > 0 ? `${l.delayMs}ms` : '', l.loss > 0 ? `${Math.round(l.loss * 100)}%` : ''].filter(Boolean).join(' ');
    out.push(`${back === undefined ? '→' : '↔'}${l.to} ${what}`);
  }
  for (const l of model.links) {
    if (l.to !== id || partitioned) continue;
    const back = model.links.some((r) => r.from === id && r.to === l.from);
    if (!back) out.push(`←${l.from} ${l.blocked ? 'cut' : 'slow'}`);
  }
  return out.join(' ');
}

/** Every node's faulty links on one line ("n1 →2 cut · n3 ↔4 200ms"), for when the table has no room for its links column; null when there are none. */
export function linkSummary(model: Model): string | null {
  const faults = members(model)
    .map((n) => ({ id: n.id, text: linkFaults(model, n.id) }))
    .filter((f) => f.text !== '');
  return faults.length === 0 ? null : faults.map((f) => `n${f.id} ${f.text}`).join(' · ');
}

/** One cell of the log grid. */
export interface Cell {
  index: number;
  /** 0: no entry there (beyond the node's log). -1: compacted into a snapshot. */
  term: number;
  committed: boolean;
  /** Removed by a recent truncation (the terms it had). */
  truncated: number | null;
}

/** The term at `index` from a node's term runs, or 0 when outside them. */
export function termAt(runs: ReadonlyArray<readonly [number, number]>, lastIndex: number, index: number): number {
  if (runs.length === 0 || index > lastIndex || index < runs[0]![0]) return 0;
  let lo = 0;
  let hi = runs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (runs[mid]![0] <= index) lo = mid;
    else hi = mid - 1;
  }
  return runs[lo]![1];
}

/** The columns the grid shows: `count` indexes ending at the tail, minus `back`. */
export function gridWindow(model: Model, count: number, back: number): { first: number; last: number } {
  const tail = Math.max(0, ...members(model).map((n) => n.raft?.lastIndex ?? 0));
  const last = Math.max(Math.min(count, Math.max(tail, 1)), tail - back);
  return { first: Math.max(1, last - count + 1), last };
}

export function gridRow(n: NodeModel, first: number, last: number, truncations: readonly Truncation[]): Cell[] {
  const cells: Cell[] = [];
  const r = n.raft;
  const marks = truncations.filter((t) => t.node === n.id);
  for (let i = first; i <= last; i++) {
    const mark = marks.find((t) => i >= t.from && i <= t.to);
    const truncated = mark === undefined ? null : (mark.terms[Math.min(i - mark.from, mark.terms.length - 1)] ?? null);
    if (r === null) {
      cells.push({ index: i, term: 0, committed: false, truncated });
      continue;
    }
    const compacted = i <= r.snapshotIndex;
    const term = compacted ? -1 : termAt(r.runs, r.lastIndex, i);
    cells.push({ index: i, term, committed: i <= r.commit, truncated });
  }
  return cells;
}

/** Transport events worth a line in the story; connects and reconnects are noise there. */
const LOUD_TRANSPORT = new Set(['connection-rejected', 'message-too-large', 'queue-overflow', 'server-error']);

/** A follower learning of a commit the leader already told: one line per node per commit is noise (shown when filtered to that node). */
function echoOfCommit(e: ClusterEvent): boolean {
  return e.kind === 'raft' && e.type === 'commit' && e.data?.voters === 0;
}

/** The events the panel shows: the filter applied, the frozen position kept, `back` lines up. */
export function visibleEvents(
  events: readonly ClusterEvent[],
  eventCount: number,
  opts: { rows: number; back: number; filter: number | null; frozenAt: number | null },
): { lines: ClusterEvent[]; hiddenBelow: number } {
  // Events that arrived after the freeze are not shown until unfrozen.
  const newer = opts.frozenAt === null ? 0 : Math.max(0, eventCount - opts.frozenAt);
  const upTo = Math.max(0, events.length - newer);
  const shown = events
    .slice(0, upTo)
    .filter((e) => (e.kind !== 'transport' || LOUD_TRANSPORT.has(e.type)) && (opts.filter === e.node || !echoOfCommit(e)));
  const picked =
    opts.filter === null ? shown : shown.filter((e) => e.node === opts.filter || (e.node === null && mentions(e, opts.filter!)));
  const end = Math.max(0, picked.length - opts.back);
  return { lines: picked.slice(Math.max(0, end - opts.rows), end), hiddenBelow: picked.length - end + newer };
}

function mentions(e: ClusterEvent, id: number): boolean {
  return new RegExp(`\\bn${id}\\b`).test(e.text);
}
