// Exercise 9: a node cut off for a long time comes back. Without PreVote its term has grown with
// every failed election and deposes a healthy leader; the exercise then runs again with PreVote on,
// where the node's term stays put and the leader keeps leading (section 5.1; dissertation 9.6).
import { settledLeader, type ClusterModel } from '../../cluster-model/index.js';
import { EVERY_NODE_FOLLOWS, majorityRunning, networkWhole, running, staysIsolated, stillLeads as keepsLeading } from '../needs.js';
import { preVoteRounds, raftEvents, raftOf, termSeen, watchedFromOutside } from '../observe.js';
import type { Exercise, Facts, Need, Texts } from '../types.js';
import { healStep, isolateStep, leaderStep } from './common.js';

/** How many failed elections make the point. */
const ROUNDS = 3;

const ISOLATED: Texts = { en: 'the isolated node', zh: '被隔离的节点' };

/** The isolated node stays cut off alone and running while its elections are counted. */
function keepsTrying(why: Texts): Need[] {
  return [
    running('isolated', ISOLATED, { en: 'a node that is down starts no elections.', zh: '宕机的节点不会发起选举。' }),
    staysIsolated('isolated', ISOLATED, why),
  ];
}

function aFollower(model: ClusterModel, leader: number): number {
  return model.nodes.find((n) => n.id !== leader)!.id;
}

function stillLeads(model: ClusterModel, facts: Readonly<Facts>): boolean {
  const r = raftOf(model, facts.leaderB);
  return r?.role === 'leader' && r.term === facts.termB;
}

