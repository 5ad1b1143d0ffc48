// Exercise 6: the leader is cut off with a minority. It accepts an entry that can never commit,
// the majority elects a new leader and commits its own entries, and on heal the old leader steps
// down and its conflicting entry is replaced (sections 5.1, 5.3, 5.4).
// etcd always runs CheckQuorum: there the cut-off leader steps down by itself after an election
// timeout, and the exercise shows that instead of an entry that can never commit (which etcd, not
// reporting its log, could not show either).
import { groupOf, hasMajority, knownCommitted, leaderOf, voters, type ClusterModel } from '../../cluster-model/index.js';
import { majorityRunning, running, stillLeads, withMajority } from '../needs.js';
import { logReach, node, raftEvents, raftOf } from '../observe.js';
import type { Exercise, Facts, Need, Step, Texts } from '../types.js';
import { healStep, leaderStep } from './common.js';

const OLD_LEADER: Texts = { en: 'the old leader', zh: '旧领导者' };

/** Whether a partition keeps the exercise's leader in a group without a majority. */
function cutOff(model: ClusterModel, facts: Readonly<Facts>): boolean {
  return model.partition.length > 0 && !hasMajority(model, groupOf(model, facts.leader!));
}

/**
 * The old leader cut off in a minority (the partition step's work): set up again with the leader
 * and one follower on one side, the other voters on the other.
 */
const leaderCutOff: Need = {
  holds: ({ model, facts }) => cutOff(model, facts),
  broken: ({ facts }) => ({
    en: `you healed the network: n${facts.leader}, the old leader, is no longer cut off in a minority, and this step needs two sides, each with its own leader.`,
    zh: `你修复了网络：旧领导者 n${facts.leader} 不再被隔离在少数派中，而这一步需要两边各有自己的领导者。`,
  }),
  fix: () => ({
    en: 'partition again: the old leader and one follower in group A, the others in group B (press p)',
    zh: '重新划分网络分区：旧领导者和一个跟随者在 A 组，其余在 B 组（按 p）',
  }),
  restore: ({ model, facts }) => {
    const [follower, ...rest] = voters(model).filter((id) => id !== facts.leader);
    return [{ op: 'partition', groups: [[facts.leader!, follower!], rest] }];
  },
};

/** The old leader running and hearing the new one after the heal. */
const oldLeaderBack = (why: Texts): Need[] => [running('leader', OLD_LEADER, why), withMajority('leader', OLD_LEADER, why)];

/** The three on the majority's side elect a leader of a higher term. */
const newLeaderStep: Step = {
  id: 'new-leader',
  text: { en: 'The three on the other side elect a new leader, in a higher term.', zh: '另一边的三个节点选出新的领导者，任期更高。' },
  hint: {
    en: 'They no longer hear the old leader: after an election timeout one of them wins with 3 of 5 votes. Now there are two leaders, of different terms.',
    zh: '它们收不到旧领导者的消息了：一个选举超时后，其中一个以 5 票中的 3 票获胜。现在有两个领导者，任期不同。',
  },
  check: ({ model, facts }) => {
    const side = voters(model).filter((id) => !groupOf(model, facts.leader!).includes(id));
    const n = side.map((id) => node(model, id)!).find((x) => x.raft?.role === 'leader' && x.raft.term > facts.term!);
    return n === undefined ? false : { newLeader: n.id, newTerm: n.raft!.term, newBase: logReach(model, n.raft!) };
  },
  needs: [leaderCutOff, majorityRunning()],
};

/** The new leader commits an entry with the majority; remembers its commit index (`majorityCommit`). */
const majorityCommitsStep: Step = {
  id: 'majority-commits',
  text: { en: 'Submit an entry: the new leader commits it with the majority.', zh: '提交一个条目：新领导者和多数派一起提交它。' },
  hint: { en: 'Press n: the client finds the leader that can commit.', zh: '按 n：客户端会找到能够提交的领导者。' },
  command: 'submit <text>',
  needs: [
    running(
      'newLeader',
      { en: 'the new leader', zh: '新领导者' },
      { en: 'this step waits for it to commit an entry with the majority.', zh: '这一步要等它和多数派一起提交一个条目。' },
    ),
  ],
  check: ({ model, facts }) => {
    const commit = raftOf(model, facts.newLeader)?.commit ?? 0;
    return commit > facts.newBase! ? { majorityCommit: commit } : false;
  },
};

/** The old leader, still leading its old term, cut off in a minority: the one to hand an entry. */
function strandedLeader(model: ClusterModel, facts: Readonly<Facts>): number | null {
  const r = raftOf(model, facts.leader);
  const stranded = cutOff(model, facts);
  return stranded && r?.role === 'leader' && r.term === facts.term ? facts.leader! : null;
}

