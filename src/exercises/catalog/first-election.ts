// Exercise 1: the first election of a new cluster (section 5.2).
import { becameRole, members, raftEvents, settledLeader } from '../observe.js';
import type { Exercise } from '../types.js';

export const firstElection: Exercise = {
  id: 'first-election',
  number: 1,
  title: { en: 'First election', zh: '第一次选举' },
  minutes: 10,
  setup: { nodes: 5, speed: 'slow' },
  goal: {
    en: 'Watch a new cluster elect its first leader: who starts the election, how votes are counted, what the term becomes.',
    zh: '观察新集群选出第一个领导者:谁发起选举,选票如何计数,任期变成多少。',
  },
  prediction: {
    question: { en: 'Which node will become leader, and in which term?', zh: '哪个节点会成为领导者?在哪个任期?' },
    answer: {
      en: 'No one can tell in advance: usually the node whose random election timer fires first. The term is 1: a candidate raises the term by one, from 0.',
      zh: '事先无法知道:通常是随机选举计时器最先到期的节点。任期是 1:候选人把任期加一,从 0 变成 1。',
    },
    revealAfter: 'leader',
  },
  steps: [
    {
      id: 'start',
      text: { en: 'All nodes start as followers in term 0, with no leader.', zh: '所有节点都以跟随者身份启动,任期为 0,没有领导者。' },
      hint: { en: 'Look at the role and term columns: everyone is a follower in term 0.', zh: '看角色和任期两列:所有节点都是任期 0 的跟随者。' },
      check: ({ model }) => members(model).every((n) => n.process.state === 'running'),
    },
    {
      id: 'timeout',
      text: { en: 'One follower hears from no leader for its whole election timeout: its timer fires first.', zh: '某个跟随者在整个选举超时内没有收到领导者的消息:它的计时器最先到期。' },
      hint: { en: 'Watch the events: "heard from no leader ... and starts an election".', zh: '注意事件栏:"heard from no leader ... and starts an election"。' },
      check: ({ since }) => {
        const e = raftEvents(since, 'election-timeout')[0];
        return e === undefined ? false : { first: e.node };
      },
    },
    {
      id: 'candidate',
      text: {
        en: 'It becomes a candidate: it raises its term to 1, votes for itself and asks the others for their votes (PreVote first asks whether they would).',
        zh: '它成为候选人:把任期加到 1,投票给自己,并向其他节点请求投票(PreVote 会先询问它们是否愿意投票)。',
      },
      hint: { en: 'The candidate is shown as "candidate"; the pre-vote round as "pre-cand".', zh: '候选人显示为"候选人";预投票阶段显示为"预候选"。' },
      check: ({ since }) => {
        const e = becameRole(since, 'candidate')[0];
        return e === undefined ? false : { candidate: e.node, candidateTerm: e.term };
      },
    },
    {
      id: 'leader',
      text: { en: 'It gets votes from a majority (3 of 5) and becomes leader.', zh: '它获得多数派(5 个中的 3 个)的选票,成为领导者。' },
      hint: { en: 'Count the "votes for" events: a majority is enough, the rest may still be on their way.', zh: '数一数 "votes for" 事件:有多数票就够了,其余的选票可能还在路上。' },
      check: ({ since }) => {
        const e = becameRole(since, 'leader')[0];
        return e === undefined ? false : { leader: e.node, term: e.term };
      },
    },
    {
      id: 'follow',
      text: {
        en: 'Every other node follows it: the leader\'s heartbeats reset their election timers.',
        zh: '其他所有节点都跟随它:领导者的心跳会重置它们的选举计时器。',
      },
      hint: { en: 'The leader column of every row shows the same node, in the same term.', zh: '每一行的领导者列都显示同一个节点,任期也相同。' },
      check: ({ model, facts }) => settledLeader(model)?.id === facts.leader,
    },
  ],
  explanation: {
    en:
      'Section 5.2 of the Raft paper. Every node starts as a follower. A follower that hears nothing from a leader for its election timeout (random, here 1.5-3 s) starts an election. ' +
      'With PreVote (dissertation 9.6) it first asks, as a pre-candidate, whether a majority would vote for it, without changing its term. ' +
      'As a candidate it raises its term (0 to 1), votes for itself and sends RequestVote to every node. Each node gives at most one vote per term, to the first candidate whose log is at least as up to date as its own (5.4.1). ' +
      'Votes from a majority make it leader; its heartbeats (empty AppendEntries) reset the others\' timers, so no one else starts an election. ' +
      'Because each timeout is drawn at random, one node usually times out well before the others and wins alone.',
    zh:
      'Raft 论文第 5.2 节。每个节点都以跟随者身份启动。跟随者在选举超时(随机,这里是 1.5-3 秒)内没有收到领导者的任何消息,就发起选举。' +
      '启用 PreVote(博士论文 9.6 节)时,它先作为预候选人询问多数派是否愿意投票给它,此时不改变任期。' +
      '成为候选人后,它把任期加一(0 变 1),投票给自己,并向每个节点发送 RequestVote。每个节点每个任期最多投一票,投给第一个日志至少和自己一样新的候选人(5.4.1 节)。' +
      '获得多数票就成为领导者;它的心跳(空的 AppendEntries)会重置其他节点的计时器,于是没有别的节点发起选举。' +
      '由于每次超时都是随机抽取的,通常会有一个节点远早于其他节点超时,独自赢得选举。',
  },
  async solution(d) {
    // Nothing to do but watch.
    await d.step('follow');
  },
};
