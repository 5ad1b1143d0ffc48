// The core's switches a cluster runs every node with (PreVote, CheckQuorum, known bugs): chosen when
// the cluster is created, kept in cluster.json, and handed to each node on its command line.
import { DEFAULTS, switchesChanged, type RaftSwitches } from '../raft/config.js';

export const DEFAULT_SWITCHES: RaftSwitches = { preVote: DEFAULTS.preVote, checkQuorum: DEFAULTS.checkQuorum, bugs: [] };

/** The node (and `supervise`) flags that set these switches: only those that differ from the defaults. */
export function switchArgs(s: Partial<RaftSwitches>): string[] {
  return [
    ...(s.preVote === false ? ['--no-pre-vote'] : []),
    ...(s.checkQuorum === false ? ['--no-check-quorum'] : []),
    ...(s.bugs ?? []).flatMap((b) => ['--bug', b]),
  ];
}

/**
 * Whether an existing cluster, created with `saved`, was asked for other switches: it keeps its
 * own, and the sentence says so; null when it was asked for none or the same.
 */
export function keptSwitches(asked: Partial<RaftSwitches> | undefined, saved: RaftSwitches): string | null {
  const same = (a: readonly string[], b: readonly string[]): boolean => [...a].sort().join() === [...b].sort().join();
  const differs =
    asked !== undefined &&
    ((asked.preVote !== undefined && asked.preVote !== saved.preVote) ||
      (asked.checkQuorum !== undefined && asked.checkQuorum !== saved.checkQuorum) ||
      (asked.bugs !== undefined && !same(asked.bugs, saved.bugs)));
  if (!differs) return null;
  return `it keeps the Raft switches it was created with (${describeSwitches(saved)}): they apply to a new cluster only (\`raft-console down --purge\` deletes this one)`;
}

export function isDefault(s: RaftSwitches): boolean {
  return switchesChanged(s).length === 0;
}

/** "PreVote off, BUG commit-previous-term ON", or "PreVote and CheckQuorum on, no known bug". */
export function describeSwitches(s: RaftSwitches): string {
  return isDefault(s) ? 'PreVote and CheckQuorum on, no known bug' : switchesChanged(s).join(', ');
}
