// Exercise 8: a sixth node joins a running cluster: as a learner first, then as a voter once it
// holds the log (section 6 of the paper; dissertation 4.1 and 4.2.1). On etcd the same, with etcd's
// learners: the member list shows the learner, and its commit index how far it has caught up.
import { reports } from '../../cluster-model/engine.js';
import { highestTerm, leaderOf, voters, type ClusterModel } from '../../cluster-model/index.js';
import { majorityRunning, running, withMajority } from '../needs.js';
import { becameRole, leaderSeenAbove, raftEvents, raftOf, watchedFromOutside } from '../observe.js';
import type { Facts } from '../types.js';
import type { Exercise, Texts } from '../types.js';
import { leaderStep, learnerCaughtUp, learnerJoined } from './common.js';

const NEW_NODE: Texts = { en: 'the new node', zh: '新节点' };

/**
 * Where the model is read from outside (etcd): the new node is in a term above the one it was
 * promoted in, with a vote in it (a vote, or its own candidacy, from etcd's log lines), or, where no
 * vote is reported, under a leader elected in that higher term.
 */
function votedInModel(model: ClusterModel, facts: Readonly<Facts>): boolean {
  const r = raftOf(model, facts.newNode);
  if (!watchedFromOutside(model) || r === undefined || r.term <= facts.voterTerm!) return false;
  return reports(model.engine, 'vote') ? r.vote !== 0 : leaderSeenAbove(model, facts.voterTerm!) !== undefined;
}

