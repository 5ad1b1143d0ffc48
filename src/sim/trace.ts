// The simulator's trace: what happened, tick by tick, in sentences. Records are kept structured in
// a ring buffer and only turned into text when someone reads them, so tracing stays cheap.
import { describeEvent, type RaftEvent } from '../raft/events.js';
import type { Message, NodeId } from '../raft/types.js';
import type { DropCause } from './network.js';

export type TraceRecord =
  | { t: number; kind: 'event'; node: NodeId; event: RaftEvent }
  | { t: number; kind: 'send' | 'duplicate'; msg: Message; at: number }
  | { t: number; kind: 'drop'; msg: Message; cause: DropCause }
  | { t: number; kind: 'note'; text: string };

/** A node as the trace names it: n3 (nobody for 0). */
export function nodeName(id: NodeId): string {
  return id === 0 ? 'nobody' : `n${id}`;
}
const n = nodeName;

/** A probability as a percentage: 0.05 -> "5%". */
export function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

const span = (from: number, to: number): string => (from === to ? `entry ${from}` : `entries ${from}-${to}`);

/** A message in a line: "n1 -> n3 AppendEntries term 5 after 6/t4: entries 7-9, commit 6". */
export function describeMessage(m: Message): string {
  const head = `${n(m.from)} -> ${n(m.to)}`;
  switch (m.type) {
    case 'vote':
    case 'pre-vote': {
      const what = m.type === 'vote' ? 'RequestVote' : 'PreVote';
      return `${head} ${what} term ${m.term}, last entry ${m.lastLogIndex}/t${m.lastLogTerm}${m.transfer === true ? ' (transfer)' : ''}`;
    }
    case 'vote-response':
    case 'pre-vote-response': {
      const answer = m.granted ? 'granted' : `refused (${m.reason ?? '?'})`;
      return `${head} ${m.type === 'vote-response' ? 'vote' : 'pre-vote'} ${answer} term ${m.term}`;
    }
    case 'append': {
      const first = m.entries[0];
      const last = m.entries[m.entries.length - 1];
      const what = first === undefined || last === undefined ? 'no entries' : span(first.index, last.index);
      return `${head} AppendEntries term ${m.term} after ${m.prevLogIndex}/t${m.prevLogTerm}: ${what}, commit ${m.leaderCommit}`;
    }
    case 'append-response':
      return m.success
        ? `${head} append ok up to ${m.index} term ${m.term}`
        : `${head} append rejected at ${m.index} term ${m.term} (hint ${m.conflictIndex}/t${m.conflictTerm})`;
    case 'heartbeat':
      return `${head} heartbeat term ${m.term} commit ${m.commit}${m.context === undefined ? '' : ` read ${m.context}`}`;
    case 'heartbeat-response':
      return `${head} heartbeat reply term ${m.term}${m.context === undefined ? '' : ` read ${m.context}`}`;
    case 'snapshot':
      return `${head} InstallSnapshot term ${m.term} up to ${m.snapshot.meta.index}/t${m.snapshot.meta.term}`;
    case 'timeout-now':
      return `${head} TimeoutNow term ${m.term}`;
  }
}

const dropText: Record<DropCause, string> = {
  random: 'lost',
  blocked: 'cut off',
  down: 'to a crashed node',
};

export function formatRecord(r: TraceRecord): string {
  const t = `t=${r.t}`;
  switch (r.kind) {
    case 'event': {
      const text = describeEvent(r.node, r.event);
      // Some sentences (a commit, a configuration) do not say where they happened.
      return text.startsWith(`${n(r.node)} `) ? `${t} ${text}` : `${t} ${n(r.node)}: ${text}`;
    }
    case 'send':
      return `${t} ${describeMessage(r.msg)}${r.at > r.t + 1 ? ` (arrives t=${r.at})` : ''}`;
    case 'duplicate':
      return `${t} duplicated: ${describeMessage(r.msg)} (copy arrives t=${r.at})`;
    case 'drop':
      return `${t} dropped (${dropText[r.cause]}): ${describeMessage(r.msg)}`;
    case 'note':
      return `${t} ${r.text}`;
  }
}

/** Heartbeats (without a read riding on them) are most of the traffic and say little: left out. */
export function isChatter(m: Message): boolean {
  return (m.type === 'heartbeat' || m.type === 'heartbeat-response') && m.context === undefined;
}

export class Trace {
  private readonly ring: (TraceRecord | undefined)[];
  private next = 0;
  private count = 0;

  /**
   * Keeps the last `capacity` records (0: keeps none). `stream`, when given, receives every
   * line as it happens (a replay with --trace).
   */
  constructor(
    readonly capacity: number,
    private readonly stream?: (line: string) => void,
  ) {
    this.ring = new Array<TraceRecord | undefined>(capacity);
  }

  get enabled(): boolean {
    return this.capacity > 0 || this.stream !== undefined;
  }

  push(r: TraceRecord): void {
    if (this.stream !== undefined) this.stream(formatRecord(r));
    if (this.capacity === 0) return;
    this.ring[this.next] = r;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  note(t: number, text: string): void {
    this.push({ t, kind: 'note', text });
  }

  /** The last `last` records (all kept by default), oldest first. */
  records(last = this.count): TraceRecord[] {
    const k = Math.min(last, this.count);
    const out: TraceRecord[] = [];
    for (let i = this.count - k; i < this.count; i++) {
      const idx = (this.next - this.count + i + this.capacity) % this.capacity;
      out.push(this.ring[idx] as TraceRecord);
    }
    return out;
  }

  lines(last = this.count): string[] {
    return this.records(last).map(formatRecord);
  }
}
