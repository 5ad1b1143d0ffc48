// Free faults on a real cluster: in exercise 4 the learner brings the killed follower back before
// the entries are written, which takes the step off its path; the panel says so, the set-up key
// kills it again, and the automatic solution takes the exercise to its end from there.
import { describe, expect, it } from 'vitest';
import { voters } from '../../src/cluster-model/index.js';
import { followerFailure } from '../../src/exercises/catalog/follower-failure.js';
import { inSession } from './helpers.js';

describe('a fault of the learner inside an exercise', () => {
  it('is told on the panel, set up again with X, and the exercise goes on to its end', async () => {
    await inSession(followerFailure, { name: 'free-faults', speed: 'fast' }, async (session) => {
      const d = session.driver();
      await d.step('leader');
      const follower = voters(d.model).find((id) => id !== d.facts.leader)!;
      await d.act({ op: 'kill', nodes: [follower] });
      await d.step('kill');

      // The learner's own fault: the follower that must miss the entries comes back too early.
      await d.act({ op: 'restart', nodes: [follower] });
      await d.until('the panel to tell the detour', () => session.view({ hint: false }).detour !== null);
      const view = session.view({ hint: false });
      expect(view.detour!.what).toEqual([
        `you brought n${follower}, the follower that must miss these entries, back: an entry written now reaches it at once, and it would have nothing to catch up on.`,
      ]);
      expect(view.detour!.fix).toEqual([`kill n${follower} again (select it, press x)`]);
      expect(view.trigger?.label).toBe('set the step up again');
      expect(view.steps.find((s) => s.current)?.text).toBe(followerFailure.steps[2]!.text.en);

      // X: the exercise sets the step up again.
      const r = await session.trigger();
      expect(r).toEqual({ ok: true, text: 'the step is set up again: go on from here' });
      await d.until('the step back on its path', () => session.view({ hint: false }).detour === null);

      // The rest of the automatic solution, as written.
      await d.submit('one');
      await d.submit('two');
      await d.step('write');
      await d.act({ op: 'restart', nodes: [follower] });
      await d.step('catch-up');
      expect(session.tracker.done).toBe(true);
    });
  });
});