export const disruptiveServer: Exercise = {
  id: 'disruptive-server',
  number: 9,
  title: { en: 'A disruptive server, and PreVote', zh: '捣乱的服务器与 PreVote' },
  minutes: 20,
  setup: { nodes: 5, speed: 'slow', raft: { preVote: false } },
  rebuild: {
    after: 'deposed',
    raft: { preVote: true },
    label: { en: 'start the cluster again, now with PreVote on', zh: '重新启动集群，这次开启 PreVote' },
  },
  goal: {
    en: 'Cut a follower off for a while and let it back: first with PreVote off, then on. Compare what happens to the leader.',
    zh: '把一个跟随者隔离一段时间再放回来：先关闭 PreVote，再开启。比较领导者的遭遇。',
  },
  prediction: {
    question: {
      en: 'The isolated node comes back with a much higher term. What happens to the healthy leader?',
      zh: '被隔离的节点带着高得多的任期回来了。健康的领导者会怎样？',
    },
    answer: {
      en: 'Without PreVote it is deposed: any message with a higher term makes a server step down (5.1), though nothing was wrong, and the cluster stops for an election. With PreVote the isolated node never raised its term, so nothing happens.',
      zh: '没有 PreVote 时它会被废黜：任何携带更高任期的消息都会让服务器退位（5.1 节），尽管一切正常，集群也要停下来选举。启用 PreVote 时，被隔离的节点从未提高任期，所以什么都不会发生。',
    },
    revealAfter: 'deposed',
  },
  steps: [
    leaderStep,
    isolateStep('isolate', 'leader'),
    {
      id: 'inflate',
      text: {
        en: `PreVote is off: each election timeout, the isolated node starts an election it cannot win and raises its term. Wait until it is ${ROUNDS} terms ahead.`,
        zh: `PreVote 已关闭：每次选举超时，被隔离的节点都会发起一次赢不了的选举，并提高任期。等它领先 ${ROUNDS} 个任期。`,
      },
      hint: { en: 'Watch its term column climb while the others stay.', zh: '观察它的任期列不断上升，而其他节点保持不变。' },
      needs: keepsTrying({
        en: 'it hears the leader again, so it starts no more elections and its term stops climbing.',
        zh: '它又能听到领导者了，于是不再发起选举，任期也不再上升。',
      }),
      check: ({ model, since, facts }) => {
        const term = termSeen(model, since, facts.isolated);
        return term >= facts.term! + ROUNDS ? { inflated: term } : false;
      },
    },
    healStep('heal'),
    {
      id: 'deposed',
      text: {
        en: "The healthy leader is deposed by the higher term, and the cluster elects a leader again, in a term above the isolated node's.",
        zh: '健康的领导者被更高的任期废黜，集群重新选举领导者，任期高于被隔离节点的任期。',
      },
      hint: {
        en: 'Look for "becomes follower ... it saw a higher term" on the old leader.',
        zh: '在旧领导者上找“成为跟随者：它看到了更高的任期”。',
      },
      // Where the model is read from outside (etcd), every running node under a leader above the
      // inflated term is enough: the old leader, in a lower term until then, has had to step down.
      needs: [majorityRunning()],
      check: ({ since, model, facts }) =>
        (watchedFromOutside(model) ||
          raftEvents(since, 'role-change', facts.leader).some((e) => e.from === 'leader' && e.cause === 'higher-term')) &&
        (settledLeader(model)?.raft?.term ?? 0) > facts.inflated!,
    },
    {
      id: 'prevote-leader',
      text: {
        en: 'The exercise starts the cluster again, this time with PreVote on. Wait for its leader.',
        zh: '练习重新启动集群，这次开启 PreVote。等待它的领导者。',
      },
      hint: { en: 'The header shows the switches: PreVote is no longer listed as off.', zh: '标题栏显示开关：PreVote 不再显示为关闭。' },
      needs: [majorityRunning(), networkWhole(EVERY_NODE_FOLLOWS)],
      check: ({ model }) => {
        const l = settledLeader(model);
        return model.switches.preVote && l !== undefined ? { leaderB: l.id, termB: l.raft!.term } : false;
      },
    },
    isolateStep('isolate-again', 'leaderB'),
    {
      id: 'no-inflate',
      text: {
        en: `PreVote is on: the isolated node only asks whether others would vote for it. No one answers, so it never raises its term. Wait for ${ROUNDS} such rounds.`,
        zh: `PreVote 已开启：被隔离的节点只是询问别人是否会投票给它。没有人回应，所以它从不提高任期。等待 ${ROUNDS} 轮这样的询问。`,
      },
      hint: { en: 'Watch it turn pre-candidate again and again, its term unchanged.', zh: '观察它一次次变成预候选人，任期不变。' },
      needs: keepsTrying({
        en: 'it hears the leader again, so it asks for no more votes.',
        zh: '它又能听到领导者了，于是不再请求投票。',
      }),
      check: ({ since, model, facts }) =>
        preVoteRounds(model, since, facts.isolated) >= ROUNDS && termSeen(model, since, facts.isolated) === facts.isolatedTerm,
    },
    healStep('heal-again'),
    {
      id: 'undisturbed',
      text: {
        en: 'The leader keeps leading: the node rejoins as a follower, in the same term.',
        zh: '领导者继续领导：该节点以跟随者身份、在同一任期重新加入。',
      },
      hint: { en: 'The term in the header does not change.', zh: '标题栏中的任期没有变化。' },
      needs: [
        keepsLeading(
          'leaderB',
          { en: 'the leader', zh: '领导者' },
          { en: 'this step watches it keep leading through the heal.', zh: '这一步要看它在网络修复后继续领导。' },
          'prevote-leader',
        ),
      ],
      check: ({ model, facts, after }) => {
        const r = raftOf(model, facts.isolated);
        const deposed = raftEvents(after('heal-again'), 'role-change', facts.leaderB).some((e) => e.from === 'leader');
        return r?.role === 'follower' && r.leader === facts.leaderB && r.term === facts.termB && stillLeads(model, facts) && !deposed;
      },
    },
  ],
  explanation: {
    en:
      'Raft paper, section 5.1; dissertation 9.6. ' +
      'A node that sees a higher term adopts it and becomes a follower. ' +
      'A node cut off keeps timing out and, without PreVote, raises its term each time; back, its higher term reaches the leader (in its answers to heartbeats) and the healthy leader steps down: the cluster waits for an election. ' +
      'With PreVote a node first asks whether a majority would vote for it, without raising its term. ' +
      'Cut off, it never gets one; back, it just follows the leader. ' +
      "CheckQuorum's lease alone does not stop this: the answers still carry the term.",
    zh:
      'Raft 论文第 5.1 节；博士论文 9.6 节。' +
      '节点看到更高的任期就采用它并成为跟随者。' +
      '被隔离的节点不断超时，没有 PreVote 时每次都提高任期；回来后，它更高的任期（在对心跳的回复中）传到领导者那里，健康的领导者只好退位：集群要等一次选举。' +
      '启用 PreVote 时，节点先询问多数派是否会投票给它，而不提高任期。' +
      '被隔离时它永远得不到多数派；回来后直接跟随领导者。' +
      '仅靠 CheckQuorum 的租约防不住：回复中仍然带着任期。',
  },
  async solution(d) {
    await d.step('leader');
    await d.act({ op: 'isolate', node: aFollower(d.model, d.facts.leader!) });
    await d.step('inflate');
    await d.act({ op: 'heal' });
    await d.step('deposed');
    await d.step('prevote-leader');
    await d.act({ op: 'isolate', node: aFollower(d.model, d.facts.leaderB!) });
    await d.step('no-inflate');
    await d.act({ op: 'heal' });
    await d.step('undisturbed');
  },
  // etcd has the same switch (--pre-vote, off by default in 3.4), and its CheckQuorum, always on,
  // lets the cut-off node's higher term reach the leader in its answers to heartbeats, as here.
  etcd: {
    runs: true,
    differs: {
      stepTexts: {
        deposed: {
          hint: {
            en: "Watch the old leader's row: it takes the isolated member's higher term and steps down; then a leader is elected in a term above it.",
            zh: '看旧领导者所在的行：它采用了被隔离成员更高的任期并退位；随后在更高的任期选出领导者。',
          },
        },
      },
    },
  },
};
