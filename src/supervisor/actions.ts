// The actions that break and mend a running cluster: process faults, network faults, elections,
// leadership transfer and speed. Each checks its request against the model first (an error names
// the cause and the fix), acts, and returns one plain sentence of what happened. Membership
// changes are in membership.ts; `down` is the supervisor's own.
import { plural } from '../cluster-model/plural.js';
import { holdsMajority, majorityOf } from '../raft/membership.js';
import type { NodeId } from '../raft/types.js';
import type { Action } from '../cluster-model/control-protocol.js';
import { ClusterError } from '../cluster-model/errors.js';
import type { MemberSet } from './members.js';
import type { Fleet } from './fleet.js';
import { describeLink } from '../cluster-model/faults.js';
import { changeLink, completeGroups, linkOf, isolateIn, partitionLinks, type LinkChange } from './links.js';
import type { LinkFaultModel, NodeModel, SpeedPreset } from '../cluster-model/model.js';
import type { LeaderLoss, Outcome } from '../cluster-model/outcome.js';
import { describeTiming, withSpeed } from '../cluster-model/timing.js';

export interface Done {
  text: string;
  data?: Record<string, unknown>;
  /** The same as a code and its values, for a viewer that words it in another language. */
  outcome: Outcome;
}

const names = (ids: readonly NodeId[]): string => ids.map((id) => `n${id}`).join(', ');

function unique(ids: readonly NodeId[]): NodeId[] {
  const seen = new Set<NodeId>();
  for (const id of ids) {
    if (seen.has(id)) throw new ClusterError(`n${id} is listed twice`, { code: 'listed-twice', node: id });
    seen.add(id);
  }
  return [...seen];
}

/** The nodes, each checked to be a member for which `ok` holds, or an error saying what it is instead and what to run. */
function inState(
  f: MemberSet,
  ids: readonly NodeId[],
  verb: string,
  ok: (n: NodeModel) => boolean,
  fix: (n: NodeModel) => string,
): NodeModel[] {
  return unique(ids).map((id) => {
    const n = f.member(id);
    if (!ok(n))
      throw new ClusterError(`cannot ${verb} n${id}: it is ${n.process.state}; ${fix(n)}`, {
        code: 'node-state',
        node: id,
        op: verb,
        state: n.process.state,
      });
    return n;
  });
}

const restartHint = (n: NodeModel): string => `start it again with \`raft-console restart ${n.id}\``;

/** Before a promotion, on any engine: `id` is a learner, and running, as only a running node catches up. `notLearner`: why it is none, and what to run. */
export function checkPromotable(f: MemberSet, id: NodeId, notLearner: string): void {
  f.member(id);
  const { voters, learners } = f.membership();
  if (voters.includes(id))
    throw new ClusterError(`n${id} is a voter already: only a learner can be promoted (\`raft-console add --learner\` adds one)`, {
      code: 'not-a-learner',
      node: id,
      voter: true,
    });
  if (!learners.includes(id))
    throw new ClusterError(`n${id} is not a learner${notLearner}`, { code: 'not-a-learner', node: id, voter: false });
  inState(
    f,
    [id],
    'promote',
    (n) => n.process.state === 'running',
    (n) =>
      n.process.state === 'paused' ? 'resume it first' : n.process.state === 'starting' ? 'wait until it has started' : restartHint(n),
  );
}

/** Before a removal, on any engine: the member, unless it is the only voter, which a cluster cannot remove. */
export function checkRemovable(f: MemberSet, id: NodeId): NodeModel {
  const node = f.member(id);
  const { voters } = f.membership();
  if (voters.length === 1 && voters[0] === id)
    throw new ClusterError(`n${id} is the last voter: a cluster cannot remove its only voter (use \`raft-console down\`)`, {
      code: 'last-voter',
      node: id,
    });
  return node;
}

/** "3 voters now, a majority is 2": the end of a membership change's sentence. */
export function votersNow(voters: number): string {
  return `${plural(voters, 'voter')} now, a majority is ${majorityOf(voters)}`;
}

