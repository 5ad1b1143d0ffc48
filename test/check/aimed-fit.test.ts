// Which clusters each aimed episode can run on (src/check/aimed/): `check` refuses a bug whose
// schedule cannot run, with the options that make it run, instead of passing without aiming at it.
import { describe, expect, test } from 'vitest';
import { AIMED_EPISODES, unfitError, type AimedEpisode } from '../../src/check/aimed/index.js';
import { ClusterError } from '../../src/cluster-model/index.js';

const episode = (name: string): AimedEpisode => AIMED_EPISODES.find((e) => e.name === name)!;
const fit = (voters: number, preVote = true, checkQuorum = true) => ({ voters, preVote, checkQuorum });

describe('aimed episodes refuse the clusters they cannot run on', () => {
  test('every known bug with a schedule names what it needs, ending with the check options that give it', () => {
    for (const e of AIMED_EPISODES) {
      const needs = [fit(2), fit(5), fit(4, false, false)].map((f) => e.unfit(f)).filter((n) => n !== null);
      for (const n of needs) expect(n, e.name).toMatch(/: check --/);
    }
  });

  test('the single-server change schedule needs an even number of voters, at least four, PreVote and CheckQuorum off', () => {
    const e = episode('conf-change');
    expect(e.unfit(fit(4, false, false))).toBeNull();
    expect(e.unfit(fit(6, false, false))).toBeNull();
    expect(e.unfit(fit(3, false, false))).toMatch(/even number of voters/);
    expect(e.unfit(fit(5, false, false))).toMatch(/this cluster has 5/);
    expect(e.unfit(fit(4, true, false))).toMatch(/--no-pre-vote --no-check-quorum$/);
  });

  test('vote-restart needs three voters exactly; Figure 8 three at least; stale-read any cluster', () => {
    expect(episode('vote-restart').unfit(fit(3))).toBeNull();
    expect(episode('vote-restart').unfit(fit(5))).toMatch(/three voters exactly/);
    expect(episode('figure-8').unfit(fit(5, true, false))).toBeNull();
    expect(episode('figure-8').unfit(fit(2))).toMatch(/three voters at least/);
    expect(episode('figure-8').unfit(fit(3, false, true))).toMatch(/--no-check-quorum/);
    expect(episode('stale-read').unfit(fit(1, false, false))).toBeNull();
  });

  test('the refusal is a ClusterError with the code unfit-cluster and the cluster it was given', () => {
    const err = unfitError(episode('conf-change'), fit(3));
    expect(err).toBeInstanceOf(ClusterError);
    expect(err!.problem).toEqual({ code: 'unfit-cluster', episode: 'conf-change', voters: 3, preVote: true, checkQuorum: true });
    expect(err!.message).toMatch(/^--bug conf-change-before-term-commit: its conf-change schedule needs/);
    expect(unfitError(episode('conf-change'), fit(4, false, false))).toBeNull();
  });
});
