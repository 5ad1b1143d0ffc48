// What a failover's election events say: the nodes' role changes (written at once, each with its
// time) between the kill and the term of the leader every survivor came to know.
import type { RoleChange } from '../cluster/node-process.js';
import { round } from '../stats.js';

/**
 * From the role changes since the kill (oldest first): when the first survivor stood for election
 * (timerMs), how many terms it took (more than one is a split vote), how many candidacies and
 * pre-vote rounds, and what a split vote cost: the time from the first candidacy to the winner's.
 * A pre-vote round that wins goes on to a candidacy at once, so the pre-candidacies beyond the
 * candidacies are rounds lost: with PreVote a failover can need several rounds in one term.
 */
export function electionsAfter(changes: readonly RoleChange[], killAt: number, oldTerm: number, leader: number, newTerm: number) {
  const round1 = (x: number): number => round(x, 1);
  // A pre-candidate asks in its current term, so the first pre-vote round is still of the old one.
  const within = changes.filter((c) => c.term >= oldTerm && c.term <= newTerm);
  const candidacies = within.filter((c) => c.to === 'candidate');
  const stood = within.find((c) => c.to === 'candidate' || c.to === 'pre-candidate');
  const winning = candidacies.find((c) => c.node === leader && c.term === newTerm);
  const elections = newTerm - oldTerm;
  const preVotes = within.filter((c) => c.to === 'pre-candidate').length;
  return {
    timerMs: stood === undefined ? null : round1(stood.ts - killAt),
    elections,
    candidacies: candidacies.length,
    preVotes,
    lostPreVotes: Math.max(0, preVotes - candidacies.length),
    splitVote: elections > 1,
    splitCostMs: elections > 1 && winning !== undefined && candidacies[0] !== undefined ? round1(winning.ts - candidacies[0].ts) : null,
  };
}
