// The check's nemesis against a stand-in cluster that carries out its actions on a model: one fault
// at a time, each undone as it was done, every kind taking its turn, and everything mended at the end.
import { describe, expect, test } from 'vitest';
import type { AimedEpisode } from '../../src/check/aimed/index.js';
import { Nemesis, type FaultKind, type FaultRecord } from '../../src/check/nemesis.js';
import type { Action, ClusterModel, ClusterSource, NodeModel } from '../../src/cluster-model/index.js';
import { Random } from '../../src/sim/random.js';
import { model as fixture, node } from '../cluster-model/fixtures.js';

/** A running node of a five-node cluster led by `leader`, in term 2 with five entries. */
function member(id: number, leader: number): NodeModel {
  return node(id, {
    role: id === leader ? 'leader' : 'follower',
    term: 2,
    vote: leader,
    leader,
    lastIndex: 5,
    lastTerm: 2,
    commit: 5,
    applied: 5,
    membership: { voters: [1, 2, 3, 4, 5], learners: [] },
    runs: [[1, 2]],
  });
}

/** Five nodes, n1 leading; kill, pause and the network actions change the model as the supervisor would. */
function fakeCluster(refuses: readonly Action['op'][] = []): { target: ClusterSource; model: ClusterModel } {
  const model = fixture(
    [1, 2, 3, 4, 5].map((id) => member(id, 1)),
    { name: 'fake', clusterId: 'fake', timing: { preset: 'fast', tickMs: 2, electionTimeoutMs: { min: 30, max: 60 }, heartbeatMs: 10 } },
  );
  const set = (ids: number[], state: NodeModel['process']['state']): void => {
    for (const n of model.nodes) if (ids.includes(n.id)) n.process.state = state;
  };
  const target: ClusterSource = {
    model,
    async act(a: Action) {
      if (refuses.includes(a.op))
        return {
          ok: false,
          text: `this engine cannot ${a.op}`,
          problem: { code: 'engine-unsupported', op: a.op, engine: 'etcd' } as never,
        };
      switch (a.op) {
        case 'kill':
          if (a.nodes.some((id) => model.nodes[id - 1]!.process.state !== 'running')) return { ok: false, text: 'not running' };
          set(a.nodes, 'killed');
          break;
        case 'pause':
          set(a.nodes, 'paused');
          break;
        case 'restart':
        case 'resume':
          set(a.nodes, 'running');
          break;
        case 'partition':
          model.partition = a.groups;
          break;
        case 'heal':
          model.partition = [];
          break;
        default:
          break;
      }
      return { ok: true, text: `did ${a.op}` };
    },
    subscribe: () => () => undefined,
    onGone: () => () => undefined,
  };
  return { target, model };
}

async function runNemesis(
  kinds: readonly FaultKind[],
  seed: number,
  refuses: readonly Action['op'][] = [],
  aimed: readonly AimedEpisode[] = [],
): Promise<{ timeline: FaultRecord[]; model: ClusterModel; injected: Record<FaultKind, number>; nemesis: Nemesis }> {
  const { target, model } = fakeCluster(refuses);
  // Simulated time: each wait moves the clock, so a run of 20 s takes no time and replays exactly.
  let now = 0;
  const wait = async (ms: number): Promise<void> => {
    now += ms;
  };
  const nemesis = new Nemesis({ target, kinds, random: new Random(seed, 'nemesis'), clock: () => now, durationMs: 20_000, wait, aimed });
  await nemesis.run();
  return { timeline: nemesis.timeline, model, injected: nemesis.injected(), nemesis };
}

const undoOf = (a: Action): Action =>
  a.op === 'kill' ? { op: 'restart', nodes: a.nodes } : a.op === 'pause' ? { op: 'resume', nodes: a.nodes } : { op: 'heal' };

