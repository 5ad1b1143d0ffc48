// Exercise 7: three of five nodes stop. Nothing can commit, so nothing wrong is committed; when a
// third node returns, the cluster carries on with every committed entry intact (sections 5.3, 5.4).
// etcd always runs CheckQuorum: there the leader steps down once the majority is gone, and the
// exercise shows a cluster with no leader instead of an entry waiting in the leader's log (which
// etcd, not reporting its log, could not show either).
import { leaderOf, voters, type ClusterModel } from '../../cluster-model/index.js';
import { majorityOf } from '../../raft/membership.js';
import { majorityRunning, stillLeads } from '../needs.js';
import { isDown, isRunning, node, raftEvents, raftOf } from '../observe.js';
import type { Driver, Exercise, Facts, Need, Step, Texts } from '../types.js';
import { leaderStep } from './common.js';

/** Fewer than a majority of the voters run, at least three are down, and the leader is one of those running. */
function threeStopped(model: ClusterModel, facts: Readonly<Facts>): boolean {
  const v = voters(model);
  const running = v.filter((id) => isRunning(node(model, id)));
  return running.length < majorityOf(v.length) && v.filter((id) => isDown(node(model, id))).length >= 3 && running.includes(facts.leader!);
}

const THE_LEADER: Texts = { en: 'the leader', zh: '领导者' };

/** The leader this exercise watches: a stopped leader is not made leader again by a restart, so the set-up starts over from the leader step. */
const leaderLeads = (why: Texts): Need => stillLeads('leader', THE_LEADER, why, 'leader');

/**
 * Fewer than a majority run (raft-console's form, whose leader keeps leading): a node brought back
 * early would let the waiting entry commit. Set up again by stopping the followers that run beyond
 * one, and checking the stop-three step again (what was committed may have moved).
 */
const staysWithoutMajority: Need = {
  holds: ({ model }) => {
    const v = voters(model);
    return v.filter((id) => isRunning(node(model, id))).length < majorityOf(v.length);
  },
  broken: ({ model }) => {
    const v = voters(model);
    const n = v.filter((id) => isRunning(node(model, id))).length;
    return {
      en: `you brought a node back: ${n} of ${v.length} run again, a majority, so an entry would commit, and this step shows one that cannot.`,
      zh: `你让一个节点回来了：${v.length} 个中又有 ${n} 个在运行，构成多数派，条目会被提交，而这一步要展示一个无法提交的条目。`,
    };
  },
  fix: () => ({
    en: 'stop followers again until only the leader and one follower run (select each, press s)',
    zh: '再次停止跟随者，直到只剩领导者和一个跟随者在运行（逐个选中，按 s）',
  }),
  restore: ({ model, facts }) => {
    const v = voters(model);
    const extra = v.filter((id) => id !== facts.leader && isRunning(node(model, id))).slice(1);
    return extra.length === 0 ? [] : [{ op: 'stop', nodes: extra }];
  },
  rewind: 'stop-three',
};

/**
 * The solution on either engine: a write committed, three followers stopped, a write that waits
 * (raft-console, CheckQuorum off: `pending`) or fails (etcd: `no-leader`; it is not awaited), then one
 * follower back.
 */
function solve(withoutMajority: 'pending' | 'no-leader'): (d: Driver) => Promise<void> {
  return async (d) => {
    await d.step('leader');
    const leader = d.facts.leader!;
    await d.submit('before', { via: leader });
    await d.step('commit');
    const stopped = voters(d.model)
      .filter((id) => id !== leader)
      .slice(0, 3);
    await d.act({ op: 'stop', nodes: stopped });
    await d.step('stop-three');
    d.post('waiting', { via: leader });
    await d.step(withoutMajority);
    await d.act({ op: 'restart', nodes: [stopped[0]!] });
    await d.step('commits');
  };
}

const commitStep: Step = {
  id: 'commit',
  text: { en: 'Submit an entry: it commits as usual.', zh: '提交一个条目：它像平常一样被提交。' },
  hint: { en: 'Press n and type a word.', zh: '按 n 并输入一个词。' },
  command: 'submit <text>',
  needs: [majorityRunning()],
  check: ({ model, facts }) => {
    const l = leaderOf(model);
    return l !== null && l.raft!.commit > facts.base! ? { committed: l.raft!.commit } : false;
  },
};

const restartOneStep: Step = {
  id: 'restart-one',
  text: { en: 'Restart one of the stopped followers: three of five run again.', zh: '重启一个被停止的跟随者：五个中又有三个在运行。' },
  hint: { en: 'Select a stopped node and press r.', zh: '选中一个被停止的节点并按 r。' },
  command: 'restart <id>',
  check: ({ model }) => {
    const v = voters(model);
    return v.filter((id) => isRunning(node(model, id))).length >= majorityOf(v.length);
  },
};

