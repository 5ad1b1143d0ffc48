// Exercise 10: why the election restriction exists. The core runs with a known bug, votes granted
// without the log check of section 5.4.1; a node that missed a committed entry is elected and sends
// its own entry at that index. The follower that committed the entry refuses to replace it (it
// never acknowledges what it does not hold), nothing new commits, and the safety badge catches the
// leader without the committed entry (Leader Completeness).
import { groupOf, isolatedNodes, voters, type ClusterModel } from '../../cluster-model/index.js';
import { allUp, stillLeads, staysIsolated } from '../needs.js';
import { becameRole, raftOf } from '../observe.js';
import type { Exercise, Facts, Need, Texts } from '../types.js';
import { isolateStep, leaderStep } from './common.js';

/** The leader to cut off, the stale node and the follower it asks; null unless the stale node is still cut off alone. */
function cast(model: ClusterModel, facts: Readonly<Facts>): { leader: number; stale: number; follower: number } | null {
  const stale = facts.isolated!;
  const follower = voters(model).find((id) => id !== stale && id !== facts.leader);
  if (follower === undefined || !isolatedNodes(model).includes(stale)) return null;
  return { leader: facts.leader!, stale, follower };
}

const STALE: Texts = { en: 'the node that must miss the entry', zh: '必须错过该条目的节点' };

/** The leader the trigger cuts off: a stopped leader is not made leader again by a restart, so the set-up starts over. */
const leaderLeads: Need = stillLeads(
  'leader',
  { en: 'the leader', zh: '领导者' },
  { en: 'the stale node is to be elected while it is cut off from it.', zh: '落后的节点要在与它隔开时当选。' },
  'leader',
);

/** The stale node stays apart from the leader: alone before the trigger, with the other follower after it. */
const staleApart: Need = {
  ...staysIsolated('isolated', STALE, {
    en: 'it would receive the committed entry, and the exercise needs a node without it.',
    zh: '它会收到已提交的条目，而练习需要一个没有它的节点。',
  }),
  holds: ({ model, facts }) => model.partition.length > 0 && !groupOf(model, facts.isolated!).includes(facts.leader!),
};

