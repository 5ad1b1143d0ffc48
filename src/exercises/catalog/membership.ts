// Exercise 12: a membership change step by step, and why its rule exists. A node joins as a learner,
// catches up and is promoted (dissertation 4.1, 4.2.1); then the leader itself is removed: it
// commits its own removal, steps down, and the remaining voters elect the next leader (4.2.2). The
// prediction and the explanation are about the rule a new leader follows before it changes the
// configuration, and the bug without it (Ongaro, raft-dev 2015). That bug needs a new leader to
// change the configuration in the one round trip before its first entry commits, after an earlier
// leader's change reached only a minority: the simulator plays it (the conf-change-before-term-commit
// switch), a live dashboard would not show it, and the exercise says so rather than pretend.
import { highestTerm, leaderOf, voters, type ClusterModel } from '../../cluster-model/index.js';
import type { Exercise } from '../types.js';
import { leaderStep, learnerCaughtUp, learnerJoined } from './common.js';

/**
 * Whether the leader's configuration is committed: its entry at or below the leader's commit index.
 * Where the engine does not say which entry (etcd), the member list it reports is the committed one.
 */
function configCommitted(model: ClusterModel): boolean {
  const r = leaderOf(model)?.raft;
  if (r == null) return false;
  return r.configIndex === undefined || r.configIndex <= r.commit;
}

