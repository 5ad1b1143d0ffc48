// The messages on each link lately, from the nodes' cumulative counts of what they sent (their
// state lines' `sent`): the difference between the counts now and a few seconds ago. The store
// keeps the samples; these functions are pure so the arithmetic is tested without a clock.
import type { Model } from './view.js';

/** How far back the messages panel looks. */
export const TRAFFIC_WINDOW_MS = 5000;

/** A node's cumulative count of one type of message to one peer. */
interface SentCount {
  from: number;
  to: number;
  type: string;
  count: number;
}

/** Cumulative counts at one moment, by `from>to>type`. */
export interface SentSample {
  ts: number;
  counts: ReadonlyMap<string, SentCount>;
}

/** What one directed link carried over the window, by message type. */
export interface LinkTraffic {
  from: number;
  to: number;
  counts: Readonly<Record<string, number>>;
}

export interface Traffic {
  /** The window the counts cover (shorter than TRAFFIC_WINDOW_MS just after the dashboard opened). */
  ms: number;
  /** Whether any node reports what it sends (etcd's members do not): without it the panel says so. */
  reported: boolean;
  links: LinkTraffic[];
}

function key(from: number, to: number, type: string): string {
  return `${from}>${to}>${type}`;
}

/** The nodes' cumulative counts now; null when no node reports them. */
export function sentSample(model: Model, ts: number): SentSample | null {
  const counts = new Map<string, SentCount>();
  let reported = false;
  for (const n of model.nodes) {
    const sent = n.raft?.sent;
    if (sent === undefined) continue;
    reported = true;
    for (const s of sent) counts.set(key(n.id, s.to, s.type), { from: n.id, ...s });
  }
  return reported ? { ts, counts } : null;
}

/** The samples to keep: the newest, and back to the first at or before the window's start. */
export function keepSamples(samples: readonly SentSample[], now: number): SentSample[] {
  let first = 0;
  while (first + 1 < samples.length && samples[first + 1]!.ts <= now - TRAFFIC_WINDOW_MS) first++;
  return samples.slice(first);
}

/**
 * What each link carried between the oldest kept sample and the newest. A count that went down
 * belongs to a node that restarted (its counts begin again at zero): all of the new count is new.
 */
export function trafficOf(samples: readonly SentSample[]): Traffic {
  const newest = samples[samples.length - 1];
  if (newest === undefined) return { ms: 0, reported: false, links: [] };
  const oldest = samples[0]!;
  const byLink = new Map<string, LinkTraffic>();
  for (const [k, { from, to, type, count }] of newest.counts) {
    const before = oldest.counts.get(k)?.count ?? 0;
    const sent = count >= before ? count - before : count;
    if (sent === 0) continue;
    const link = `${from}>${to}`;
    const t = byLink.get(link) ?? { from, to, counts: {} };
    byLink.set(link, { ...t, counts: { ...t.counts, [type]: sent } });
  }
  const links = [...byLink.values()].sort((a, b) => a.from - b.from || a.to - b.to);
  return { ms: newest.ts - oldest.ts, reported: true, links };
}