/** The leader among the nodes `ids`, if it is, and whether the voters left running can elect another. */
function leaderLoss(f: MemberSet, ids: readonly NodeId[]): LeaderLoss | null {
  const leader = f.leader();
  if (leader === null || !ids.includes(leader.id)) return null;
  const voters = f.membership().voters;
  // Section 5.2: a new leader needs the votes of a majority of the voters, so it matters how many still run.
  const left = f
    .members()
    .filter((n) => voters.includes(n.id) && !ids.includes(n.id) && n.process.state === 'running')
    .map((n) => n.id);
  const t = f.timing.electionTimeoutMs;
  return { leader: leader.id, left: left.length, voters: voters.length, elects: holdsMajority(left, voters), electionMs: { ...t } };
}

function leaderNote(loss: LeaderLoss | null): string {
  if (loss === null) return '';
  const { leader, left, voters, electionMs: t } = loss;
  if (!loss.elects)
    return `; n${leader} was the leader, and only ${left} of ${voters} voters ${left === 1 ? 'is' : 'are'} left running: no majority, so no new leader and no commit until enough come back`;
  return `; n${leader} was the leader: the ${left} voters left, a majority of ${voters}, elect a new one within ${t.min}-${t.max} ms of hearing nothing`;
}

/** Sets the faults (and the partition groups, when given) in the model, and on each node concerned. */
function applyLinks(f: MemberSet, links: LinkFaultModel[], nodes: readonly NodeId[], partition?: NodeId[][]): Promise<void> {
  return f.setFaults(links, nodes, partition);
}

/** "{1,2} | {3,4,5}; only {3,4,5} holds a majority of the voters: it can elect a leader and commit". */
function describeGroups(f: MemberSet, groups: NodeId[][]): string {
  const voters = f.membership().voters;
  const shown = groups.map((g) => `{${g.join(',')}}`);
  const able = groups.filter((g) => holdsMajority(g, voters)).map((g) => `{${g.join(',')}}`);
  const leader = f.leader();
  const leaderGroup = leader === null ? null : groups.find((g) => g.includes(leader.id));
  const minority = leaderGroup && !holdsMajority(leaderGroup, voters);
  return (
    `${shown.join(' | ')}; ` +
    (able.length === 0
      ? 'no group holds a majority of the voters: nothing can commit until you heal'
      : `only ${able[0]} holds a majority of the voters: it can elect a leader and commit`) +
    (!minority
      ? ''
      : f.live.model.switches.checkQuorum
        ? `; the leader n${leader!.id} is cut off in a minority and steps down once it misses a majority`
        : // Without CheckQuorum (dissertation 6.2) nothing tells a cut-off leader it no longer leads.
          `; the leader n${leader!.id} is cut off in a minority and, with CheckQuorum off, goes on leading it until it hears of a higher term: what it takes it cannot commit`)
  );
}

async function partition(f: MemberSet, groups: NodeId[][]): Promise<Done> {
  unique(groups.flat());
  for (const id of groups.flat()) f.member(id);
  const all = completeGroups(
    groups,
    f.members().map((n) => n.id),
  );
  if (all.length < 2)
    throw new ClusterError(
      'a partition needs two groups or more, e.g. `raft-console partition 1,2 3,4,5` (nodes not listed form one more group)',
      { code: 'one-group' },
    );
  await applyLinks(
    f,
    partitionLinks(f.live.model.links, all),
    f.members().map((n) => n.id),
    all,
  );
  const voters = f.membership().voters;
  const leader = f.leader();
  const leaderGroup = leader === null ? undefined : all.find((g) => g.includes(leader.id));
  return {
    text: `partitioned the network: ${describeGroups(f, all)}`,
    data: { groups: all },
    outcome: {
      code: 'partitioned',
      groups: all,
      majority: all.find((g) => holdsMajority(g, voters)) ?? [],
      cutLeader: leader !== null && leaderGroup !== undefined && !holdsMajority(leaderGroup, voters) ? leader.id : 0,
      checkQuorum: f.live.model.switches.checkQuorum,
    },
  };
}