export const whyTheRules: Exercise = {
  id: 'why-the-rules',
  number: 10,
  title: { en: 'Why the rules exist: a vote without the log check', zh: '规则为何存在：不检查日志的投票' },
  minutes: 20,
  // The bug, and no PreVote and no CheckQuorum: the follower answers a vote request with a higher
  // term at once, although it heard from its leader a moment ago.
  setup: { nodes: 3, speed: 'slow', raft: { preVote: false, checkQuorum: false, bugs: ['vote-without-log-check'] } },
  goal: {
    en: 'Run a cluster whose nodes vote without comparing logs, elect a node that missed a committed entry, and watch the safety badge catch it.',
    zh: '运行一个投票时不比较日志的集群，选出一个错过了已提交条目的节点，看安全标志如何发现问题。',
  },
  prediction: {
    question: {
      en: 'The stale node, missing a committed entry, asks the up-to-date follower for its vote. Should it get it?',
      zh: '缺少一个已提交条目的落后节点，向日志最新的跟随者请求投票。它应该得到这一票吗？',
    },
    answer: {
      en: 'No. A correct follower refuses a candidate whose log is less up to date than its own (5.4.1). With the bug it votes yes, and the cluster gets a leader that lacks a committed entry.',
      zh: '不应该。正确的跟随者会拒绝日志不如自己新的候选人（5.4.1 节）。有这个缺陷时它投了赞成票，集群于是有了一个缺少已提交条目的领导者。',
    },
    revealAfter: 'stale-leader',
  },
  steps: [
    leaderStep,
    isolateStep('isolate', 'leader'),
    {
      id: 'commit',
      text: {
        en: 'Submit an entry: it commits on the leader and the other follower (2 of 3). The isolated node does not have it.',
        zh: '提交一个条目：它在领导者和另一个跟随者上提交（3 个中的 2 个）。被隔离的节点没有它。',
      },
      hint: { en: 'Press n and type a word.', zh: '按 n 并输入一个词。' },
      command: 'submit <text>',
      needs: [staleApart, leaderLeads],
      check: ({ model, facts }) => {
        const commit = raftOf(model, facts.leader)?.commit ?? 0;
        return commit > facts.isolatedLast! ? { committed: commit } : false;
      },
    },
    {
      id: 'stale-leader',
      text: {
        en: 'Press X: the leader is cut off, and the stale node asks the other follower for its vote at once. With the bug, it wins.',
        zh: '按 X：领导者被隔离，落后的节点立即向另一个跟随者请求投票。有这个缺陷时，它赢了。',
      },
      hint: {
        en: 'Watch the vote: "votes for" although the candidate\'s log is shorter. Without the bug the answer would be "its own log is more up to date".',
        zh: '注意这次投票：尽管候选人的日志更短，还是“投票给”。没有这个缺陷时，回答会是“它自己的日志更新”。',
      },
      needs: [staleApart, leaderLeads, allUp({ en: 'all three nodes take part in what follows.', zh: '接下来三个节点都要参与。' })],
      check: ({ since, facts }) => becameRole(since, 'leader').some((e) => e.node === facts.isolated),
    },
    {
      id: 'caught',
      text: {
        en: 'The new leader sends its own entry at the index of the committed one: the follower refuses to replace its committed entry, the new leader cannot commit, and the safety badge turns red (Leader Completeness).',
        zh: '新领导者在已提交条目的索引处发送了自己的条目：跟随者拒绝替换自己已提交的条目，新领导者无法提交，安全标志变红（领导者完整性）。',
      },
      hint: {
        en: 'Look at the events: "refuses entry … its own entry … is committed". The header\'s safety badge names the property, the index and the nodes; the log grid shows two different terms at that index.',
        zh: '看事件栏：“拒绝领导者 … 发来的 … 条目 … 已提交”。标题栏的安全标志会指出被破坏的性质、索引和相关节点；日志网格在该索引处显示两个不同的任期。',
      },
      check: ({ model }) => !model.safety.ok,
    },
  ],
  trigger: {
    steps: ['stale-leader'],
    label: ({ model, facts }) => {
      const c = cast(model, facts);
      return c === null
        ? null
        : {
            en: `cut the leader n${c.leader} off; n${c.stale}, which lacks entry ${facts.committed}, asks n${c.follower} for its vote`,
            zh: `隔离领导者 n${c.leader}；缺少条目 ${facts.committed} 的 n${c.stale} 向 n${c.follower} 请求投票`,
          };
    },
    async run(hands, { model, facts }) {
      const c = cast(model, facts);
      if (c === null) throw new Error('the stale node must still be cut off alone: isolate a follower first');
      // The follower heard from its leader a moment ago, so its own timer is far from firing: the
      // stale node's request is the only one. A new partition, not an isolate: isolates compose,
      // and the stale node must be back with the follower when the leader is cut off.
      await hands.act({ op: 'partition', groups: [[c.leader], [c.stale, c.follower]] });
      await hands.act({ op: 'campaign', node: c.stale });
      return {
        en: `cut n${c.leader} off; n${c.stale} asked n${c.follower} for its vote`,
        zh: `隔离了 n${c.leader}；n${c.stale} 向 n${c.follower} 请求了投票`,
      };
    },
  },
  explanation: {
    en:
      'Raft paper, section 5.4.1, the election restriction: vote only for a candidate whose log is at least as up to date as yours. ' +
      'A committed entry is on a majority and a leader needs a majority of votes, so with the check every leader holds every committed entry (Leader Completeness). ' +
      'Here the check is off: a node that missed a committed entry was elected, and it sent its own entry at that index. ' +
      'The follower that had committed the entry refused to replace it: it had applied it, and a follower acknowledges only entries it holds. So the new leader cannot commit anything, and the cluster is stuck until an operator steps in. ' +
      'Had the follower not yet learned that the entry was committed, it would have replaced it, and two different entries would be committed at one index (State Machine Safety). ' +
      'The other known bug, commit-previous-term, breaks the rule of 5.4.2 (Figure 8).',
    zh:
      'Raft 论文第 5.4.1 节，选举限制：只投票给日志至少和自己一样新的候选人。' +
      '已提交的条目在多数派上，领导者需要多数派的选票，所以有了这个检查，每个领导者都拥有所有已提交的条目（领导者完整性）。' +
      '这里关闭了检查：一个错过已提交条目的节点当选，并在该索引处发送了自己的条目。' +
      '已提交该条目的跟随者拒绝替换它：它已经应用了这个条目，而跟随者只确认自己真正拥有的条目。于是新领导者什么也提交不了，集群卡住，直到有人介入。' +
      '如果跟随者当时还不知道该条目已提交，它就会替换掉它，同一索引上便会提交两个不同的条目（状态机安全性）。' +
      '另一个已知缺陷 commit-previous-term 破坏的是 5.4.2 节的规则（图 8）。',
  },
  async solution(d) {
    await d.step('leader');
    const follower = voters(d.model).find((id) => id !== d.facts.leader)!;
    await d.act({ op: 'isolate', node: follower });
    await d.step('isolate');
    await d.submit('committed', { via: d.facts.leader! });
    await d.step('commit');
    await d.trigger();
    await d.step('caught');
  },
  etcd: {
    runs: false,
    why: {
      en: "it switches off a rule in raft-console's core (the log check of a vote), and etcd has no such switch",
      zh: '它关闭了 raft-console 核心中的一条规则（投票时的日志检查），而 etcd 没有这样的开关',
    },
  },
};
