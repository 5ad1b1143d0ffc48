// Exercise 2: log replication and the commit rule (section 5.3).
import { leaderOf, members, voters } from '../../cluster-model/index.js';
import { majorityOf } from '../../raft/membership.js';
import { majorityRunning, networkWhole } from '../needs.js';
import { isDown, isRunning, leaderCommits, node } from '../observe.js';
import type { Exercise } from '../types.js';
import { leaderStep } from './common.js';

export const replication: Exercise = {
  id: 'replication',
  number: 2,
  title: { en: 'Replication and commit', zh: '日志复制与提交' },
  minutes: 15,
  setup: { nodes: 5, speed: 'slow' },
  goal: {
    en: "Follow an entry from the client to the leader's log, to the followers, to committed and applied; then see that a majority is enough.",
    zh: '跟踪一个条目：从客户端到领导者的日志，再到跟随者，直到提交和应用；然后看到多数派就足够了。',
  },
  prediction: {
    question: {
      en: 'With two of the five nodes paused, will a new entry still be committed?',
      zh: '五个节点中有两个被暂停时，新条目还能提交吗？',
    },
    answer: {
      en: 'Yes: 3 of 5 is a majority, and an entry stored on a majority is committed. The paused nodes receive it when they resume.',
      zh: '能：5 个中的 3 个是多数派，条目存储到多数派上就提交了。被暂停的节点恢复后会收到它。',
    },
    revealAfter: 'commit-three',
  },
  steps: [
    leaderStep,
    {
      id: 'append',
      text: { en: 'Submit an entry: the leader appends it to its own log first.', zh: '提交一个条目：领导者先把它追加到自己的日志中。' },
      hint: {
        en: 'Press n in the dashboard and type a word. Only the leader accepts entries.',
        zh: '在仪表盘中按 n 并输入一个词。只有领导者接受条目。',
      },
      command: 'submit <text>',
      needs: [majorityRunning()],
      check: ({ model, facts }) => {
        const l = leaderOf(model);
        return l !== null && l.raft!.lastIndex > facts.base! ? { entry: facts.base! + 1 } : false;
      },
    },
    {
      id: 'commit',
      text: {
        en: 'The leader sends it to every follower and commits it as soon as a majority (3 of 5) stores it.',
        zh: '领导者把它发送给所有跟随者，一旦多数派（5 个中的 3 个）存储了它，就提交它。',
      },
      hint: {
        en: 'Look for "entry N committed: stored on 3 of 5" in the events.',
        zh: '在事件栏中找“条目 N 已提交：5 个投票者中有 3 个已存储”。',
      },
      // The commit event may come before the state line that shows the entry: look at all events.
      needs: [majorityRunning()],
      check: ({ events, facts }) => {
        const e = leaderCommits(events).find((c) => c.to >= facts.entry!);
        return e === undefined ? false : { replicas: e.replicas };
      },
    },
    {
      id: 'applied',
      text: {
        en: "The followers learn the new commit index from the leader's next message, and apply the entry.",
        zh: '跟随者从领导者的下一条消息中得知新的提交索引，然后应用该条目。',
      },
      hint: {
        en: "Watch the commit and applied columns of every node reach the entry's index.",
        zh: '观察每个节点的提交和应用两列到达该条目的索引。',
      },
      needs: [
        majorityRunning(),
        networkWhole({
          en: 'this step waits until every running node has applied the entry, and a node cut off cannot learn it.',
          zh: '这一步要等所有运行中的节点都应用该条目，而被隔开的节点无法得知它。',
        }),
      ],
      check: ({ model, facts }) =>
        members(model)
          .filter(isRunning)
          .every((n) => n.raft !== null && n.raft.applied >= facts.entry!),
    },
    {
      id: 'pause-two',
      text: { en: 'Pause two followers: three of five still run.', zh: '暂停两个跟随者：五个节点中仍有三个在运行。' },
      hint: {
        en: 'Select a follower (arrows or its number) and press z; then another one. Not the leader.',
        zh: '选中一个跟随者（方向键或数字键）并按 z；再选另一个。不要选领导者。',
      },
      command: 'pause <id> <id>',
      needs: [majorityRunning()],
      check: ({ model }) => {
        const l = leaderOf(model);
        const v = voters(model);
        const down = v.filter((id) => isDown(node(model, id))).length;
        return l !== null && down >= 2 && v.length - down >= majorityOf(v.length) ? { downLast: l.raft!.lastIndex } : false;
      },
    },
    {
      id: 'commit-three',
      text: {
        en: 'Submit another entry: it is still committed, stored on 3 of 5.',
        zh: '再提交一个条目：它仍然会被提交，存储在 5 个中的 3 个上。',
      },
      hint: {
        en: 'Press n again. The commit event says on how many nodes it is stored.',
        zh: '再按一次 n。提交事件会说明它存储在几个节点上。',
      },
      command: 'submit <text>',
      needs: [majorityRunning()],
      check: ({ since, facts }) => {
        const e = leaderCommits(since).find((c) => c.to > facts.downLast!);
        return e === undefined ? false : { last: e.to };
      },
    },
    {
      id: 'resume',
      text: {
        en: 'Resume the paused followers: they receive every entry they missed and apply it.',
        zh: '恢复被暂停的跟随者：它们收到错过的所有条目并应用。',
      },
      hint: { en: 'Select each paused node and press z again.', zh: '选中每个被暂停的节点，再按一次 z。' },
      command: 'resume <id> <id>',
      check: ({ model, facts }) =>
        voters(model).every((id) => {
          const n = node(model, id);
          return isRunning(n) && n!.raft !== null && n!.raft.applied >= facts.last!;
        }),
    },
  ],
  explanation: {
    en:
      'Raft paper, section 5.3. ' +
      'Only the leader takes client entries: it appends each to its log and sends AppendEntries to all followers in parallel. ' +
      'An entry is committed once a majority stores it (the leader included); the leader then applies it, and the followers learn the new commit index from its next message and apply it too. ' +
      'A majority is enough: 3 of 5 keep committing while 2 are down, and the leader sends the others what they missed. ' +
      'Any two majorities share a node, so a committed entry is never lost.',
    zh:
      'Raft 论文第 5.3 节。' +
      '只有领导者接受客户端的条目：它把条目追加到自己的日志，并行地向所有跟随者发送 AppendEntries。' +
      '条目存储到多数派（包括领导者）上就提交了；领导者随即应用它，跟随者从领导者的下一条消息中得知新的提交索引并同样应用。' +
      '多数派就足够了：两个节点停止时，5 个中的 3 个仍能提交，领导者会把错过的条目补发给其他节点。' +
      '任意两个多数派都有共同节点，所以已提交的条目永远不会丢失。',
  },
  async solution(d) {
    await d.step('leader');
    await d.submit('hello');
    await d.step('applied');
    const followers = voters(d.model)
      .filter((id) => id !== d.facts.leader)
      .slice(0, 2);
    await d.act({ op: 'pause', nodes: followers });
    await d.step('pause-two');
    await d.submit('still committed');
    await d.step('commit-three');
    await d.act({ op: 'resume', nodes: followers });
    await d.step('resume');
  },
  etcd: {
    runs: false,
    why: {
      en: "it follows one entry through the leader's log and the commit events that count its copies, and etcd reports neither its log entries nor on how many members an entry is stored",
      zh: '它跟踪一个条目经过领导者的日志和统计副本数的提交事件，而 etcd 既不公开它的日志条目，也不报告一个条目存储在几个成员上',
    },
  },
};
