// Step mode in a real terminal, with the defaults (PreVote and CheckQuorum on): `raft-console up 3`
// in a tmux pane with election timeouts of 5-10 minutes, so that no node campaigns before S freezes
// the cluster; the test then fires n1's election timeout with E and delivers its messages one at a
// time with d, [ and ]: a pre-vote request and the grant that answers it (PreVote, dissertation
// 9.6: 2 of 3 pre-votes, its own and one more, make n1 a candidate), then a vote request and its
// answer, and sees n1 become leader only once that second vote (its own and one more: 2 of 3)
// has arrived. Then S leaves step mode.
//
// Freezing before the first election is what lets the defaults run: a follower that heard from a
// leader within the election timeout refuses pre-votes and, with CheckQuorum, votes (the leader
// lease, dissertation 4.2.3), and in step mode its clock stands still, so that lease would never
// end while a leader lives. Before any leader, no follower holds a lease.
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

/** The row of node `id` in the node table shows `role` (the table's glyph and word). */
const shows = (text: string, id: number, role: string): boolean => new RegExp(`^. n${id} .*${role}`, 'm').test(text);

describe.skipIf(skip)('step mode in a real terminal (tmux)', () => {
  test('S freezes the cluster before its first election; E fires one; d delivers a pre-vote, its grant, a vote request and its answer: a leader only after the second vote', async () => {
    const pane = tests.pane();
    await pane.start(100, 30, `up 3 --name ${CLUSTER} --election-timeout 300000-600000`);
    // Every node reports (a follower of no one), long before any election timeout.
    await onPane('three followers', (t) => ([1, 2, 3].every((id) => shows(t, id, '· follower')) ? true : undefined), 20_000);
    expect((await tests.pane().capture()).split('\n')[0]).not.toMatch(/★ leader/);

    await pane.press('S');
    await onPane('STEP MODE in the header', (t) => (/^ STEP MODE /m.test(t.split('\n')[1] ?? '') ? true : undefined));
    // No leader, no timer due: nothing is in flight.
    expect(await onPane('the count of messages in flight', inFlight)).toBe(0);

    /** Moves the selection to held message `id` with [ and ], and delivers it with d. */
    const deliver = async (id: string): Promise<void> => {
      for (let i = 0; i < 10; i++) {
        const held = heldOnScreen(await tests.pane().capture());
        const at = held.findIndex((h) => h.selected);
        const to = held.findIndex((h) => h.id === id);
        expect(to, `${id} on screen`).toBeGreaterThanOrEqual(0);
        if (at === to) break;
        await pane.press(to > at ? ']' : '[');
        await onPane('the selection to move', (t) => (heldOnScreen(t).findIndex((h) => h.selected) !== at ? true : undefined));
      }
      await pane.press('d');
      await onPane(`${id} delivered`, (t) => (heldOnScreen(t).every((h) => h.id !== id) ? true : undefined));
    };
    /** The held messages whose sentence starts with `start`, once there are `count` of them. */
    const heldStarting = (start: string, count: number) =>
      onPane(`${count} held message(s): ${start}`, (t) => {
        const held = heldOnScreen(t).filter((h) => h.text.startsWith(start));
        return held.length === count ? held : undefined;
      });

    await pane.press('1');
    await pane.press('E');
    // PreVote: n1 asks for pre-votes first, in the term it would campaign in, without leaving its own.
    const preVotes = await heldStarting('n1 asks', 2);
    // A new cluster's nodes are in term 0: the term n1 would campaign in is 1.
    const term = 1;
    for (const p of preVotes) expect(p.text).toMatch(new RegExp(`^n1 asks n[23] for a pre-vote in term ${term} `));
    await onPane('n1 a pre-candidate', (t) => (shows(t, 1, '◇ pre-cand') ? true : undefined));
    const voter = Number(/asks n(\d)/.exec(preVotes[0]!.text)![1]);
    await deliver(preVotes[0]!.id);
    const grant = await heldStarting(`n${voter} grants n1 a pre-vote in term ${term}`, 1);
    await deliver(grant[0]!.id);

    // Two pre-votes of three: n1 campaigns for real, in that term, and asks for votes.
    const votes = await heldStarting(`n1 asks n2 for its vote in term ${term}`, 1);
    await onPane('n1 a candidate', (t) => (shows(t, 1, '◆ candidate') ? true : undefined));
    await deliver(votes[0]!.id);
    const answer = await heldStarting(`n2 grants n1 its vote in term ${term}`, 1);
    // One vote (its own) of the two it needs: still a candidate, no leader.
    const before = await tests.pane().capture();
    expect(before.split('\n')[0]).not.toMatch(/★ leader/);
    expect(shows(before, 1, '◆ candidate')).toBe(true);

    // The second vote makes n1 leader of that term.
    await deliver(answer[0]!.id);
    const leader = await onPane('n1 leader', (t) => {
      const h = headerLeader(t);
      return h?.id === 1 ? h : undefined;
    });
    expect(leader.term).toBe(term);

    await pane.press('S');
    await onPane('step mode off', (t) => (!t.includes('STEP MODE') ? true : undefined));
    await pane.press('q');
    await onPane('the quit question', (t) => (/Quit and stop the cluster/.test(t) ? true : undefined));
    await pane.press('y');
    const exit = await tests.pane().onScreen('the command to end', (t) => /\[exited with (\d+)\]/.exec(t)?.[1]);
    expect(exit, 'the exit status of up').toBe('0');
  });
});
