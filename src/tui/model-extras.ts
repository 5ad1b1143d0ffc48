// Fields of the cluster model that newer supervisors report (the safety verdict, the Raft
// switches, a node's timer and log runs): read with a fallback, so the dashboard also draws a
// model that lacks them.
import type { Model } from './view.js';

export type SafetyView = { ok: true } | { ok: false; property: string; nodes: number[]; text: string };
export interface SwitchesView {
  preVote: boolean;
  checkQuorum: boolean;
  bugs: string[];
}

/**
 * The supervisor's verdict; failing that, what the frame itself can see: two nodes that report
 * themselves leader of the same term break Election Safety (5.2: at most one leader per term).
 */
export function safetyOf(model: Model): SafetyView | null {
  const reported = (model as { safety?: SafetyView }).safety ?? null;
  if (reported !== null && !reported.ok) return reported;
  const byTerm = new Map<number, number>();
  for (const n of model.nodes) {
    if (n.raft?.role !== 'leader') continue;
    const other = byTerm.get(n.raft.term);
    if (other !== undefined)
      return { ok: false, property: 'Election Safety', nodes: [other, n.id], text: `n${other} and n${n.id} are both leader of term ${n.raft.term}` };
    byTerm.set(n.raft.term, n.id);
  }
  return reported;
}

export function switchesOf(model: Model): SwitchesView | null {
  return (model as { switches?: SwitchesView }).switches ?? null;
}

export type TimerReport = { kind: 'election'; deadline: number; timeoutMs: number } | { kind: 'heartbeat'; deadline: number; intervalMs: number } | null;

export function timerOf(raft: object): TimerReport | undefined {
  return (raft as { timer?: TimerReport }).timer;
}

export function runsOf(raft: object): ReadonlyArray<readonly [number, number]> {
  return (raft as { runs?: Array<[number, number]> }).runs ?? [];
}
