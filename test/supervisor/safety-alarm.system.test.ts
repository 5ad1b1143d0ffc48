// The safety monitor on a real cluster whose nodes run with known bugs: a node that forgets its vote
// on a restart (vote-not-persisted) and votes without the log check (vote-without-log-check) gives
// one term two leaders, and the supervisor says so: the model's verdict and one event.
//
// The schedule, on three nodes L (the leader once Q is cut off), P and Q:
//   1. Q is cut off (with PreVote its term stays where it is);
//   2. L hands leadership to P: P wins the next term T with L's vote;
//   3. every node is cut off from the others; L is killed and restarted, its vote for P forgotten;
//   4. right after one of L's (failing) pre-votes, L and Q are joined and Q campaigns at once: L,
//      in term T with no vote and no leader, grants it term T as well.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NodeModel } from '../../src/cluster-model/model.js';
import { startSupervisor, type SupervisorHandle } from '../../src/supervisor/supervisor.js';
import { waitFor } from '../support/wait.js';
import { alive, pidsOf, settledLeader, tempStateHome } from './helpers.js';

let sup: SupervisorHandle;
let stateHome: string;
const pids = new Set<number>();

beforeAll(async () => {
  stateHome = await tempStateHome();
  // Elections after a second: time enough for step 4 to come first, after Q has reconnected to L.
  sup = await startSupervisor({
    name: 'buggy',
    nodes: 3,
    electionTimeoutMs: { min: 1000, max: 1200 },
    heartbeatMs: 100,
    raft: { bugs: ['vote-not-persisted', 'vote-without-log-check'] },
  });
  sup.subscribe(() => pidsOf(sup.model, pids));
});

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset here when beforeAll failed: its declared type is for the tests, which run only once it is set
  await sup?.stop();
  for (const pid of pids) expect(alive(pid), `node pid ${pid} outlived its supervisor`).toBe(false);
  await rm(stateHome, { recursive: true, force: true });
});

const node = (id: number) => sup.model.nodes.find((n) => n.id === id)!;

/** The leader that every one of these nodes reports, in the same term. */
function leaderOf(ids: number[]): NodeModel | undefined {
  const states = ids.map((id) => node(id).raft);
  const leader = states[0]?.leader;
  if (leader === undefined || leader === 0 || !states.every((s) => s?.leader === leader && s.term === states[0]!.term)) return undefined;
  return node(leader).raft?.role === 'leader' ? node(leader) : undefined;
}

async function act(...args: Parameters<SupervisorHandle['act']>): Promise<void> {
  const r = await sup.act(...args);
  expect(r.ok, r.text).toBe(true);
}

describe('a cluster with known bugs', () => {
  test('two leaders of one term raise the Election Safety alarm, naming both', async () => {
    expect(sup.model.switches).toEqual({ preVote: true, checkQuorum: true, bugs: ['vote-not-persisted', 'vote-without-log-check'] });
    const first = (await waitFor('a leader', () => settledLeader(sup.model))).id;
    const q = [1, 2, 3].find((id) => id !== first)!;
    await act({ op: 'isolate', node: q });
    const l = (await waitFor(`a leader besides n${q}`, () => leaderOf([1, 2, 3].filter((id) => id !== q)))).id;
    const p = [1, 2, 3].find((id) => id !== q && id !== l)!;
    await act({ op: 'transfer', node: p });
    const term = await waitFor(`n${p} to lead`, () => (node(p).raft?.role === 'leader' ? node(p).raft!.term : undefined));
    await act({ op: 'partition', groups: [[p], [l], [q]] });
    await act({ op: 'kill', nodes: [l] });
    const restarted = Date.now();
    await act({ op: 'restart', nodes: [l] });
    const connected = (from: number, to: number): boolean =>
      sup.model.events.some(
        (e) => e.node === from && e.type === 'peer-connected' && e.data?.peer === to && e.data.direction === 'out' && e.ts >= restarted,
      );
    await waitFor(`n${q} and n${l} to reconnect`, () => connected(q, l) && connected(l, q));
    // Alone, L's pre-votes fail and leave its term and vote as they are; right after one, its next
    // election is a whole timeout away.
    const since = Date.now();
    await waitFor(`n${l}'s election timer`, () =>
      sup.model.events.some((e) => e.node === l && e.type === 'election-timeout' && e.ts >= since),
    );
    await act({ op: 'partition', groups: [[p], [l, q]] });
    await act({ op: 'campaign', node: q });

    const verdict = await waitFor('the safety alarm', () => (sup.model.safety.ok ? undefined : sup.model.safety));
    expect(verdict).toMatchObject({
      ok: false,
      property: 'Election Safety',
      nodes: [p, q],
      text: `n${p} and n${q} are both leader of term ${term}`,
    });
    // The event follows the verdict within the reorder window.
    const told = await waitFor('the alarm in the events', () => {
      const alarms = sup.model.events.filter((e) => e.type === 'safety-violation');
      return alarms.length > 0 ? alarms : undefined;
    });
    expect(told.map((e) => e.text)).toEqual([`SAFETY VIOLATED: Election Safety: n${p} and n${q} are both leader of term ${term}`]);
  });
});
