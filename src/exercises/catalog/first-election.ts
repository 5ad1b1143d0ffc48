// Exercise 1: the first election of a new cluster (section 5.2). The nodes are held frozen until
// the learner is ready, so that the election happens while they watch. etcd holds its very first
// election while its members start (a member serves nothing, its status included, before it has a
// leader), so on etcd the exercise stops every member and the learner starts them all again: a
// cluster with no leader elects one, with no timer bars to watch (a candidacy is the first sign).
import { highestTerm, members, pausedNodes, settledLeader, type ClusterEvent, type ClusterModel } from '../../cluster-model/index.js';
import type { NodeId } from '../../raft/types.js';
import { EVERY_NODE_FOLLOWS, majorityRunning, networkWhole } from '../needs.js';
import { becameRole, electionsStarted, isDown, leaderSeenAbove } from '../observe.js';
import type { Exercise, Step, StepContext, Trigger } from '../types.js';

/**
 * The events an election step counts: all of them on raft-console, whose nodes may have begun
 * before the freeze; on etcd, where the members were stopped after an election of their own, those
 * since they started again (the step `start` remembers `before` there).
 */
function watched(ctx: StepContext): readonly ClusterEvent[] {
  return ctx.facts.before === undefined ? ctx.events : ctx.after('start');
}

/** etcd: the members the exercise stopped (or a learner since), to start again. */
function stoppedMembers(model: ClusterModel): NodeId[] {
  return members(model).flatMap((n) => (n.process.state === 'stopped' ? [n.id] : []));
}

/** etcd: every member was stopped, and now one starts again; remembers the term they stopped in (`before`). */
const restartStep: Step = {
  id: 'start',
  text: {
    en: 'etcd holds its first election while its members start, before anything can be watched: the exercise has stopped every member, which keep their data and their term. Make your prediction, then press X to start them all again, with no leader.',
    zh: 'etcd 在成员启动时就完成了第一次选举，来不及观察：练习已经停止了所有成员，它们保留自己的数据和任期。做出你的预测，然后按 X 把它们全部重新启动，此时没有领导者。',
  },
  hint: {
    en: 'The process column says stopped: a stopped member does nothing. X starts them all at once.',
    zh: '进程列显示“已停止”：停止的成员什么都不做。按 X 把它们同时启动。',
  },
  command: 'restart 1 2 3 4 5',
  check: ({ events, model }) =>
    events.some((e) => e.kind === 'supervisor' && e.type === 'stop' && e.data?.ok === true) && members(model).some((n) => !isDown(n))
      ? { before: highestTerm(model) }
      : false,
};

const restartTrigger: Trigger = {
  steps: ['start'],
  label: ({ model }) =>
    stoppedMembers(model).length === 0
      ? null
      : { en: 'start every member again: with no leader, they elect one', zh: '重新启动所有成员：没有领导者，它们要选出一个' },
  async run(hands) {
    const nodes = stoppedMembers(hands.model);
    await hands.act({ op: 'restart', nodes });
    return {
      en: `started n${nodes.join(', n')} again: they elected a leader`,
      zh: `重新启动了 n${nodes.join('、n')}：它们选出了领导者`,
    };
  },
};

