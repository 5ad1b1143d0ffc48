// Step mode on real processes (src/supervisor/step.ts, src/node/step-mode.ts): a 3-node cluster is
// frozen before its first election; n1's election timeout is fired by hand, and its pre-vote and
// vote requests and their answers are delivered one at a time, so n1 becomes leader only once the
// second vote (its own and n2's) arrives; then step mode is switched off and the cluster runs on.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HeldMessage } from '../../src/cluster-model/model.js';
import { startSupervisor, type SupervisorHandle } from '../../src/supervisor/supervisor.js';
import { waitFor } from '../support/wait.js';
import { alive, pidsOf, settledLeader, tempStateHome } from './helpers.js';

let sup: SupervisorHandle;
let stateHome: string;
const pids = new Set<number>();

beforeAll(async () => {
  stateHome = await tempStateHome();
  // Elections after 2-3 s: step mode is on long before the first one could come.
  sup = await startSupervisor({ name: 'step', nodes: 3, electionTimeoutMs: { min: 2000, max: 3000 }, heartbeatMs: 200 });
  sup.subscribe(() => pidsOf(sup.model, pids));
});

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset here when beforeAll failed: its declared type is for the tests, which run only once it is set
  await sup?.stop();
  for (const pid of pids) expect(alive(pid), `node pid ${pid} outlived its supervisor`).toBe(false);
  await rm(stateHome, { recursive: true, force: true });
});

const node = (id: number) => sup.model.nodes.find((n) => n.id === id)!;
const held = (): HeldMessage[] => sup.model.step?.held ?? [];

async function act(...args: Parameters<SupervisorHandle['act']>): Promise<string> {
  const r = await sup.act(...args);
  expect(r.ok, r.text).toBe(true);
  return r.text;
}

/** The one held message from `from` to `to` of that type, once it is held. */
function message(from: number, to: number, type: string): Promise<HeldMessage> {
  return waitFor(`n${from}'s ${type} to n${to} to be held`, () => held().find((h) => h.from === from && h.to === to && h.type === type));
}

describe('step mode', () => {
  test('a node elected one delivered message at a time becomes leader only with the second vote; step off runs on', async () => {
    expect((await sup.act({ op: 'fire', node: 1, timer: 'election' })).problem).toEqual({ code: 'step-off', op: 'fire' });
    await act({ op: 'step', on: true });
    expect(sup.model.step).toMatchObject({ on: true, held: [] });
    // Started is not yet reported: each node's first state line may come after step mode is on.
    await waitFor('every node to report itself a follower of term 0', () =>
      sup.model.nodes.every((n) => n.raft?.role === 'follower' && n.raft.term === 0),
    );

    await act({ op: 'fire', node: 1, timer: 'election' });
    const preVote = await message(1, 2, 'pre-vote');
    await message(1, 3, 'pre-vote');
    expect(preVote.text).toBe('n1 asks n2 for a pre-vote in term 1 (its last entry 0, term 0)');
    expect(await act({ op: 'deliver', ids: [preVote.id] })).toBe(`delivered ${preVote.id}: ${preVote.text}`);
    const preGrant = await message(2, 1, 'pre-vote-response');
    expect(preGrant.text).toBe('n2 grants n1 a pre-vote in term 1');
    // n1's state line and the held messages come on different streams: wait for the line.
    await waitFor('n1 to report itself a pre-candidate', () => node(1).raft?.role === 'pre-candidate');

    // A majority of pre-votes (its own and n2's): n1 campaigns for term 1.
    await act({ op: 'deliver', ids: [preGrant.id] });
    const vote = await message(1, 2, 'vote');
    await waitFor('n1 to be a candidate', () => node(1).raft?.role === 'candidate');
    await act({ op: 'deliver', ids: [vote.id] });
    const grant = await message(2, 1, 'vote-response');
    expect(grant.text).toBe('n2 grants n1 its vote in term 1');
    // Its own vote alone is not a majority of three: still a candidate while n2's vote is held.
    expect(node(1).raft!.role).toBe('candidate');

    await act({ op: 'deliver', ids: [grant.id] });
    await waitFor('n1 to lead term 1', () => node(1).raft?.role === 'leader' && node(1).raft!.term === 1);
    // Its no-op and heartbeats are held too: n3 has heard nothing of it.
    expect(node(3).raft).toMatchObject({ role: 'follower', term: 0 });

    expect(await act({ op: 'step', on: false })).toMatch(/^step mode off: the \d+ held messages went out in the order they were held/);
    const leader = await waitFor('the cluster to run on with n1 leading', () => {
      const l = settledLeader(sup.model);
      return l !== undefined && sup.model.nodes.every((n) => n.raft?.commit === l.raft!.lastIndex && l.raft!.lastIndex > 0) ? l : undefined;
    });
    expect(leader.id).toBe(1);
    expect(sup.model.step).toMatchObject({ on: false, held: [] });
  });
});