/** The partition with the leader in the minority; `nodes` is what the Chinese calls the others (nodes, or etcd's members). */
function partitionStep(nodes: string): Step {
  return {
    id: 'partition',
    text: {
      en: 'Partition the network: the leader and one follower on one side, the other three on the other.',
      zh: `划分网络分区：领导者和一个跟随者在一边，其余三个${nodes}在另一边。`,
    },
    hint: {
      en: 'Press p; put the leader and one follower in group A (a), the others in group B (b); press enter.',
      zh: '按 p；把领导者和一个跟随者放进 A 组（a），其余放进 B 组（b）；按回车。',
    },
    command: 'partition <leader>,<follower> <the other three>',
    needs: [majorityRunning()],
    check: ({ model, facts }) => cutOff(model, facts),
  };
}

export const minorityPartition: Exercise = {
  id: 'minority-partition',
  number: 6,
  title: { en: 'A leader cut off in a minority', zh: '被隔离在少数派中的领导者' },
  minutes: 20,
  // CheckQuorum off: the cut-off leader keeps believing it leads (the paper's basic algorithm), so
  // there is time to hand it an entry. With CheckQuorum it would step down after an election timeout.
  setup: { nodes: 5, speed: 'slow', raft: { checkQuorum: false } },
  goal: {
    en: 'Cut the leader off with one follower, write on both sides, heal, and see which writes survive.',
    zh: '把领导者和一个跟随者隔离开，在两边都写入，修复网络后，看看哪些写入保留了下来。',
  },
  prediction: {
    question: {
      en: 'The cut-off leader accepts your entry. Will that entry ever be committed?',
      zh: '被隔离的领导者接受了你的条目。这个条目最终会被提交吗？',
    },
    answer: {
      en: 'Never. It is stored on 2 of 5 nodes and cannot reach a majority while they are cut off; meanwhile the majority commits other entries at the same index in a higher term. On heal the old leader steps down and deletes its conflicting entry. Its client was never told "committed", so nothing acknowledged was lost.',
      zh: '永远不会。它只存储在 5 个中的 2 个节点上，隔离期间无法到达多数派；与此同时，多数派在更高的任期、相同的索引处提交了别的条目。修复后旧领导者退位并删除冲突的条目。它的客户端从未收到“已提交”，所以没有丢失任何已确认的写入。',
    },
    revealAfter: 'replaced',
  },
  steps: [
    leaderStep,
    partitionStep('节点'),
    {
      id: 'stranded',
      text: {
        en: 'Press X to hand the old leader an entry: it appends it and sends it to its follower, but it cannot commit it.',
        zh: '按 X 交给旧领导者一个条目：它追加该条目并发给它的跟随者，但无法提交。',
      },
      hint: {
        en: 'X sends the entry to the old leader itself (a client elsewhere would be redirected to the new one). Its log shows the entry, not committed (dim).',
        zh: 'X 把条目直接发给旧领导者（别处的客户端会被重定向到新领导者）。它的日志里出现该条目，但没有提交（暗淡显示）。',
      },
      command: 'submit --via <old leader> lost',
      needs: [
        stillLeads(
          'leader',
          OLD_LEADER,
          { en: 'this step hands it an entry while it still leads its term.', zh: '这一步要在它仍领导自己的任期时交给它一个条目。' },
          'leader',
        ),
        leaderCutOff,
      ],
      check: ({ model, facts }) => {
        const r = raftOf(model, facts.leader);
        // An entry no node knows committed: the leader's own report of its commit index can lag the
        // others' (its state line comes at intervals), and its last committed entry is not stranded.
        return r !== undefined && r.role === 'leader' && r.term === facts.term && r.lastIndex > knownCommitted(model)
          ? { strandedTo: r.lastIndex }
          : false;
      },
    },
    newLeaderStep,
    majorityCommitsStep,
    healStep('heal'),
    {
      id: 'step-down',
      text: { en: 'The old leader hears the higher term and steps down to follower.', zh: '旧领导者得知更高的任期，退位为跟随者。' },
      hint: {
        en: 'Watch its row: "becomes follower ... it saw a higher term".',
        zh: '看它所在的行：“成为跟随者：它看到了更高的任期”。',
      },
      needs: oldLeaderBack({
        en: 'this step waits to see it hear the higher term of the new leader.',
        zh: '这一步要看它得知新领导者更高的任期。',
      }),
      check: ({ model, facts }) => {
        const r = raftOf(model, facts.leader);
        return r !== undefined && r.role === 'follower' && r.term >= facts.newTerm!;
      },
    },
    {
      id: 'replaced',
      text: {
        en: "Its uncommitted entry conflicts with the new leader's log: it is removed and replaced.",
        zh: '它未提交的条目与新领导者的日志冲突：该条目被删除并替换。',
      },
      hint: {
        en: 'Look for "removes entry ..., which conflicts with leader" (or "removes entries") in the events.',
        zh: '在事件栏中找“删除与领导者 … 冲突的条目”。',
      },
      needs: oldLeaderBack({
        en: 'this step waits to see the new leader replace its uncommitted entry.',
        zh: '这一步要看新领导者替换它未提交的条目。',
      }),
      check: ({ model, facts, after }) =>
        raftEvents(after('heal'), 'truncate', facts.leader).length > 0 && (raftOf(model, facts.leader)?.commit ?? 0) >= facts.strandedTo!,
    },
  ],
  trigger: {
    steps: ['stranded'],
    label: ({ model, facts }) => {
      const l = strandedLeader(model, facts);
      return l === null
        ? null
        : {
            en: `hand the entry "lost" to n${l}, the leader cut off in the minority`,
            zh: `把条目“lost”交给 n${l}，即被隔离在少数派中的领导者`,
          };
    },
    async run(hands, { model, facts }) {
      const l = strandedLeader(model, facts);
      if (l === null) throw new Error('the old leader must still lead its term, cut off in a minority: partition first');
      hands.post('lost', { via: l });
      return {
        en: `handed the entry "lost" to n${l}: it appends it, but only 2 of 5 nodes can store it`,
        zh: `把条目“lost”交给了 n${l}：它追加了这个条目，但 5 个节点中只有 2 个能存储它`,
      };
    },
  },
  explanation: {
    en:
      'Raft paper, sections 5.1, 5.3 and 5.4. ' +
      'Cut off with 2 of 5, the old leader can append but never commit: its client never hears "committed". ' +
      'The majority elects a leader of a higher term and commits other entries at the same indexes; two leaders exist, of different terms, and only one can commit. ' +
      "On heal the old leader sees the higher term and steps down (5.1), and deletes its entries that conflict with the new leader's log (5.3). " +
      'Only uncommitted entries are ever replaced. ' +
      'CheckQuorum is off here; with it (the default) the cut-off leader would step down after an election timeout and refuse new entries.',
    zh:
      'Raft 论文第 5.1、5.3 和 5.4 节。' +
      '被隔离在 5 个中的 2 个里，旧领导者可以追加但永远无法提交：它的客户端永远收不到“已提交”。' +
      '多数派选出更高任期的领导者，并在相同的索引处提交别的条目；此时有两个领导者，任期不同，只有一个能提交。' +
      '修复后旧领导者看到更高的任期就退位（5.1 节），并删除与新领导者日志冲突的条目（5.3 节）。' +
      '被替换的永远只有未提交的条目。' +
      '这里关闭了 CheckQuorum；启用时（默认），被隔离的领导者会在一个选举超时后退位并拒绝新条目。',
  },
  async solution(d) {
    await d.step('leader');
    const leader = d.facts.leader!;
    const [follower, ...rest] = voters(d.model).filter((id) => id !== leader);
    await d.act({ op: 'partition', groups: [[leader, follower!], rest] });
    await d.step('partition');
    await d.trigger();
    await d.step('new-leader');
    await d.submit('found', { via: d.facts.newLeader! });
    await d.step('majority-commits');
    await d.act({ op: 'heal' });
    await d.step('replaced');
  },
  etcd: {
    runs: true,
    differs: {
      // etcd's defaults: CheckQuorum cannot be switched off there.
      setup: { nodes: 5, speed: 'slow' },
      goal: {
        en: 'Cut the leader off with one follower and see what etcd does: the leader steps down by itself, the majority elects a new one and goes on committing; then heal.',
        zh: '把领导者和一个跟随者隔离开，看看 etcd 怎么做：领导者自己退位，多数派选出新领导者并继续提交；然后修复网络。',
      },
      prediction: {
        question: {
          en: 'The leader is cut off with one follower. Will it go on acting as leader, and take writes it cannot commit?',
          zh: '领导者和一个跟随者被隔离了。它会继续当领导者，接受无法提交的写入吗？',
        },
        answer: {
          en: "Not for long: etcd always runs CheckQuorum. A leader that has not heard from a majority for an election timeout steps down by itself and takes no more writes, so its clients go to the new leader instead of waiting. Without CheckQuorum (the paper's basic algorithm) it would go on believing it leads, and the entries it took would never commit.",
          zh: '不会太久：etcd 总是开启 CheckQuorum。领导者在一个选举超时内没有收到多数派的消息，就会自己退位，不再接受写入，于是它的客户端转向新领导者，而不是一直等待。没有 CheckQuorum 时（论文中的基本算法），它会一直以为自己是领导者，它接受的条目永远不会提交。',
        },
        revealAfter: 'steps-down',
      },
      steps: [
        leaderStep,
        partitionStep('成员'),
        {
          id: 'steps-down',
          text: {
            en: 'CheckQuorum: the old leader hears from no majority for an election timeout and steps down by itself.',
            zh: 'CheckQuorum：旧领导者在一个选举超时内收不到多数派的消息，于是自己退位。',
          },
          hint: {
            en: "Watch its role column: no longer leader, though nobody told it. etcd's leader checks every election timeout that a majority still answers.",
            zh: '观察它的角色列：不再是领导者，尽管没有谁通知它。etcd 的领导者每个选举超时都检查多数派是否还在回应。',
          },
          needs: [leaderCutOff],
          check: ({ model, since, facts }) => {
            const r = raftOf(model, facts.leader);
            const down = raftEvents(since, 'role-change', facts.leader).some((e) => e.from === 'leader');
            return down || (r !== undefined && (r.role !== 'leader' || r.term > facts.term!));
          },
        },
        newLeaderStep,
        majorityCommitsStep,
        healStep('heal'),
        {
          id: 'rejoin',
          text: {
            en: 'The old leader hears the higher term and follows the new leader.',
            zh: '旧领导者得知更高的任期，跟随新领导者。',
          },
          hint: {
            en: 'Watch its row: role follower, the new term, the leader of the majority.',
            zh: '看它所在的行：角色是跟随者，任期是新任期，领导者是多数派的领导者。',
          },
          needs: oldLeaderBack({
            en: 'this step waits to see it hear the higher term of the new leader.',
            zh: '这一步要看它得知新领导者更高的任期。',
          }),
          check: ({ model, facts }) => {
            const r = raftOf(model, facts.leader);
            const l = leaderOf(model);
            return r !== undefined && l !== null && r.role === 'follower' && r.term >= facts.newTerm! && r.leader === l.id;
          },
        },
        {
          id: 'caught-up',
          text: {
            en: 'It receives what the majority committed while it was cut off: nothing committed was lost, on either side.',
            zh: '它收到了被隔离期间多数派提交的内容：两边都没有丢失任何已提交的内容。',
          },
          hint: { en: "Watch its commit and applied columns reach the leader's.", zh: '观察它的提交和应用两列追上领导者。' },
          needs: oldLeaderBack({
            en: 'this step waits to see it receive what the majority committed.',
            zh: '这一步要看它收到多数派提交的内容。',
          }),
          check: ({ model, facts }) => {
            const r = raftOf(model, facts.leader);
            return r !== undefined && r.commit >= facts.majorityCommit! && r.applied >= facts.majorityCommit!;
          },
        },
      ],
      stepTexts: {
        'new-leader': {
          hint: {
            en: 'They no longer hear the old leader: after an election timeout one of them wins with 3 of 5 votes.',
            zh: '它们收不到旧领导者的消息了：一个选举超时后，其中一个以 5 票中的 3 票获胜。',
          },
        },
      },
      trigger: null,
      explanation: {
        en:
          'Raft paper, sections 5.1 and 5.3; dissertation 6.2. ' +
          'Cut off with 2 of 5, the old leader cannot commit anything: a majority is 3. ' +
          'etcd always runs CheckQuorum: a leader that has not heard from a majority for an election timeout steps down, so it stops taking writes that could never commit and its clients look for the new leader. ' +
          'The majority elects a leader of a higher term and commits. ' +
          'On heal the old leader sees the higher term (5.1) and the new leader brings its log up to date (5.3), replacing anything uncommitted it held. ' +
          "Without CheckQuorum, as in the paper's basic algorithm, the old leader would go on leading its old term, taking entries that never commit.",
        zh:
          'Raft 论文第 5.1 和 5.3 节；博士论文 6.2 节。' +
          '被隔离在 5 个中的 2 个里，旧领导者什么都提交不了：多数派是 3 个。' +
          'etcd 总是开启 CheckQuorum：领导者在一个选举超时内没有收到多数派的消息就退位，于是不再接受永远无法提交的写入，它的客户端会去寻找新领导者。' +
          '多数派选出更高任期的领导者并继续提交。' +
          '修复后旧领导者看到更高的任期（5.1 节），新领导者让它的日志追上进度（5.3 节），替换掉它持有的未提交内容。' +
          '没有 CheckQuorum 时，就像论文中的基本算法，旧领导者会继续领导它的旧任期，接受永远不会提交的条目。',
      },
      async solution(d) {
        await d.step('leader');
        const leader = d.facts.leader!;
        const [follower, ...rest] = voters(d.model).filter((id) => id !== leader);
        await d.act({ op: 'partition', groups: [[leader, follower!], rest] });
        await d.step('steps-down');
        await d.step('new-leader');
        await d.submit('found', { via: d.facts.newLeader! });
        await d.step('majority-commits');
        await d.act({ op: 'heal' });
        await d.step('caught-up');
      },
    },
  },
};
