// Exercise 1: the first election of a new cluster (section 5.2). The nodes are held frozen until
// the learner is ready, so that the election happens while they watch. On etcd the same, with the
// terms etcd uses (its members start in term 1) and no timer bars: a candidacy is the first sign.
import { members, pausedNodes, settledLeader } from '../../cluster-model/index.js';
import { becameRole, electionsStarted, leaderSeenAbove } from '../observe.js';
import type { Exercise } from '../types.js';

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
  steps: [
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
      check: ({ events, model }) => {
        const e = electionsStarted(model, events)[0] ?? leaderSeenAbove(model, 0);
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
      check: ({ events, model }) => {
        const e = becameRole(events, 'candidate')[0];
        if (e !== undefined) return { candidate: e.node, candidateTerm: e.term };
        // etcd, its candidacy not seen (its log lines not read): the leader was that candidate.
        const l = leaderSeenAbove(model, 0);
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
      check: ({ events, model }) => {
        const e = becameRole(events, 'leader')[0];
        if (e !== undefined) return { leader: e.node, term: e.term };
        const l = leaderSeenAbove(model, 0);
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
      check: ({ model, facts }) => settledLeader(model)?.id === facts.leader,
    },
  ],
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
      prediction: {
        question: { en: 'Which member will become leader, and in which term?', zh: '哪个成员会成为领导者？在哪个任期？' },
        answer: {
          en: 'No one can tell in advance: usually the member whose random election timer fires first. The term is 2: etcd starts its members in term 1, where it writes their first configuration, and a candidate raises the term by one.',
          zh: '事先无法知道：通常是随机选举计时器最先到期的成员。任期是 2：etcd 的成员从任期 1 开始（第一份配置就写在任期 1），候选人把任期加一。',
        },
        revealAfter: 'leader',
      },
      stepTexts: {
        start: {
          text: {
            en: 'All members are followers in term 1, with no leader. The exercise holds them frozen: make your prediction, then press X to let their clocks run.',
            zh: '所有成员都是任期 1 的跟随者，没有领导者。练习先把它们冻结：做出你的预测，然后按 X 让它们的时钟走起来。',
          },
        },
        timeout: {
          hint: {
            en: 'etcd does not show its timers: the first sign is in the events, a member that starts an election.',
            zh: 'etcd 不公开它的计时器：第一个迹象在事件栏中，即某个成员发起选举。',
          },
        },
        candidate: {
          text: {
            en: 'It becomes a candidate: it raises its term to 2, votes for itself and asks the others for their votes (with PreVote it first asks whether they would).',
            zh: '它成为候选人：把任期加到 2，投票给自己，并向其他成员请求投票（启用 PreVote 时会先询问它们是否愿意投票）。',
          },
        },
      },
      explanation: {
        en:
          'Raft paper, section 5.2; etcd runs the same algorithm. ' +
          'Every member starts as a follower. ' +
          'One that hears from no leader for its election timeout (random, between one and two times the configured timeout) becomes a candidate: it raises the term, votes for itself and asks the others. ' +
          'A member gives one vote per term, first come first served, to a candidate whose log is at least as up to date as its own (5.4.1). ' +
          'A majority of votes makes a leader; its heartbeats keep the others from starting elections. ' +
          'PreVote (dissertation 9.6) first asks whether they would vote, without raising the term.',
        zh:
          'Raft 论文第 5.2 节；etcd 运行的是同一个算法。' +
          '每个成员都以跟随者身份启动。' +
          '在选举超时（随机，介于配置超时的一倍和两倍之间）内收不到领导者消息的成员成为候选人：它把任期加一，投票给自己，并向其他成员请求投票。' +
          '每个成员每个任期只投一票，先到先得，而且只投给日志至少和自己一样新的候选人（5.4.1 节）。' +
          '得到多数票就成为领导者；它的心跳让其他成员不再发起选举。' +
          'PreVote（博士论文 9.6 节）会先询问其他成员是否愿意投票，而不提高任期。',
      },
    },
  },
};