/** What the learner does in the step that stops three followers, on either engine (their checks differ). */
const STOP_THREE = {
  id: 'stop-three',
  text: {
    en: 'Stop three followers: only the leader and one follower still run.',
    zh: '停止三个跟随者：只剩领导者和一个跟随者在运行。',
  },
  hint: {
    en: 'Select a follower and press s, three times. Keep the leader running (if you stopped it, restart it with r).',
    zh: '选中一个跟随者并按 s，重复三次。保持领导者运行（如果停掉了它，用 r 重启）。',
  },
  command: 'stop <id> <id> <id>',
} as const;

export const quorumLoss: Exercise = {
  id: 'quorum-loss',
  number: 7,
  title: { en: 'Losing the majority', zh: '失去多数派' },
  minutes: 15,
  // CheckQuorum off: the leader keeps leading with 2 of 5, so the entry it cannot commit is there
  // to see. With CheckQuorum it would step down and accept nothing.
  setup: { nodes: 5, speed: 'slow', raft: { checkQuorum: false } },
  goal: {
    en: 'Stop three of five nodes and see that the cluster stops committing, safely; then bring one back.',
    zh: '停止五个节点中的三个，看到集群安全地停止提交；然后让其中一个回来。',
  },
  prediction: {
    question: {
      en: 'With three of five nodes stopped, what happens to an entry you submit? And when one of them comes back?',
      zh: '五个节点中有三个停止时，你提交的条目会怎样？其中一个回来后又会怎样？',
    },
    answer: {
      en: 'The leader appends it, but it is not committed: it needs 3 of 5 and only 2 run. Nothing commits without a majority, so nothing wrong can be committed. When a third node returns, the leader sends it the entry and commits it; every entry committed before is untouched.',
      zh: '领导者追加了它，但它不会被提交：需要 5 个中的 3 个，而只有 2 个在运行。没有多数派就什么都提交不了，因此也不可能提交错误的内容。第三个节点回来后，领导者把条目发给它并提交；之前提交的条目都原封不动。',
    },
    revealAfter: 'commits',
  },
  steps: [
    leaderStep,
    commitStep,
    {
      ...STOP_THREE,
      needs: [
        leaderLeads({
          en: 'this exercise watches it keep an entry that it cannot commit.',
          zh: '这个练习要看它保留一个无法提交的条目。',
        }),
      ],
      check: ({ model, facts }) => {
        const l = raftOf(model, facts.leader);
        return threeStopped(model, facts) && l?.role === 'leader' ? { committed: l.commit } : false;
      },
    },
    {
      id: 'pending',
      text: {
        en: 'Submit an entry: the leader appends it but cannot commit it with 2 of 5.',
        zh: '提交一个条目：领导者追加了它，但 5 个中的 2 个无法提交它。',
      },
      hint: {
        en: "Press n: the write waits, then gives up. The leader's log shows the entry, not committed (dim).",
        zh: '按 n：写入会等待，然后放弃。领导者的日志里出现该条目，但没有提交（暗淡显示）。',
      },
      command: 'submit <text>',
      needs: [
        leaderLeads({ en: 'this step hands it an entry that it cannot commit.', zh: '这一步要交给它一个无法提交的条目。' }),
        staysWithoutMajority,
      ],
      check: ({ model, facts }) => {
        const r = raftOf(model, facts.leader);
        return r !== undefined && r.lastIndex > r.commit && r.commit === facts.committed ? { pending: r.lastIndex } : false;
      },
    },
    restartOneStep,
    {
      id: 'commits',
      text: {
        en: 'The waiting entry commits, and every entry committed before is still there.',
        zh: '等待中的条目被提交了，之前提交的条目也都还在。',
      },
      hint: { en: "Watch the leader's commit index pass the waiting entry.", zh: '观察领导者的提交索引越过等待中的条目。' },
      needs: [
        leaderLeads({
          en: 'it holds the waiting entry, and only it can commit it.',
          zh: '等待中的条目在它那里，只有它能提交。',
        }),
      ],
      check: ({ model, events, facts }) =>
        (leaderOf(model)?.raft?.commit ?? 0) >= facts.pending! && raftEvents(events, 'truncate').every((t) => t.from > facts.committed!),
    },
  ],
  explanation: {
    en:
      'Raft paper, sections 5.3 and 5.4. ' +
      'Entries commit and leaders are elected only by a majority. ' +
      'With 2 of 5 running there is none: the leader appends, nothing commits, the client waits or gives up. ' +
      'Raft stops rather than commit what a later majority might not know; any two majorities overlap, so everything committed survives. ' +
      'When a third node returns, the leader brings it up to date and commits the waiting entry. ' +
      'CheckQuorum is off here; with it the leader would step down and accept nothing.',
    zh:
      'Raft 论文第 5.3 和 5.4 节。' +
      '只有多数派才能提交条目、选出领导者。' +
      '5 个中只有 2 个运行时没有多数派：领导者追加条目，但什么都提交不了，客户端只能等待或放弃。' +
      'Raft 宁可停下来，也不提交之后的多数派可能不知道的内容；任意两个多数派都相交，所以已提交的一切都会保留。' +
      '第三个节点回来后，领导者让它追上进度，并提交等待中的条目。' +
      '这里关闭了 CheckQuorum；启用时领导者会退位，什么都不接受。',
  },
  solution: solve('pending'),
  etcd: {
    runs: true,
    differs: {
      // etcd's defaults: CheckQuorum cannot be switched off there.
      setup: { nodes: 5, speed: 'slow' },
      goal: {
        en: 'Stop three of five members and see that the cluster stops, safely: no leader, nothing committed; then bring one back.',
        zh: '停止五个成员中的三个，看到集群安全地停下来：没有领导者，什么都不提交；然后让其中一个回来。',
      },
      prediction: {
        question: {
          en: 'With three of five members stopped, what happens to the leader, and to an entry you submit? And when one of them comes back?',
          zh: '五个成员中有三个停止时，领导者会怎样？你提交的条目会怎样？其中一个回来后又会怎样？',
        },
        answer: {
          en: "The leader steps down: etcd's CheckQuorum sees no majority. No member can be elected with 2 of 5, so nothing commits and the write fails. Nothing commits without a majority, so nothing wrong can be committed. When a third member returns, a leader is elected and the cluster commits again; every entry committed before is untouched.",
          zh: '领导者会退位：etcd 的 CheckQuorum 发现没有多数派。5 个中只有 2 个时没有成员能当选，所以什么都提交不了，写入失败。没有多数派就什么都提交不了，因此也不可能提交错误的内容。第三个成员回来后，集群选出领导者并重新开始提交；之前提交的条目都原封不动。',
        },
        revealAfter: 'commits',
      },
      steps: [
        leaderStep,
        commitStep,
        {
          ...STOP_THREE,
          check: ({ model, facts }) => (threeStopped(model, facts) ? { committed: raftOf(model, facts.leader)?.commit ?? 0 } : false),
        },
        {
          id: 'no-leader',
          text: {
            en: 'Submit an entry: the leader has stepped down (CheckQuorum), no one can be elected with 2 of 5, and the write fails. Nothing commits.',
            zh: '提交一个条目：领导者已经退位（CheckQuorum），5 个中的 2 个选不出领导者，写入失败。什么都没有提交。',
          },
          hint: {
            en: "Press n: the write waits, then gives up. Watch the role column: no leader, and the commit column stays where it was. etcd's leader checks every election timeout that a majority still answers.",
            zh: '按 n：写入会等待，然后放弃。观察角色列：没有领导者，提交列停在原处。etcd 的领导者每个选举超时都检查多数派是否还在回应。',
          },
          command: 'submit <text>',
          // An entry a majority had stored before the stop may still commit while the leader
          // learns of it (etcd's status is polled): where the commit index stopped is read here.
          check: ({ model, facts }) => {
            const r = raftOf(model, facts.leader);
            return leaderOf(model) === null && r !== undefined && r.role !== 'leader'
              ? { committed: Math.max(r.commit, facts.committed!) }
              : false;
          },
        },
        restartOneStep,
        {
          id: 'commits',
          text: {
            en: 'A leader is elected again and commits: the commit index moves on, and every entry committed before is still there.',
            zh: '集群重新选出领导者并提交：提交索引继续前进，之前提交的条目也都还在。',
          },
          hint: {
            en: 'Watch a leader appear and its commit index pass where it stopped: a new leader first commits an entry of its own term.',
            zh: '观察领导者出现，它的提交索引越过停下的位置：新领导者会先提交一个自己任期的条目。',
          },
          check: ({ model, events, facts }) =>
            (leaderOf(model)?.raft?.commit ?? 0) > facts.committed! &&
            raftEvents(events, 'truncate').every((t) => t.from > facts.committed!),
        },
      ],
      explanation: {
        en:
          'Raft paper, sections 5.3 and 5.4; dissertation 6.2. ' +
          'Entries commit and leaders are elected only by a majority. ' +
          "With 2 of 5 running there is none: etcd's leader steps down once it has not heard from a majority for an election timeout (CheckQuorum), no candidate can win, and the client's write fails. " +
          'Raft stops rather than commit what a later majority might not know; any two majorities overlap, so everything committed survives. ' +
          'When a third member returns, a leader is elected, brings the others up to date and commits again.',
        zh:
          'Raft 论文第 5.3 和 5.4 节；博士论文 6.2 节。' +
          '只有多数派才能提交条目、选出领导者。' +
          '5 个中只有 2 个运行时没有多数派：etcd 的领导者在一个选举超时内没有收到多数派的消息就退位（CheckQuorum），没有候选人能获胜，客户端的写入失败。' +
          'Raft 宁可停下来，也不提交之后的多数派可能不知道的内容；任意两个多数派都相交，所以已提交的一切都会保留。' +
          '第三个成员回来后，集群选出领导者，让其他成员追上进度，并重新开始提交。',
      },
      solution: solve('no-leader'),
    },
  },
};
