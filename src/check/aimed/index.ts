// The aimed episodes, one list for every known bug: the nemesis runs those of the bugs the checked
// cluster runs (nemesis.ts). One import and one line per episode.
import type { BugName } from '../../raft/config.js';
import { confChange } from './conf-change.js';
import { figure8 } from './figure8.js';
import { staleRead } from './stale-read.js';
import type { AimedEpisode } from './types.js';
import { voteRestart } from './vote-restart.js';

export { fitOf, unfitError } from './steps.js';
export type { AimedContext, AimedEpisode, ClusterFit } from './types.js';

export const AIMED_EPISODES: readonly AimedEpisode[] = [figure8, voteRestart, staleRead, confChange];

/** The episodes aimed at any of `bugs`, in the list's order. */
export function aimedAt(bugs: readonly BugName[]): AimedEpisode[] {
  return AIMED_EPISODES.filter((e) => bugs.includes(e.bug));
}
