// The workshop exercises, in the order a workshop takes them, and how a command line names one.
import type { Exercise } from '../types.js';
import { disruptiveServer } from './disruptive-server.js';
import { firstElection } from './first-election.js';
import { followerFailure } from './follower-failure.js';
import { leaderFailure } from './leader-failure.js';
import { membership } from './membership.js';
import { minorityPartition } from './minority-partition.js';
import { newNode } from './new-node.js';
import { quorumLoss } from './quorum-loss.js';
import { replication } from './replication.js';
import { splitVote } from './split-vote.js';
import { staleRead } from './stale-read.js';
import { whyTheRules } from './why-the-rules.js';

export const EXERCISES: readonly Exercise[] = [
  firstElection,
  replication,
  leaderFailure,
  followerFailure,
  splitVote,
  minorityPartition,
  quorumLoss,
  newNode,
  disruptiveServer,
  whyTheRules,
  staleRead,
  membership,
];

/** The exercise named by its id ("leader-failure") or its number ("3"); null when there is none. */
export function findExercise(name: string): Exercise | null {
  const key = name.trim().toLowerCase();
  return EXERCISES.find((e) => e.id === key || String(e.number) === key) ?? null;
}
