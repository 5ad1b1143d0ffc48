// Step mode in a real terminal: `raft-console up 3` in a tmux pane; S freezes the cluster, the
// test fires one follower's election timeout with E and delivers its vote request and the answer
// one at a time with d, [ ], and sees the candidate become leader only once the second vote (its
// own and one more: 2 of 3) has arrived. Then S leaves step mode.
//
// The cluster runs without PreVote and CheckQuorum: with either, a follower that heard from its
// leader within the election timeout refuses a candidate (the leader lease, dissertation 9.6 and
// 4.2.3), and in step mode its clock stands still, so that lease never ends while a leader lives.
// tmux is required in CI (.ci/run installs it); elsewhere the test is skipped when tmux is missing.
import { describe, expect, test } from 'vitest';
import { headerLeader, paneForTests, skipWithoutTmux as skip } from './tmux.js';

const CLUSTER = 'step';

if (skip) console.warn('step.system.test.ts skipped: tmux is not installed (in CI it is required and the test runs)');

const tests = paneForTests('step.system.test.ts');

/** What the pane shows now (not its history). */
const onPane = <T>(what: string, parse: (text: string) => T | undefined, timeoutMs?: number): Promise<T> =>
  tests.pane().until(what, () => tests.pane().capture(), parse, timeoutMs);

/** The held messages the step panel lists: id and sentence, the selected one marked. */
function heldOnScreen(text: string): Array<{ id: string; text: string; selected: boolean }> {
  return [...text.matchAll(/^([▸ ])[+ ](\d+\.\d+) +(n\d .*)$/gm)].map((m) => ({ id: m[2]!, text: m[3]!.trim(), selected: m[1] === '▸' }));
}

/** The count in the step panel's title. */
function inFlight(text: string): number | undefined {
  if (text.includes('no message in flight')) return 0;
  const m = /STEP MODE {2}(\d+) messages? in flight/.exec(text);
  return m === null ? undefined : Number(m[1]);
}

describe.skipIf(skip)('step mode in a real terminal (tmux)', () => {
  test('S freezes the cluster; E fires one election; d delivers a vote request, then its answer: a leader only after the second vote', async () => {
    const pane = tests.pane();
    await pane.start(100, 30, `up 3 --name ${CLUSTER} --no-pre-vote --no-check-quorum`);
    const old = await onPane('a leader in the header', headerLeader, 20_000);

    await pane.press('S');
    await onPane('STEP MODE in the header', (t) => (/^ STEP MODE /m.test(t.split('\n')[1] ?? '') ? true : undefined));
    // What was in flight when the clocks stopped (heartbeats, their answers) goes first: D delivers
    // all of it, until the leader's frozen clock sends nothing more.
    for (let round = 0; ; round++) {
      const n = await onPane('the count of messages in flight', inFlight);
      if (n === 0) break;
      expect(round, 'rounds of delivering what was in flight').toBeLessThan(10);
      await pane.press('D');
      await onPane('the held messages delivered', (t) => (inFlight(t) !== n || heldOnScreen(t).length === 0 ? true : undefined));
    }

    const candidate = [1, 2, 3].find((id) => id !== old.id)!;
    await pane.press(String(candidate));
    await pane.press('E');
    const requests = await onPane(`n${candidate}'s vote requests held`, (t) => {
      const held = heldOnScreen(t).filter((h) => h.text.startsWith(`n${candidate} asks`) && h.text.includes('for its vote'));
      return held.length === 2 ? held : undefined;
    });
    // The oldest is selected: deliver it, and its answer is held in turn.
    expect(requests[0]!.selected).toBe(true);
    const voter = Number(/asks n(\d)/.exec(requests[0]!.text)![1]);
    await pane.press('d');
    const answer = await onPane(`n${voter}'s answer held`, (t) =>
      heldOnScreen(t).find((h) => h.text.startsWith(`n${voter} grants n${candidate} its vote`)),
    );
    // One vote (its own) of the two it needs: still a candidate, no leader of its term.
    const before = await tests.pane().capture();
    expect(before.split('\n')[0]).not.toMatch(new RegExp(`★ leader n${candidate}\\b`));
    expect(before).toMatch(new RegExp(`^. n${candidate} .*◆ candidate`, 'm'));

    // Select the answer with ] and deliver it: the second vote makes n<candidate> leader.
    for (let i = 0; i < 5; i++) {
      const sel = heldOnScreen(await tests.pane().capture()).find((h) => h.selected);
      if (sel?.id === answer.id) break;
      await pane.press(']');
      await onPane('the selection to move', (t) => (heldOnScreen(t).find((h) => h.selected)?.id !== sel?.id ? true : undefined));
    }
    await pane.press('d');
    const leader = await onPane(`n${candidate} leader`, (t) => {
      const h = headerLeader(t);
      return h?.id === candidate ? h : undefined;
    });
    expect(leader.term).toBeGreaterThan(old.term);

    await pane.press('S');
    await onPane('step mode off', (t) => (!t.includes('STEP MODE') ? true : undefined));
    await pane.press('q');
    await onPane('the quit question', (t) => (/Quit and stop the cluster/.test(t) ? true : undefined));
    await pane.press('y');
    const exit = await tests.pane().onScreen('the command to end', (t) => /\[exited with (\d+)\]/.exec(t)?.[1]);
    expect(exit, 'the exit status of up').toBe('0');
  });
});
