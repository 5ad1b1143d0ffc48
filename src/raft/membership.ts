// Configurations and majorities. One server at a time (dissertation 4.1): any two majorities of
// configurations that differ by one server overlap, so no joint consensus is needed.
import type { ConfChange, Membership, NodeId } from './types.js';

export function isVoter(m: Membership, id: NodeId): boolean {
  return m.voters.includes(id);
}

export function isMember(m: Membership, id: NodeId): boolean {
  return m.voters.includes(id) || m.learners.includes(id);
}

/** Smallest number of voters that is a majority of `voters` voters (of a configuration or a count of nodes). */
export function majorityOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * The largest group of `count` nodes that is a strict minority: the other side of a partition is
 * larger, so a leader there is sure to lose its majority, whatever the count's parity.
 */
export function largestMinorityOf(count: number): number {
  return Math.floor((count - 1) / 2);
}

/** Whether `ids` hold a majority of `voters` (ids that are not voters do not count). */
export function holdsMajority(ids: readonly NodeId[], voters: readonly NodeId[]): boolean {
  return ids.filter((id) => voters.includes(id)).length >= majorityOf(voters.length);
}

/** Smallest number of voters that is a majority. */
export function quorum(m: Membership): number {
  return majorityOf(m.voters.length);
}

const sorted = (ids: NodeId[]): NodeId[] => [...ids].sort((a, b) => a - b);

/** The configuration after `change`, or an explanation of why the change does not apply. */
export function applyChange(m: Membership, change: ConfChange): Membership | string {
  const { node } = change;
  if (!Number.isInteger(node) || node <= 0) return `node id must be a positive integer, got ${node}`;
  switch (change.type) {
    case 'add-learner':
      if (isMember(m, node)) return `n${node} is already a member`;
      return { voters: m.voters, learners: sorted([...m.learners, node]) };
    case 'promote':
      if (!m.learners.includes(node)) return `n${node} is not a learner`;
      return { voters: sorted([...m.voters, node]), learners: m.learners.filter((id) => id !== node) };
    case 'remove':
      if (!isMember(m, node)) return `n${node} is not a member`;
      if (m.voters.length === 1 && m.voters[0] === node) return `n${node} is the last voter`;
      return { voters: m.voters.filter((id) => id !== node), learners: m.learners.filter((id) => id !== node) };
  }
}

/**
 * The highest index stored on a majority of voters, given each voter's match index: sort them
 * descending and take the quorum-th (the commit rule of section 5.3, before the term check of 5.4.2).
 */
export function majorityIndex(matches: number[]): number {
  const desc = matches.slice().sort((a, b) => b - a);
  return desc[majorityOf(desc.length) - 1] ?? 0;
}
