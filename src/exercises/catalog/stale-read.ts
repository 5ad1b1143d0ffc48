// Exercise 11: why a leader confirms it still leads before it answers a read (dissertation 6.4).
// The core runs with the read-without-quorum known bug: a leader answers reads from its own state
// at once. The leader is cut off alone, the other two elect a new leader and commit a new value,
// and a read through the old leader returns the old value: stale. The exercise then runs again
// without the bug, and the same read is refused: the old leader's ReadIndex round finds no majority.
// CheckQuorum is off in both halves so that the cut-off leader keeps believing it leads while the
// learner reads through it; with it on the window is an election timeout, and no safer.
import { isolatedNodes, settledLeader, type ClusterEvent, type ClusterModel } from '../../cluster-model/index.js';
import { becameRole, raftOf, readsTold } from '../observe.js';
import type { CheckResult, Exercise, Facts, Step } from '../types.js';
import { leaderStep } from './common.js';

/** The key the exercise writes and reads. */
const KEY = 'x';

/** The leader of a term above `term` that is not `old`, seen elected in `events`. */
function newLeader(model: ClusterModel, events: readonly ClusterEvent[], old: number, term: number): Facts | false {
  const won = becameRole(events, 'leader').find((e) => e.node !== old && e.term > term);
  if (won === undefined || raftOf(model, won.node)?.role !== 'leader') return false;
  return { newLeader: won.node, newTerm: won.term };
}

/** Half of the exercise: write, cut the leader off, a new leader writes; then a read through the old one. */
function half(suffix: '' | '-b', leaderFact: string, termFact: string, commitFact: string): Step[] {
  const id = (s: string): string => `${s}${suffix}`;
  const f = (name: string): string => `${name}${suffix === '' ? '' : 'B'}`;
  return [
    {
      id: id('first-write'),
      text: { en: `Put ${KEY} = 1 through the leader.`, zh: `通过领导者写入 ${KEY} = 1。` },
      hint: { en: `Press v and type: ${KEY} 1`, zh: `按 v 并输入：${KEY} 1` },
      command: `put ${KEY} 1`,
      check: ({ model, facts }) => {
        const commit = raftOf(model, facts[leaderFact])?.commit ?? 0;
        return commit > facts[commitFact]! ? { [f('first')]: commit } : false;
      },
    },
    {
      id: id('cut-leader'),
      text: {
        en: 'Cut the leader off alone: it keeps no majority. CheckQuorum is off here, so it does not notice and still believes it leads.',
        zh: '把领导者单独隔离：它失去了多数派。这里关闭了 CheckQuorum，所以它察觉不到，仍然以为自己是领导者。',
      },
      hint: { en: 'Select the leader and press i.', zh: '选中领导者并按 i。' },
      command: 'isolate <leader>',
      check: ({ model, facts }) => isolatedNodes(model).includes(facts[leaderFact]!),
    },
    {
      id: id('new-leader'),
      text: {
        en: 'The other two elect a new leader in a higher term: the header now shows two nodes that say they lead.',
        zh: '另外两个节点在更高的任期选出了新领导者：标题栏现在显示有两个节点自称领导者。',
      },
      hint: {
        en: 'Wait an election timeout: the majority side hears from no leader and elects one.',
        zh: '等一个选举超时：多数派一侧收不到领导者的消息，会选出一个新的。',
      },
      check: ({ model, since, facts }): CheckResult => {
        const l = newLeader(model, since, facts[leaderFact]!, facts[termFact]!);
        return l === false ? false : { [f('newLeader')]: l.newLeader!, [f('newTerm')]: l.newTerm! };
      },
    },
    {
      id: id('second-write'),
      text: {
        en: `Put ${KEY} = 2: it commits through the new leader and the other follower, 2 of 3.`,
        zh: `写入 ${KEY} = 2：它通过新领导者和另一个跟随者提交（3 个中的 2 个）。`,
      },
      hint: {
        en: `Press v and type: ${KEY} 2. The dashboard's client finds the leader that can commit.`,
        zh: `按 v 并输入：${KEY} 2。仪表盘的客户端会找到能够提交的领导者。`,
      },
      command: `put ${KEY} 2`,
      // The new leader's no-op and the put.
      check: ({ model, facts }) => (raftOf(model, facts[f('newLeader')])?.commit ?? 0) >= facts[f('first')]! + 2,
    },
  ];
}