async function link(f: MemberSet, a: Extract<Action, { op: 'link' }>): Promise<Done> {
  f.member(a.from);
  f.member(a.to);
  if (a.from === a.to)
    throw new ClusterError(`a link joins two different nodes, got n${a.from} twice`, { code: 'same-node', node: a.from });
  if (a.drop === undefined && a.delayMs === undefined)
    throw new ClusterError('say what to do to the link: a drop probability (1 cuts it), a delay, or both; `heal` removes every fault', {
      code: 'link-unsaid',
    });
  const change: LinkChange = {};
  // Dropping everything is a cut: the model calls it blocked, as a partition does.
  if (a.drop !== undefined) Object.assign(change, a.drop === 1 ? { blocked: true, loss: 0 } : { blocked: false, loss: a.drop });
  if (a.delayMs !== undefined) change.delayMs = a.delayMs;
  let links = changeLink(f.live.model.links, a.from, a.to, change);
  if (a.oneWay !== true) links = changeLink(links, a.to, a.from, change);
  await applyLinks(f, links, [a.from, a.to]);
  const ends = a.oneWay === true ? [[a.from, a.to] as const] : [[a.from, a.to] as const, [a.to, a.from] as const];
  const shown = ends.map(([from, to]) => linkOf(links, from, to));
  return {
    text: `link ${shown.map((l) => describeLink(l)).join('; ')}${a.oneWay === true ? ' (one way)' : ''}`,
    data: { links: shown },
    outcome: { code: 'link', links: shown, oneWay: a.oneWay === true },
  };
}

async function transfer(f: MemberSet, to: NodeId): Promise<Done> {
  const target = f.member(to);
  if (target.process.state !== 'running')
    throw new ClusterError(`cannot hand leadership to n${to}: it is ${target.process.state}; ${restartHint(target)} or resume it first`, {
      code: 'node-state',
      node: to,
      op: 'transfer',
      state: target.process.state,
    });
  const leader = await f.awaitLeader();
  if (leader.id === to)
    throw new ClusterError(`n${to} is already the leader (term ${leader.raft!.term})`, {
      code: 'already-leader',
      node: to,
      term: leader.raft!.term,
    });
  await f.handOver(leader, to);
  const took = await f.live.until(() => f.leader()?.id === to, f.electionWaitMs());
  if (!took)
    return {
      text: `n${leader.id} is handing leadership to n${to}, which has not taken over yet (the leader gives up after an election timeout)`,
      outcome: { code: 'transferring', from: leader.id, to },
    };
  const term = f.leader()!.raft!.term;
  return {
    text: `n${leader.id} handed leadership to n${to}: n${to} leads term ${term}`,
    data: { from: leader.id, to },
    outcome: { code: 'transferred', from: leader.id, to, term },
  };
}

/** An action every engine does alike, through what its MemberSet does. */
export type CommonAction = Exclude<Action, { op: 'add' | 'promote' | 'remove' | 'down' | 'replace' | 'campaign' | 'speed' }>;