/** The steps on raft-console; on etcd the first is restartStep. */
const firstElectionSteps: readonly Step[] = [
  {
    id: 'start',
    text: {
      en: 'All nodes are followers in term 0, with no leader. The exercise holds them frozen: make your prediction, then press X to let their clocks run.',
      zh: '所有节点都是任期 0 的跟随者，没有领导者。练习先把它们冻结：做出你的预测，然后按 X 让它们的时钟走起来。',
    },
    hint: {
      en: 'The process column says paused: a paused node does nothing, its election timer included. X resumes them all.',
      zh: '进程列显示“已暂停”：暂停的节点什么都不做，选举计时器也停着。按 X 让它们全部恢复。',
    },
    command: 'resume 1 2 3 4 5',
    // Or an election already: one that began before the nodes could be frozen.
    check: ({ events, model }) =>
      events.some((e) => e.kind === 'supervisor' && e.type === 'resume' && e.data?.ok === true) ||
      electionsStarted(model, events).length > 0,
  },
  {
    id: 'timeout',
    text: {
      en: 'One follower hears from no leader for its whole election timeout: its timer fires first.',
      zh: '某个跟随者在整个选举超时内没有收到领导者的消息：它的计时器最先到期。',
    },
    hint: {
      en: 'Watch the events: "heard from no leader ... and starts an election".',
      zh: '注意事件栏：“没有收到任何领导者的消息，发起选举”。',
    },
    needs: [majorityRunning({ pausedUp: true })],
    check: (ctx) => {
      const { model, facts } = ctx;
      const e = electionsStarted(model, watched(ctx))[0] ?? leaderSeenAbove(model, facts.before ?? 0);
      return e === undefined ? false : { first: 'node' in e ? e.node : e.id };
    },
  },
  {
    id: 'candidate',
    text: {
      en: 'It becomes a candidate: it raises its term to 1, votes for itself and asks the others for their votes (PreVote first asks whether they would).',
      zh: '它成为候选人：把任期加到 1，投票给自己，并向其他节点请求投票（PreVote 会先询问它们是否愿意投票）。',
    },
    hint: {
      en: 'The candidate is shown as "candidate"; the pre-vote round as "pre-cand".',
      zh: '候选人显示为“候选人”；预投票阶段显示为“预候选”。',
    },
    needs: [majorityRunning({ pausedUp: true })],
    check: (ctx) => {
      const { model, facts } = ctx;
      const e = becameRole(watched(ctx), 'candidate')[0];
      if (e !== undefined) return { candidate: e.node, candidateTerm: e.term };
      // etcd, its candidacy not seen (its log lines not read): the leader was that candidate.
      const l = leaderSeenAbove(model, facts.before ?? 0);
      return l === undefined ? false : { candidate: l.id, candidateTerm: l.raft!.term };
    },
  },
  {
    id: 'leader',
    text: { en: 'It gets votes from a majority (3 of 5) and becomes leader.', zh: '它获得多数派（5 个中的 3 个）的选票，成为领导者。' },
    hint: {
      en: 'Count the "votes for" events: a majority is enough, the rest may still be on their way.',
      zh: '数一数“投票给”事件：有多数票就够了，其余的选票可能还在路上。',
    },
    needs: [majorityRunning({ pausedUp: true })],
    check: (ctx) => {
      const { model, facts } = ctx;
      const e = becameRole(watched(ctx), 'leader')[0];
      if (e !== undefined) return { leader: e.node, term: e.term };
      const l = leaderSeenAbove(model, facts.before ?? 0);
      return l === undefined ? false : { leader: l.id, term: l.raft!.term };
    },
  },
  {
    id: 'follow',
    text: {
      en: "Every other node follows it: the leader's heartbeats reset their election timers.",
      zh: '其他所有节点都跟随它：领导者的心跳会重置它们的选举计时器。',
    },
    hint: {
      en: 'The leader column of every row shows the same node, in the same term.',
      zh: '每一行的领导者列都显示同一个节点，任期也相同。',
    },
    needs: [majorityRunning({ pausedUp: true }), networkWhole(EVERY_NODE_FOLLOWS)],
    check: ({ model, facts }) => settledLeader(model)?.id === facts.leader,
  },
];