describe('the check nemesis', () => {
  test('one fault at a time: each episode is injected, then undone as it was done, before the next', async () => {
    const { timeline } = await runNemesis(['kill', 'pause', 'partition', 'link'], 1);
    const episodes = [...new Set(timeline.filter((r) => r.episode > 0).map((r) => r.episode))];
    expect(episodes.length).toBeGreaterThanOrEqual(2);
    let previousEnd = -1;
    for (const e of episodes) {
      const records = timeline.filter((r) => r.episode === e);
      const injects = records.filter((r) => r.phase === 'inject');
      const undos = records.filter((r) => r.phase === 'undo');
      expect(injects.length).toBeGreaterThan(0);
      expect(undos.map((r) => r.action)).toEqual([undoOf(injects[0]!.action)]);
      expect(timeline.indexOf(injects[0]!)).toBeGreaterThan(previousEnd);
      previousEnd = timeline.indexOf(undos[0]!);
    }
  });

  test('the kinds take turns: each round of four episodes has every kind once', async () => {
    const { timeline, injected } = await runNemesis(['kill', 'pause', 'partition', 'link'], 2);
    const kinds = [...new Set(timeline.filter((r) => r.phase === 'inject').map((r) => `${r.episode} ${r.kind}`))].map(
      (s) => s.split(' ')[1],
    );
    expect(kinds.length).toBeGreaterThanOrEqual(8);
    for (let round = 0; round + 4 <= kinds.length; round += 4) expect(new Set(kinds.slice(round, round + 4)).size).toBe(4);
    for (const kind of ['kill', 'pause', 'partition', 'link'] as const) expect(injected[kind]).toBeGreaterThanOrEqual(2);
  });

  test('the same seed makes the same choices', async () => {
    const a = await runNemesis(['kill', 'pause', 'partition', 'link'], 7);
    const b = await runNemesis(['kill', 'pause', 'partition', 'link'], 7);
    expect(b.timeline).toEqual(a.timeline);
  });

  test('process faults hit running nodes, a minority at a time except now and then a majority', async () => {
    const { timeline } = await runNemesis(['kill', 'pause'], 3);
    for (const r of timeline.filter((x) => x.phase === 'inject')) {
      const a = r.action as Extract<Action, { op: 'kill' | 'pause' }>;
      expect(a.nodes.length).toBeGreaterThanOrEqual(1);
      expect(a.nodes.length).toBeLessThanOrEqual(3);
      expect(new Set(a.nodes).size).toBe(a.nodes.length);
    }
  });

  test('a partition splits all the nodes into a minority and a majority', async () => {
    const { timeline } = await runNemesis(['partition'], 4);
    const partitions = timeline.filter((r) => r.phase === 'inject').map((r) => (r.action as Extract<Action, { op: 'partition' }>).groups);
    expect(partitions.length).toBeGreaterThan(0);
    for (const [minority, majority] of partitions) {
      expect([...minority!, ...majority!].sort()).toEqual([1, 2, 3, 4, 5]);
      expect(minority!.length).toBeLessThan(majority!.length);
    }
  });

  test('at the end the network is healed and every node runs again', async () => {
    const { timeline, model } = await runNemesis(['kill', 'pause', 'partition', 'link'], 5);
    expect(timeline.at(-1)?.phase).toBe('heal');
    expect(timeline.some((r) => r.phase === 'heal' && r.action.op === 'heal')).toBe(true);
    expect(model.nodes.map((n) => n.process.state)).toEqual(['running', 'running', 'running', 'running', 'running']);
    expect(model.partition).toEqual([]);
  });

  test('with no kinds it injects nothing and only heals', async () => {
    const { timeline, injected } = await runNemesis([], 6);
    expect(timeline.map((r) => r.phase)).toEqual(['heal']);
    expect(injected).toEqual({ kill: 0, pause: 0, partition: 0, link: 0, transfer: 0, campaign: 0 });
  });

  test('a transfer hands leadership from the leader to a running follower, and a campaign starts an election; neither has an undo', async () => {
    const { timeline } = await runNemesis(['transfer', 'campaign'], 8);
    const transfers = timeline.filter((r) => r.kind === 'transfer');
    const campaigns = timeline.filter((r) => r.kind === 'campaign');
    expect(transfers.length).toBeGreaterThan(0);
    expect(campaigns.length).toBeGreaterThan(0);
    for (const r of [...transfers, ...campaigns]) expect(r.phase).toBe('inject');
    for (const r of transfers) expect((r.action as Extract<Action, { op: 'transfer' }>).node).not.toBe(1);
  });

  test('counts, by kind, the episodes tried and those the cluster carried out', async () => {
    const { nemesis } = await runNemesis(['kill', 'pause', 'partition', 'link'], 9);
    const tally = nemesis.tally();
    for (const kind of ['kill', 'pause', 'partition', 'link'] as const) {
      expect(tally[kind].tried).toBeGreaterThan(0);
      expect(tally[kind].hit).toBeLessThanOrEqual(tally[kind].tried);
      expect(nemesis.injected()[kind]).toBe(tally[kind].hit);
    }
    expect(tally.transfer).toEqual({ tried: 0, hit: 0 });
  });

  test('a kind the engine cannot do is tried once, then skipped with its reason while the others go on', async () => {
    const { timeline, nemesis } = await runNemesis(['kill', 'campaign', 'partition'], 10, ['campaign']);
    expect(timeline.filter((r) => r.kind === 'campaign')).toHaveLength(1);
    expect(nemesis.skipped()).toEqual([{ kind: 'campaign', reason: 'this engine cannot campaign' }]);
    expect(nemesis.tally().campaign).toEqual({ tried: 1, hit: 0 });
    expect(nemesis.tally().kill.hit).toBeGreaterThan(1);
    expect(nemesis.tally().partition.hit).toBeGreaterThan(1);
  });

  describe('aimed episodes', () => {
    /** An episode that pauses n2 and partitions it off, waits, and leaves both for the nemesis to mend; or throws. */
    const episode = (name: string, fails = false): AimedEpisode => ({
      bug: 'vote-not-persisted',
      name,
      describe: `the ${name} schedule`,
      unfit: () => null,
      async run(ctx) {
        await ctx.act({ op: 'pause', nodes: [2] });
        await ctx.wait(ctx.electionMs);
        await ctx.act({ op: 'partition', groups: [[2], [1, 3, 4, 5]] });
        if (fails) throw new Error('no leader to start from');
      },
    });

    test('one comes first and after each random episode, in turn, its actions in the timeline under its name', async () => {
      const { timeline, nemesis } = await runNemesis(['kill', 'campaign'], 11, [], [episode('one'), episode('two')]);
      const order = [...new Map(timeline.filter((r) => r.episode > 0).map((r) => [r.episode, r.aimed ?? r.kind])).values()];
      expect(order.length).toBeGreaterThanOrEqual(6);
      // aimed, random, aimed, random...: the aimed ones take turns.
      order.forEach((what, i) => {
        if (i % 2 === 0) expect(what).toBe(i % 4 === 0 ? 'one' : 'two');
        else expect(['kill', 'campaign']).toContain(what);
      });
      const runs = nemesis.aimedRuns();
      expect(runs.map((r) => [r.name, r.bug, r.describe])).toEqual([
        ['one', 'vote-not-persisted', 'the one schedule'],
        ['two', 'vote-not-persisted', 'the two schedule'],
      ]);
      expect(runs[0]!.runs).toBe(order.filter((w) => w === 'one').length);
      expect(runs[1]!.runs).toBe(order.filter((w) => w === 'two').length);
      // They are not random kinds: the tally by kind leaves them out.
      expect(Object.values(nemesis.tally()).reduce((n, t) => n + t.tried, 0)).toBe(order.length - runs[0]!.runs - runs[1]!.runs);
    });

    test('whatever an episode leaves is mended before the next episode', async () => {
      const { timeline, model } = await runNemesis(['campaign'], 12, [], [episode('one')]);
      const first = timeline.filter((r) => r.aimed === 'one' && r.episode === 1);
      expect(first.map((r) => [r.phase, r.action.op])).toEqual([
        ['inject', 'pause'],
        ['inject', 'partition'],
        ['undo', 'heal'],
        ['undo', 'resume'],
      ]);
      expect(model.partition).toEqual([]);
      expect(model.nodes.every((n) => n.process.state === 'running')).toBe(true);
    });

    test('an episode that throws is counted with its reason, mended, and the run goes on', async () => {
      const { timeline, nemesis } = await runNemesis(['campaign'], 13, [], [episode('broken', true)]);
      const [tally] = nemesis.aimedRuns();
      expect(tally!.runs).toBeGreaterThan(1);
      expect(tally!.failed).toBe(tally!.runs);
      expect(tally!.errors[0]).toBe('no leader to start from');
      expect(nemesis.tally().campaign.hit).toBeGreaterThan(1);
      expect(timeline.filter((r) => r.aimed === 'broken' && r.phase === 'undo' && r.action.op === 'resume')).toHaveLength(tally!.runs);
    });

    test('with no kinds, no aimed episode runs either: --nemesis none means no faults', async () => {
      const { timeline, nemesis } = await runNemesis([], 14, [], [episode('one')]);
      expect(timeline.map((r) => r.phase)).toEqual(['heal']);
      expect(nemesis.aimedRuns()[0]!.runs).toBe(0);
    });
  });
});