export const membership: Exercise = {
  id: 'membership',
  number: 12,
  title: { en: 'Membership: a node joins, the leader leaves', zh: '成员变更：新节点加入，领导者离开' },
  minutes: 20,
  setup: { nodes: 3, speed: 'slow' },
  goal: {
    en: 'Follow a membership change step by step on the members panel (Tab): a node joins as a learner, catches up and is promoted; then remove the leader itself and see who leads next.',
    zh: '在成员面板（Tab）上一步步跟踪成员变更：新节点以学习者身份加入、追上进度并被提升；然后移除领导者本身，看谁接任。',
  },
  prediction: {
    question: {
      en: 'A new leader may not change the configuration until it has committed an entry of its own term (its no-op does that within one round trip). What could go wrong without this rule?',
      zh: '新领导者在提交一个自己任期的条目之前（它的空条目在一个往返内就会提交），不能变更配置。没有这条规则会出什么问题？',
    },
    answer: {
      en: "An earlier leader may have left a change of its own in a minority of logs, uncommitted; the new leader never saw it. If the new leader now makes a different change, the two configurations each differ from the old one by one server but not from each other: their majorities need not overlap, and each can elect its own leader in the same term (two leaders, the 2015 bug). Committing an entry of its own term first overwrites or outvotes the old leader's stray change before any new one starts.",
      zh: '之前的领导者可能在少数节点的日志里留下了它自己的一个未提交变更，新领导者从未见过它。如果新领导者此时做另一个变更，这两个配置各自只与旧配置相差一个服务器，但彼此之间不止：它们的多数派不一定相交，可能在同一任期各自选出一个领导者（两个领导者，即 2015 年发现的缺陷）。先提交一个自己任期的条目，就会在新变更开始前覆盖或压过旧领导者遗留的变更。',
    },
    revealAfter: 'next-leader',
  },
  steps: [
    leaderStep,
    {
      id: 'add',
      text: {
        en: 'Add a node as a learner, and press Tab until the members panel shows: it starts empty, in the configuration without a vote.',
        zh: '以学习者身份添加一个节点，并按 Tab 直到显示成员面板：它从空白开始，在配置中但没有投票权。',
      },
      hint: {
        en: 'Type `:add --learner` on the dashboard\'s command line, or press X. The panel shows the leader\'s configuration entry "adds learner n4", first NOT committed, then committed.',
        zh: '在仪表盘的命令行输入 `:add --learner`，或者按 X。面板显示领导者的配置条目“添加学习者 n4”，先是尚未提交，然后已提交。',
      },
      command: 'add --learner',
      check: learnerJoined,
    },
    {
      id: 'caught-up',
      text: {
        en: 'The leader sends the learner the log: watch "catching up: holds x of y entries" on the members panel until it has caught up.',
        zh: '领导者把日志发给学习者：在成员面板上观察“正在追赶：持有 y 个条目中的 x 个”，直到它追上。',
      },
      hint: {
        en: "The numbers are the leader's view: the learner's match index against the leader's last index. A learner counts in no majority, so the cluster commits at full speed meanwhile.",
        zh: '这些数字是领导者的视角：学习者的匹配索引对比领导者的最后索引。学习者不计入任何多数派，所以集群在此期间照常全速提交。',
      },
      check: ({ model, facts }) => learnerCaughtUp(model, facts),
    },
    {
      id: 'promote',
      text: {
        en: 'Promote it to voter, and wait until the new configuration is committed: four voters, a majority is 3.',
        zh: '把它提升为投票者，等待新配置提交：四个投票者，多数派是 3。',
      },
      hint: {
        en: "Type `:promote 4` (the new node's id), or press X. The leader refuses a promotion before the learner holds every committed entry.",
        zh: '输入 `:promote 4`（新节点的编号），或者按 X。学习者拥有全部已提交条目之前，领导者会拒绝提升。',
      },
      command: 'promote <id>',
      check: ({ model, facts }) => {
        const leader = leaderOf(model);
        if (leader === null || !voters(model).includes(facts.newNode!) || !configCommitted(model)) return false;
        return { lead: leader.id, leadTerm: leader.raft!.term };
      },
    },
    {
      id: 'remove-leader',
      text: {
        en: 'Remove the leader itself. Predict first: who commits that change, and what does the leader do then?',
        zh: '移除领导者本身。先预测：谁来提交这个变更？之后领导者会做什么？',
      },
      hint: {
        en: 'Select the leader (★) and press -, or type `:remove <id>`. It commits its own removal (without counting itself), then steps down: "it was removed from the cluster".',
        zh: '选中领导者（★）并按 -，或输入 `:remove <编号>`。它提交自己的移除（不把自己计入多数派），然后下台：“它已被移出集群”。',
      },
      command: 'remove <leader>',
      check: ({ model, facts }) => (voters(model).includes(facts.lead!) ? false : { removedTerm: highestTerm(model) }),
    },
    {
      id: 'next-leader',
      text: {
        en: 'The remaining voters elect the next leader, among them perhaps the node that joined.',
        zh: '剩下的投票者选出下一个领导者，也许正是新加入的节点。',
      },
      hint: {
        en: 'The removed leader hands over at once to the most up-to-date voter (TimeoutNow, dissertation 4.2.2), or the others time out and elect one.',
        zh: '被移除的领导者立即把领导权交给日志最新的投票者（TimeoutNow，博士论文 4.2.2 节），否则其他节点超时后选出一个。',
      },
      check: ({ model, facts }) => {
        const l = leaderOf(model);
        return l === null || l.id === facts.lead || !voters(model).includes(l.id) ? false : { nextLeader: l.id };
      },
    },
  ],
  trigger: {
    steps: ['add', 'promote', 'remove-leader'],
    label: ({ model, facts }) => {
      const id = facts.newNode;
      if (id === undefined) return { en: 'add a node as a learner (add --learner)', zh: '以学习者身份添加一个节点（add --learner）' };
      if (!voters(model).includes(id))
        return learnerCaughtUp(model, facts)
          ? { en: `promote the learner n${id} to voter (promote ${id})`, zh: `把学习者 n${id} 提升为投票者（promote ${id}）` }
          : null;
      const leader = leaderOf(model);
      return leader === null || facts.lead === undefined
        ? null
        : { en: `remove the leader n${leader.id} (remove ${leader.id})`, zh: `移除领导者 n${leader.id}（remove ${leader.id}）` };
    },
    async run(hands, { model, facts }) {
      const id = facts.newNode;
      if (id === undefined) {
        await hands.act({ op: 'add', learner: true });
        return { en: 'added a node as a learner', zh: '以学习者身份添加了一个节点' };
      }
      if (!voters(model).includes(id)) {
        await hands.act({ op: 'promote', node: id });
        return { en: `promoted n${id} to voter`, zh: `把 n${id} 提升为投票者` };
      }
      const leader = leaderOf(model)!.id;
      await hands.act({ op: 'remove', node: leader });
      return { en: `removed the leader n${leader}`, zh: `移除了领导者 n${leader}` };
    },
  },
  explanation: {
    en:
      'Dissertation 4.1, 4.2.1 and 4.2.2, with the correction of 2015 (raft-dev, "bug in single-server membership changes"). ' +
      'A configuration is an entry in the log, used as soon as a node has it, committed or not; one change at a time, so any old and new majority overlap. ' +
      'A learner receives the log without counting, and is promoted once it holds every committed entry. ' +
      'A removed leader keeps leading until its removal commits (counting the new voters only), then steps down and hands over. ' +
      'The rule: a new leader changes the configuration only after an entry of its own term is committed. ' +
      "Without it (known bug conf-change-before-term-commit), a change an old leader left in a minority and the new leader's change can have disjoint majorities, and two leaders in one term. " +
      "On a live cluster the window is the one round trip before the new leader's no-op commits, too short to see here: " +
      "in raft-console's source, `npx vitest run test/sim/conf-change-bug.test.ts` plays the thread's trace on the simulator: two leaders in term 3 with the bug, none without.",
    zh:
      '博士论文 4.1、4.2.1 和 4.2.2 节，以及 2015 年的更正（raft-dev 邮件列表，“单服务器成员变更中的缺陷”）。' +
      '配置是日志中的一个条目，节点一拿到就使用，无论是否已提交；一次只做一个变更，新旧多数派总是相交。' +
      '学习者接收日志但不计入多数派，拥有全部已提交条目后才被提升。' +
      '被移除的领导者在移除提交之前继续领导（只计入新配置的投票者），然后下台并移交领导权。' +
      '规则：新领导者必须先提交一个自己任期的条目，才能变更配置。' +
      '没有这条规则（已知缺陷 conf-change-before-term-commit），旧领导者留在少数节点上的变更和新领导者的变更可能拥有不相交的多数派，同一任期出现两个领导者。' +
      '在真实集群上，这个窗口只是新领导者的空条目提交之前的一个往返，短到在这里看不到：' +
      '在 raft-console 的源码中，`npx vitest run test/sim/conf-change-bug.test.ts` 在模拟器上重现邮件中的过程：有缺陷时任期 3 出现两个领导者，没有缺陷时不会。',
  },
  async solution(d) {
    await d.step('leader');
    await d.submit('one');
    await d.act({ op: 'add', learner: true });
    await d.step('add');
    await d.step('caught-up');
    await d.act({ op: 'promote', node: d.facts.newNode! });
    await d.step('promote');
    await d.act({ op: 'remove', node: d.facts.lead! });
    await d.step('remove-leader');
    await d.step('next-leader');
  },
  etcd: {
    runs: true,
    differs: {
      stepTexts: {
        'caught-up': {
          text: {
            en: "The leader sends the learner the log: etcd does not report its progress, so watch the learner's commit and applied columns reach the others'.",
            zh: '领导者把日志发给学习者：etcd 不报告领导者的进度，请观察学习者的提交和应用两列追上其他成员。',
          },
        },
      },
    },
  },
};