export const newNode: Exercise = {
  id: 'new-node',
  number: 8,
  title: { en: 'A new node joins', zh: '新节点加入' },
  minutes: 15,
  setup: { nodes: 5, speed: 'slow' },
  goal: {
    en: 'Add a sixth node to a running cluster and follow it from empty learner to voter.',
    zh: '给运行中的集群添加第六个节点，跟踪它从空的学习者变成投票者的过程。',
  },
  prediction: {
    question: {
      en: 'Why does the new node join as a learner, not as a voter at once?',
      zh: '为什么新节点先以学习者身份加入，而不是立即成为投票者？',
    },
    answer: {
      en: 'A voter counts toward every majority. An empty voter would count while it holds nothing: with 6 voters a majority is 4, and until it caught up, commits could need it and stall. As a learner it receives the log without voting or counting, and is promoted once it holds every committed entry.',
      zh: '投票者计入每个多数派。一个空的投票者在什么都没有的时候就会被计入：6 个投票者的多数派是 4，在它追上进度之前，提交可能需要它而停滞。作为学习者，它接收日志但不投票也不计数，在拥有所有已提交条目后才被提升。',
    },
    revealAfter: 'voter',
  },
  steps: [
    leaderStep,
    {
      id: 'write',
      text: { en: 'Submit two entries: the new node will have to catch up on them.', zh: '提交两个条目：新节点需要追上它们。' },
      hint: { en: 'Press n and type a word, twice.', zh: '按 n 并输入一个词，重复两次。' },
      command: 'submit <text>',
      needs: [majorityRunning()],
      check: ({ model, facts }) => (leaderOf(model)?.raft?.commit ?? 0) >= facts.base! + 2,
    },
    {
      id: 'add',
      text: {
        en: 'Add a node as a learner: it starts empty and joins the configuration without a vote.',
        zh: '以学习者身份添加一个节点：它从空白开始，加入配置但没有投票权。',
      },
      hint: {
        en: 'Type `:add --learner` on the dashboard\'s command line, or press X to let the exercise do it. The configuration entry "adds learner n6" goes through the log like any entry.',
        zh: '在仪表盘的命令行输入 `:add --learner`，或者按 X 让练习来做。配置条目“添加学习者 n6”像其他条目一样经过日志。',
      },
      command: 'add --learner',
      needs: [majorityRunning()],
      check: learnerJoined,
    },
    {
      id: 'caught-up',
      text: {
        en: 'The leader sends the learner the whole log: it catches up, and stays a learner, for as long as you like.',
        zh: '领导者把整个日志发给学习者：它追上了进度，并一直保持学习者身份，想看多久都可以。',
      },
      hint: {
        en: "Watch its log column grow to the others'. It receives every entry, but no majority counts it: its row stays marked as a learner.",
        zh: '观察它的日志列增长到和其他节点一样。它收到每个条目，但没有哪个多数派计入它：它那一行一直标为学习者。',
      },
      needs: [
        running('newNode', NEW_NODE, {
          en: 'this step waits to see it catch up, and it cannot while it is down.',
          zh: '这一步要看它追上进度，而它宕机时做不到。',
        }),
        withMajority('newNode', NEW_NODE, {
          en: 'it cannot hear the leader, so it cannot catch up.',
          zh: '它听不到领导者，所以无法追上进度。',
        }),
        majorityRunning(),
      ],
      check: ({ model, facts }) => learnerCaughtUp(model, facts),
    },
    {
      id: 'voter',
      text: {
        en: 'Promote it to voter: six voters now, so a majority is 4.',
        zh: '把它提升为投票者：现在有六个投票者，多数派是 4。',
      },
      hint: {
        en: 'Type `:promote 6` (the new node\'s id) on the command line, or press X. Then look for "promotes n6" in the events.',
        zh: '在命令行输入 `:promote 6`（新节点的编号），或者按 X。然后在事件栏中找“提升为投票者 n6”。',
      },
      command: 'promote <id>',
      needs: [
        running('newNode', NEW_NODE, {
          en: 'a voter that is down counts toward the majority without answering.',
          zh: '宕机的投票者计入多数派却不会回应。',
        }),
        majorityRunning(),
      ],
      check: ({ model, facts }) => (voters(model).includes(facts.newNode!) ? { voterTerm: highestTerm(model) } : false),
    },
    {
      id: 'votes',
      text: { en: 'Kill the leader: the new node takes part in electing the next one.', zh: '杀掉领导者：新节点参与选举下一个领导者。' },
      hint: {
        en: 'Select the leader and press x; watch the new node vote (or stand) in the election.',
        zh: '选中领导者并按 x；观察新节点在选举中投票（或参选）。',
      },
      command: 'kill <leader>',
      needs: [
        running('newNode', NEW_NODE, {
          en: 'this step waits to see it vote in the next election.',
          zh: '这一步要看它在下一次选举中投票。',
        }),
        majorityRunning(),
      ],
      check: ({ since, model, facts }) =>
        raftEvents(since, 'vote-cast', facts.newNode).some((v) => v.round === 'vote') ||
        becameRole(since, 'candidate').some((r) => r.node === facts.newNode) ||
        votedInModel(model, facts),
    },
  ],
  trigger: {
    steps: ['add', 'voter'],
    label: ({ model, facts }) => {
      const id = facts.newNode;
      if (id === undefined) return { en: 'add a node as a learner (add --learner)', zh: '以学习者身份添加一个节点（add --learner）' };
      // Offered once the learner holds the log (the step before this one).
      return learnerCaughtUp(model, facts)
        ? { en: `promote the learner n${id} to voter (promote ${id})`, zh: `把学习者 n${id} 提升为投票者（promote ${id}）` }
        : null;
    },
    async run(hands, { facts }) {
      const id = facts.newNode;
      if (id === undefined) {
        await hands.act({ op: 'add', learner: true });
        return { en: 'added a node as a learner', zh: '以学习者身份添加了一个节点' };
      }
      await hands.act({ op: 'promote', node: id });
      return { en: `promoted n${id} to voter`, zh: `把 n${id} 提升为投票者` };
    },
  },
  explanation: {
    en:
      'Raft paper, section 6; dissertation 4.1 and 4.2.1. ' +
      'The configuration is an entry in the log, used as soon as a node has it. ' +
      'Changing one server at a time keeps every old and new majority overlapping, so no term can get two leaders during the change. ' +
      'A new node first joins as a learner: it receives the log but neither votes nor counts. ' +
      'Once it holds every committed entry the leader promotes it; with 6 voters a majority is 4, and the cluster still survives only 2 failures.',
    zh:
      'Raft 论文第 6 节；博士论文 4.1 和 4.2.1 节。' +
      '配置是日志中的一个条目，节点一拿到就使用。' +
      '一次只变更一个服务器，新旧多数派总是相交，所以变更期间任何任期都不会有两个领导者。' +
      '新节点先以学习者身份加入：接收日志，但既不投票也不计入多数派。' +
      '一旦拥有所有已提交的条目，领导者就提升它；6 个投票者的多数派是 4，集群仍然只能容忍 2 个故障。',
  },
  async solution(d) {
    await d.step('leader');
    await d.submit('one');
    await d.submit('two');
    await d.step('write');
    await d.act({ op: 'add', learner: true });
    await d.step('add');
    await d.step('caught-up');
    await d.act({ op: 'promote', node: d.facts.newNode! });
    await d.step('voter');
    await d.act({ op: 'kill', nodes: [leaderOf(d.model)!.id] });
    await d.step('votes');
  },
  etcd: {
    runs: true,
    differs: {
      stepTexts: {
        'caught-up': {
          hint: {
            en: "etcd does not show its log: watch the learner's commit and applied columns reach the others'. It receives every entry, but no majority counts it: its row stays marked as a learner.",
            zh: 'etcd 不公开它的日志：观察学习者的提交和应用两列追上其他成员。它收到每个条目，但没有哪个多数派计入它：它那一行一直标为学习者。',
          },
        },
        voter: {
          hint: {
            en: "Type `:promote 6` (the new member's id) on the command line, or press X. etcd promotes a learner only once it has caught up with the leader.",
            zh: '在命令行输入 `:promote 6`（新成员的编号），或者按 X。etcd 只有在学习者追上领导者之后才会提升它。',
          },
        },
      },
    },
  },
};