export const staleRead: Exercise = {
  id: 'stale-read',
  number: 11,
  title: { en: 'Reads: a stale answer from a leader cut off', zh: '读取：被隔离的领导者给出过期的回答' },
  minutes: 20,
  setup: { nodes: 3, speed: 'slow', raft: { checkQuorum: false, bugs: ['read-without-quorum'] } },
  rebuild: {
    after: 'fresh',
    raft: { bugs: [] },
    label: { en: 'start the cluster again, now without the bug', zh: '重新启动集群，这次没有这个缺陷' },
  },
  goal: {
    en: "Read through a leader cut off in a minority after the majority wrote a new value: first with a bug that skips the leader's check, then without it. Watch the read lane (Tab).",
    zh: '在多数派写入新值之后，通过被隔离在少数派中的领导者读取：先开启跳过领导者确认的缺陷，再关闭它。观察读取栏（Tab）。',
  },
  prediction: {
    question: {
      en: `The old leader, cut off alone, still believes it leads. After the new leader committed ${KEY} = 2, a client asks the old leader for ${KEY}. What should it answer?`,
      zh: `被单独隔离的旧领导者仍以为自己是领导者。新领导者提交了 ${KEY} = 2 之后，一个客户端向旧领导者读取 ${KEY}。它应该怎样回答？`,
    },
    answer: {
      en: 'It must not answer 1: that write of 2 was acknowledged before the read began, so 1 is stale. A correct leader first asks a majority whether it still leads (ReadIndex, dissertation 6.4); cut off, it gets no answer and refuses the read. With the bug it answers 1 at once.',
      zh: '它不能回答 1：写入 2 在读取开始之前就已确认，所以 1 是过期的值。正确的领导者会先询问多数派自己是否仍是领导者（ReadIndex，博士论文 6.4 节）；被隔离时得不到回应，就拒绝这次读取。有这个缺陷时，它立即回答 1。',
    },
    revealAfter: 'stale',
  },
  steps: [
    leaderStep,
    ...half('', 'leader', 'term', 'commit'),
    {
      id: 'stale',
      text: {
        en: `Read ${KEY} through the old leader: it answers 1, UNCONFIRMED. A stale read: 2 was acknowledged before you asked.`,
        zh: `通过旧领导者读取 ${KEY}：它回答 1，未经确认。这是一次过期读取：在你读取之前，2 已经确认写入。`,
      },
      hint: {
        en: `Select the old leader and press g, then type ${KEY}. The read lane marks the answer stale.`,
        zh: `选中旧领导者并按 g，再输入 ${KEY}。读取栏把这个回答标为过期。`,
      },
      command: `get ${KEY} --via <old leader>`,
      check: ({ after, facts }) => readsTold(after('second-write'), 'read-served', facts.leader).some((e) => e.confirmed === 'unconfirmed'),
    },
    {
      id: 'fresh',
      text: {
        en: `Read ${KEY} through the new leader: it answers 2. Right, but by luck: with the bug it did not confirm either.`,
        zh: `通过新领导者读取 ${KEY}：它回答 2。答对了，但只是碰巧：有这个缺陷时它同样没有确认。`,
      },
      hint: { en: `Select the new leader and press g, then type ${KEY}.`, zh: `选中新领导者并按 g，再输入 ${KEY}。` },
      command: `get ${KEY} --via <new leader>`,
      check: ({ after, facts }) => readsTold(after('stale'), 'read-served', facts.newLeader).length > 0,
    },
    {
      id: 'leader-b',
      text: {
        en: 'The exercise starts the cluster again, without the bug. Wait for its leader.',
        zh: '练习重新启动集群，这次没有这个缺陷。等待它的领导者。',
      },
      hint: { en: 'The header no longer shows BUG read-without-quorum.', zh: '标题栏不再显示 BUG read-without-quorum。' },
      check: ({ model }) => {
        const l = settledLeader(model);
        return model.switches.bugs.length === 0 && l !== undefined
          ? { leaderB: l.id, termB: l.raft!.term, commitB: l.raft!.commit }
          : false;
      },
    },
    ...half('-b', 'leaderB', 'termB', 'commitB'),
    {
      id: 'refused',
      text: {
        en: `Read ${KEY} through the old leader again: it starts a ReadIndex round, no majority answers, and it refuses the read (after the node's 5 s request timeout). No answer rather than a wrong one.`,
        zh: `再次通过旧领导者读取 ${KEY}：它发起 ReadIndex 轮次，多数派没有回应，于是拒绝这次读取（在节点 5 秒的请求超时之后）。宁可不回答，也不给错误的回答。`,
      },
      hint: {
        en: `Select the old leader, press g and type ${KEY}; the refusal comes after 5 s.`,
        zh: `选中旧领导者，按 g 并输入 ${KEY}；拒绝在 5 秒后到来。`,
      },
      command: `get ${KEY} --via <old leader>`,
      check: ({ after, facts }) => readsTold(after('second-write-b'), 'read-refused', facts.leaderB).length > 0,
    },
  ],
  explanation: {
    en:
      'Dissertation 6.4: a leader may answer a read only once it knows it is still the leader. ' +
      'A leader cut off in a minority cannot learn that a newer leader exists, so it asks: it records its commit index as the read index, sends a round of heartbeats, and answers once a majority replied (ReadIndex), with its state machine applied up to the read index. ' +
      'With the bug the old leader answered from its own state: a value older than a write acknowledged before the read began. That breaks linearizability, though no log was harmed: the safety badge stays green, and only the reads show it (`raft-console check` finds it, and so does the simulator). ' +
      'Without the bug, the same read was refused: no majority answered the round. ' +
      'CheckQuorum (6.2) would have stepped the old leader down after an election timeout, which only shortens the window; a leader lease (6.4.1) closes it only if clocks drift within known bounds.',
    zh:
      '博士论文 6.4 节：领导者只有在确知自己仍是领导者时，才可以回答读取。' +
      '被隔离在少数派中的领导者无从得知已经有了新领导者，所以它要先问：把自己的提交索引记为读取索引，发出一轮心跳，等多数派回复之后（ReadIndex），并在状态机应用到读取索引时才回答。' +
      '有这个缺陷时，旧领导者直接用自己的状态回答：这个值比读取开始之前就已确认的一次写入还旧。这破坏了线性一致性，但日志毫发无损：安全标志保持绿色，只有读取能暴露它（`raft-console check` 能发现它，模拟器也能）。' +
      '没有这个缺陷时，同样的读取被拒绝了：这一轮没有得到多数派的回应。' +
      'CheckQuorum（6.2 节）会让旧领导者在一个选举超时后退位，但那只是缩短了窗口；领导者租约（6.4.1 节）只有在时钟漂移有已知上界时才能关闭这个窗口。',
  },
  async solution(d) {
    for (const b of ['', 'B'] as const) {
      await d.step(b === '' ? 'leader' : 'leader-b');
      const old = d.facts[`leader${b}`]!;
      await d.put(KEY, '1', { via: old });
      await d.step(b === '' ? 'first-write' : 'first-write-b');
      await d.act({ op: 'isolate', node: old });
      await d.step(b === '' ? 'new-leader' : 'new-leader-b');
      await d.put(KEY, '2', { via: d.facts[`newLeader${b}`]! });
      await d.step(b === '' ? 'second-write' : 'second-write-b');
      await d.read(KEY, { via: old });
      if (b === '') {
        await d.step('stale');
        await d.read(KEY, { via: d.facts.newLeader! });
        await d.step('fresh');
      } else await d.step('refused');
    }
  },
  etcd: {
    runs: false,
    why: {
      en: "it switches off a rule in raft-console's core (the leader's ReadIndex check before a read), and etcd has no such switch",
      zh: '它关闭了 raft-console 核心中的一条规则（领导者在读取前的 ReadIndex 确认），而 etcd 没有这样的开关',
    },
  },
};
