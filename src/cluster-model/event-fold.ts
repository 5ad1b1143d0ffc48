// Repeated transport noise folded into one line: a node that cannot reach a stopped peer reports
// every retry, and four nodes retrying drown the one event that matters. A run of such events (a
// stretch with only transport noise in it) becomes one line per node, kind of noise and peer, at
// the place of the first, with how many there were: "n1: cannot reach n5 (×12)". Anything else ends
// the run, so the story keeps its order. `events` uses it for the history and --follow; the
// dashboard's event list can use foldEvents the same way.
import type { ClusterEvent } from './model.js';

/** One line to show: an event, or the first of a run of `count` like it (the last at `lastTs`). */
export interface FoldedEvent {
  event: ClusterEvent;
  count: number;
  lastTs: number;
}

/** The transport events that repeat while a peer is down or cut off: folded. */
const NOISE: readonly string[] = ['connect-failed', 'peer-disconnected', 'connection-rejected', 'queue-overflow'];

/** What makes two noise events the same line (node, type, peer), or null for an event never folded. */
function foldKey(e: ClusterEvent): string | null {
  if (e.kind !== 'transport' || !NOISE.includes(e.type)) return null;
  const peer = e.data?.peer;
  return `${e.node}/${e.type}/${typeof peer === 'number' ? peer : typeof e.data?.remote === 'string' ? e.data.remote : ''}`;
}

/**
 * The line of a folded run. A connection that keeps failing or dropping says so without the attempt
 * number and retry delay of its first event (they changed since); any other keeps its first sentence.
 */
export function foldedText(f: FoldedEvent): string {
  if (f.count === 1) return f.event.text;
  const { node, type, data } = f.event;
  const who = node === null ? '' : `n${node}: `;
  const reason = typeof data?.reason === 'string' ? `: ${data.reason}` : '';
  if (typeof data?.peer === 'number') {
    if (type === 'connect-failed') return `${who}cannot reach n${data.peer} (×${f.count})${reason}`;
    if (type === 'peer-disconnected' && typeof data.retryInMs === 'number')
      return `${who}lost the connection to n${data.peer} (×${f.count})${reason}`;
  }
  return `${f.event.text} (×${f.count})`;
}

/**
 * Folds events in order. `add` gives the line an event begins, which later repeats count on (a
 * history's fold); `push` and `flush` give the lines to print as events arrive (`events --follow`):
 * the first of a run at once, and its count when the run ends.
 */
export class EventFold {
  private readonly open = new Map<string, FoldedEvent>();
  /** The open runs in the order they began, so that their counts come out in the story's order. */
  private runs: FoldedEvent[] = [];

  /** The line `e` begins, or null when it repeats an open run (whose count it adds to). An event that is not noise ends every run. */
  add(e: ClusterEvent): FoldedEvent | null {
    const key = foldKey(e);
    if (key === null) this.clear();
    const run = key === null ? undefined : this.open.get(key);
    if (run !== undefined) {
      run.count += 1;
      run.lastTs = e.ts;
      return null;
    }
    const line = { event: e, count: 1, lastTs: e.ts };
    if (key !== null) {
      this.open.set(key, line);
      this.runs.push(line);
    }
    return line;
  }

  /** The lines to print now for `e`: the counts of the runs it ends, then its own unless it repeats one. */
  push(e: ClusterEvent): FoldedEvent[] {
    const ended = foldKey(e) === null ? this.flush() : [];
    const line = this.add(e);
    return line === null ? ended : [...ended, line];
  }

  /** Ends every open run: a line with its count for each that repeated (one seen once was printed already). */
  flush(): FoldedEvent[] {
    const repeated = this.runs.filter((f) => f.count > 1).map((f) => ({ ...f }));
    this.clear();
    return repeated;
  }

  private clear(): void {
    this.open.clear();
    this.runs = [];
  }
}

/** A history with each run of noise folded into its first event and a count (`events`, the dashboard's list). */
export function foldEvents(events: readonly ClusterEvent[]): FoldedEvent[] {
  const fold = new EventFold();
  return events.flatMap((e) => fold.add(e) ?? []);
}