export const firstElection: Exercise = {
  id: 'first-election',
  number: 1,
  title: { en: 'First election', zh: '第一次选举' },
  minutes: 10,
  setup: { nodes: 5, speed: 'slow' },
  goal: {
    en: 'Watch a new cluster elect its first leader: who starts the election, how votes are counted, what the term becomes.',
    zh: '观察新集群选出第一个领导者：谁发起选举，选票如何计数，任期变成多少。',
  },
  prediction: {
    question: { en: 'Which node will become leader, and in which term?', zh: '哪个节点会成为领导者？在哪个任期？' },
    answer: {
      en: 'No one can tell in advance: usually the node whose random election timer fires first. The term is 1: a candidate raises the term by one, from 0.',
      zh: '事先无法知道：通常是随机选举计时器最先到期的节点。任期是 1：候选人把任期加一，从 0 变成 1。',
    },
    revealAfter: 'leader',
  },
  steps: firstElectionSteps,
  explanation: {
    en:
      'Raft paper, section 5.2. ' +
      'Every node starts as a follower. ' +
      'One that hears from no leader for its election timeout (random, here 1.5-3 s) becomes a candidate: it raises the term, votes for itself and asks the others. ' +
      'A node gives one vote per term, first come first served, to a candidate whose log is at least as up to date as its own (5.4.1). ' +
      'A majority of votes makes a leader; its heartbeats keep the others from starting elections. ' +
      'PreVote (dissertation 9.6) first asks whether they would vote, without raising the term.',
    zh:
      'Raft 论文第 5.2 节。' +
      '每个节点都以跟随者身份启动。' +
      '在选举超时（随机，这里是 1.5-3 秒）内收不到领导者消息的节点成为候选人：它把任期加一，投票给自己，并向其他节点请求投票。' +
      '每个节点每个任期只投一票，先到先得，而且只投给日志至少和自己一样新的候选人（5.4.1 节）。' +
      '得到多数票就成为领导者；它的心跳让其他节点不再发起选举。' +
      'PreVote（博士论文 9.6 节）会先询问其他节点是否愿意投票，而不提高任期。',
  },
  // Frozen until the learner has read the goal and made a prediction: at the slow speed the first
  // election would otherwise be over within two seconds of the start.
  async prepare(hands) {
    await hands.act({ op: 'pause', nodes: members(hands.model).map((n) => n.id) });
  },
  trigger: {
    // Also later: a node whose timer fired before the pause has the first steps seen done while
    // every node is still frozen, and only X lets the election go on.
    steps: ['start', 'timeout', 'candidate', 'leader', 'follow'],
    // An election over before the freeze leaves every step done and the nodes frozen: X resumes them.
    afterDone: true,
    label: ({ model }) =>
      pausedNodes(model).length === 0
        ? null
        : { en: 'let the nodes run: their election timers start', zh: '让节点运行起来：它们的选举计时器开始计时' },
    async run(hands) {
      const nodes = pausedNodes(hands.model);
      await hands.act({ op: 'resume', nodes });
      return {
        en: `resumed n${nodes.join(', n')}: their election timers run`,
        zh: `恢复了 n${nodes.join('、n')}：它们的选举计时器开始计时`,
      };
    },
  },
  async solution(d) {
    await d.trigger();
    await d.step('follow');
  },
  etcd: {
    runs: true,
    differs: {
      goal: {
        en: 'Watch a cluster with no leader elect one: who starts the election, how votes are counted, what the term becomes.',
        zh: '观察一个没有领导者的集群选出领导者：谁发起选举，选票如何计数，任期变成多少。',
      },
      prediction: {
        question: {
          en: 'The members start again, all followers, with no leader. Which one will become leader, and in which term?',
          zh: '成员们重新启动，全都是跟随者，没有领导者。哪个会成为领导者？在哪个任期？',
        },
        answer: {
          en: 'No one can tell in advance: usually the member whose random election timer fires first. The term is one more than the term they stopped in (the term column before X): a candidate raises the term by one.',
          zh: '事先无法知道：通常是随机选举计时器最先到期的成员。任期比它们停止时的任期（按 X 之前的任期列）多一：候选人把任期加一。',
        },
        revealAfter: 'leader',
      },
      // Without the needs: the set-up key starts the stopped members one after another, and the
      // election steps are current while some still show stopped, which is no fault of the learner's.
      steps: [restartStep, ...firstElectionSteps.slice(1).map(({ needs: _needs, ...step }) => step)],
      stepTexts: {
        timeout: {
          hint: {
            en: 'etcd does not show its timers: the first sign is in the events, a member that starts an election.',
            zh: 'etcd 不公开它的计时器：第一个迹象在事件栏中，即某个成员发起选举。',
          },
        },
        candidate: {
          text: {
            en: 'It becomes a candidate: it raises its term by one, votes for itself and asks the others for their votes (with PreVote it first asks whether they would).',
            zh: '它成为候选人：把任期加一，投票给自己，并向其他成员请求投票（启用 PreVote 时会先询问它们是否愿意投票）。',
          },
        },
      },
      // etcd's members serve nothing, their status included, before they have a leader: stopped,
      // they can hold an election again, from their first line of log on.
      async prepare(hands) {
        await hands.act({ op: 'stop', nodes: members(hands.model).map((n) => n.id) });
      },
      trigger: restartTrigger,
      async solution(d) {
        await d.trigger();
        await d.step('follow');
      },
      explanation: {
        en:
          'Raft paper, section 5.2; etcd runs the same algorithm. ' +
          'Every member starts as a follower. ' +
          'One that hears from no leader for its election timeout (random, between one and two times the configured timeout) becomes a candidate: it raises the term, votes for itself and asks the others. ' +
          'A member gives one vote per term, first come first served, to a candidate whose log is at least as up to date as its own (5.4.1). ' +
          'A majority of votes makes a leader; its heartbeats keep the others from starting elections. ' +
          'PreVote (dissertation 9.6) first asks whether they would vote, without raising the term. ' +
          'etcd held the very first election of this cluster in the same way, as its members started: an etcd member serves nothing before it has a leader.',
        zh:
          'Raft 论文第 5.2 节；etcd 运行的是同一个算法。' +
          '每个成员都以跟随者身份启动。' +
          '在选举超时（随机，介于配置超时的一倍和两倍之间）内收不到领导者消息的成员成为候选人：它把任期加一，投票给自己，并向其他成员请求投票。' +
          '每个成员每个任期只投一票，先到先得，而且只投给日志至少和自己一样新的候选人（5.4.1 节）。' +
          '得到多数票就成为领导者；它的心跳让其他成员不再发起选举。' +
          'PreVote（博士论文 9.6 节）会先询问其他成员是否愿意投票，而不提高任期。' +
          '这个集群的第一次选举也是这样进行的，就在成员启动的时候：etcd 成员在有领导者之前什么都不提供。',
      },
    },
  },
};