export async function perform(f: MemberSet, a: CommonAction): Promise<Done> {
  const live = (n: NodeModel): boolean => f.isLive(n);
  switch (a.op) {
    case 'kill': {
      const nodes = inState(f, a.nodes, 'kill', live, restartHint);
      const leader = leaderLoss(f, a.nodes);
      await Promise.all(nodes.map((n) => f.kill(n.id)));
      const one = nodes.length === 1;
      return {
        text: `killed ${names(a.nodes)} (SIGKILL): a crash; ${one ? 'its disk keeps' : 'their disks keep'} what ${one ? 'it' : 'they'} acknowledged${leaderNote(leader)}`,
        outcome: { code: 'killed', nodes: a.nodes, leader },
      };
    }
    case 'stop': {
      const nodes = inState(f, a.nodes, 'stop', live, restartHint);
      const leader = leaderLoss(f, a.nodes);
      await Promise.all(nodes.map((n) => f.stop(n.id)));
      return {
        text: `stopped ${names(a.nodes)} (SIGTERM): finished ${nodes.length === 1 ? 'its' : 'their'} writes and closed cleanly${leaderNote(leader)}`,
        outcome: { code: 'stopped', nodes: a.nodes, leader },
      };
    }
    case 'restart': {
      const nodes = inState(
        f,
        a.nodes,
        'restart',
        (n) => n.process.state !== 'starting',
        () => 'wait until it has started',
      );
      const wasLive = nodes.filter(live).map((n) => n.id);
      await Promise.all(wasLive.map((id) => f.stop(id)));
      const results = await Promise.allSettled(
        nodes.map((n) => {
          f.live.restarting(n.id);
          return f.start(n.id);
        }),
      );
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      if (failed.length > 0) throw new ClusterError(failed.join('; '));
      return {
        text: `restarted ${names(a.nodes)}${wasLive.length > 0 ? ` (after stopping ${names(wasLive)})` : ''} with the same id and data: ${nodes.length === 1 ? 'it replays its log and catches' : 'they replay their logs and catch'} up from the leader`,
        outcome: { code: 'restarted', nodes: a.nodes, stoppedFirst: wasLive },
      };
    }
    case 'pause': {
      const nodes = inState(
        f,
        a.nodes,
        'pause',
        (n) => n.process.state === 'running',
        (n) => (n.process.state === 'paused' ? 'resume it first' : restartHint(n)),
      );
      const leader = leaderLoss(f, a.nodes);
      for (const n of nodes) f.pause(n.id);
      return {
        text: `paused ${names(a.nodes)} (SIGSTOP): frozen, as in a long garbage-collection pause; ${nodes.length === 1 ? 'it answers' : 'they answer'} nothing until resumed${leaderNote(leader)}`,
        outcome: { code: 'paused', nodes: a.nodes, leader },
      };
    }
    case 'resume': {
      const nodes = inState(
        f,
        a.nodes,
        'resume',
        (n) => n.process.state === 'paused',
        (n) => (n.process.state === 'running' ? 'it is not paused' : restartHint(n)),
      );
      for (const n of nodes) f.resume(n.id);
      return {
        text: `resumed ${names(a.nodes)} (SIGCONT): ${nodes.length === 1 ? 'it carries on unaware of the time that passed, and learns' : 'they carry on unaware of the time that passed, and learn'} the current term from the first message`,
        outcome: { code: 'resumed', nodes: a.nodes },
      };
    }
    case 'partition':
      return partition(f, a.groups);
    case 'isolate':
      f.member(a.node);
      if (f.members().length < 2)
        throw new ClusterError(`n${a.node} is the only node: there is no one to isolate it from`, { code: 'only-node', node: a.node });
      return partition(f, isolateIn(f.live.model.partition, a.node));
    case 'link':
      return link(f, a);
    case 'heal': {
      const had = f.live.model.links.length;
      await f.heal();
      return {
        text:
          had === 0
            ? 'the network had no faults: nothing to heal'
            : `healed the network: every link delivers again (${plural(had, 'faulty link')} mended)`,
        outcome: { code: 'healed', mended: had },
      };
    }
    case 'transfer':
      return transfer(f, a.node);
  }
}

/** raft-console's nodes start an election when told (etcd has no such API). */
export async function campaign(f: Fleet, node: NodeId): Promise<Done> {
  const n = f.member(node);
  if (n.process.state !== 'running')
    throw new ClusterError(`n${node} cannot start an election: it is ${n.process.state}; ${restartHint(n)} or resume it first`, {
      code: 'node-state',
      node,
      op: 'campaign',
      state: n.process.state,
    });
  const answer = await f.tell(node, { op: 'campaign' });
  if (answer !== null && !answer.ok) throw new ClusterError(answer.text);
  return { text: `n${node} starts an election now, as if its election timer had fired`, outcome: { code: 'campaign', node } };
}

/** raft-console's nodes change the length of a tick while they run (etcd's members cannot). */
export async function speed(f: Fleet, preset: SpeedPreset): Promise<Done> {
  const timing = withSpeed(f.live.model.timing, preset);
  await f.live.timingChanged(timing);
  await Promise.all(f.members().map((n) => f.tell(n.id, { op: 'tick', ms: timing.tickMs })));
  return { text: `speed ${preset}: ${describeTiming(timing)}`, data: { timing }, outcome: { code: 'speed', timing } };
}
