// Exercise 3: the leader crashes; the others elect a new one in a higher term, and the old leader
// comes back as a follower (sections 5.1 and 5.2). On etcd the same; its timers are hidden, so a
// candidacy, or the new leader in the model, shows that the election began.
import { leaderOf } from '../../cluster-model/index.js';
import { majorityRunning, running, staysDown } from '../needs.js';
import { becameRole, electionsStarted, isDown, isRunning, leaderSeenAbove, node, raftOf } from '../observe.js';
import type { Exercise, Texts } from '../types.js';
import { leaderStep } from './common.js';

const OLD_LEADER: Texts = { en: 'the old leader', zh: '旧领导者' };
const ELECTED_WITHOUT_IT: Texts = {
  en: 'this step waits for the others to elect a new leader without it, and it could win again.',
  zh: '这一步要等其他节点在没有它的情况下选出新领导者，而它可能再次当选。',
};

export const leaderFailure: Exercise = {
  id: 'leader-failure',
  number: 3,
  title: { en: 'Leader failure', zh: '领导者故障' },
  minutes: 10,
  setup: { nodes: 5, speed: 'slow' },
  goal: {
    en: 'Kill the leader and watch the cluster replace it; then bring the old leader back.',
    zh: '杀掉领导者，观察集群如何选出替代者；然后让旧领导者回来。',
  },
  prediction: {
    question: {
      en: 'After the leader dies, in which term will the next leader be? When the old leader restarts, will it lead again?',
      zh: '领导者宕机后，下一个领导者会在哪个任期？旧领导者重启后，会再次成为领导者吗？',
    },
    answer: {
      en: 'A higher term: every election raises the term by at least one. The old leader restarts as a follower, like every node, and follows the new leader once it sees the higher term.',
      zh: '更高的任期：每次选举都至少把任期加一。旧领导者和所有节点一样以跟随者身份重启，看到更高的任期后就跟随新领导者。',
    },
    revealAfter: 'rejoin',
  },
  steps: [
    leaderStep,
    {
      id: 'kill',
      text: { en: 'Kill the leader.', zh: '杀掉领导者。' },
      hint: {
        en: "Select the leader's row (arrows or its number) and press x: a crash, as with kill -9.",
        zh: '选中领导者所在行（方向键或数字键）并按 x：相当于 kill -9 的崩溃。',
      },
      command: 'kill <id>',
      needs: [majorityRunning({ besides: 'leader' })],
      check: ({ model, facts }) => isDown(node(model, facts.leader)) && node(model, facts.leader)!.process.state !== 'paused',
    },
    {
      id: 'timeout',
      text: { en: "The heartbeats stop; a follower's election timer fires.", zh: '心跳停止；某个跟随者的选举计时器到期。' },
      hint: {
        en: 'Wait one election timeout (1.5-3 s): "heard nothing from nX ... and starts an election".',
        zh: '等待一个选举超时（1.5-3 秒）：“没有收到 nX 的任何消息，发起选举”。',
      },
      needs: [staysDown('leader', OLD_LEADER, ELECTED_WITHOUT_IT), majorityRunning({ besides: 'leader' })],
      check: ({ since, model, facts }) =>
        electionsStarted(model, since).some((e) => e.node !== facts.leader) ||
        leaderSeenAbove(model, facts.term!, facts.leader) !== undefined,
    },
    {
      id: 'new-leader',
      text: { en: 'A follower wins the election and leads, in a higher term.', zh: '某个跟随者赢得选举成为领导者，任期更高。' },
      hint: { en: 'Compare the term in the header with the term of the old leader.', zh: '比较标题栏中的任期和旧领导者的任期。' },
      needs: [staysDown('leader', OLD_LEADER, ELECTED_WITHOUT_IT), majorityRunning({ besides: 'leader' })],
      check: ({ since, model, facts }) => {
        const e = becameRole(since, 'leader').find((r) => r.node !== facts.leader && r.term > facts.term!);
        if (e !== undefined) return { newLeader: e.node, newTerm: e.term };
        const l = leaderSeenAbove(model, facts.term!, facts.leader);
        return l === undefined ? false : { newLeader: l.id, newTerm: l.raft!.term };
      },
    },
    {
      id: 'restart',
      text: { en: 'Restart the old leader.', zh: '重启旧领导者。' },
      hint: { en: 'Select it and press r: it starts again from its data directory.', zh: '选中它并按 r：它会从自己的数据目录重新启动。' },
      command: 'restart <id>',
      needs: [majorityRunning()],
      check: ({ model, facts }) => isRunning(node(model, facts.leader)),
    },
    {
      id: 'rejoin',
      text: {
        en: 'It comes back as a follower, sees the higher term, and follows the new leader.',
        zh: '它以跟随者身份回来，看到更高的任期，然后跟随新领导者。',
      },
      hint: {
        en: 'Watch its row: role follower, the new term, the new leader.',
        zh: '看它所在的行：角色是跟随者，任期是新任期，领导者是新领导者。',
      },
      needs: [
        running('leader', OLD_LEADER, {
          en: 'this step waits to see it come back as a follower, and it cannot while it is down.',
          zh: '这一步要看它以跟随者身份回来，而它宕机时做不到。',
        }),
        majorityRunning(),
      ],
      check: ({ model, facts }) => {
        const old = raftOf(model, facts.leader);
        const current = leaderOf(model);
        return old !== undefined && current !== null && old.role === 'follower' && old.term >= facts.newTerm! && old.leader === current.id;
      },
    },
  ],
  explanation: {
    en:
      'Raft paper, sections 5.1 and 5.2. ' +
      'Followers know the leader is alive only from its heartbeats. ' +
      'When they stop, the first follower whose election timeout runs out becomes a candidate in a higher term and wins with a majority: 4 nodes remain, 3 are needed. ' +
      'Each term has at most one leader (Election Safety). ' +
      'A node restarts as a follower with its saved term and log; a message with a higher term makes any node adopt it and follow (5.1), so the old leader cannot lead its old term again.',
    zh:
      'Raft 论文第 5.1 和 5.2 节。' +
      '跟随者只能通过心跳知道领导者还活着。' +
      '心跳停止后，第一个选举超时到期的跟随者在更高的任期成为候选人，并以多数票获胜：还剩 4 个节点，需要 3 票。' +
      '每个任期最多只有一个领导者（选举安全性）。' +
      '节点重启时是跟随者，带着保存的任期和日志；任何节点看到更高任期的消息都会采用该任期并跟随（5.1 节），所以旧领导者不能再领导它的旧任期。',
  },
  async solution(d) {
    await d.step('leader');
    await d.act({ op: 'kill', nodes: [d.facts.leader!] });
    await d.step('new-leader');
    await d.act({ op: 'restart', nodes: [d.facts.leader!] });
    await d.step('rejoin');
  },
  etcd: {
    runs: true,
    differs: {
      stepTexts: {
        timeout: {
          hint: {
            en: 'Wait about one election timeout. etcd does not show its timers: the first sign is a member that starts an election, in the events.',
            zh: '等待大约一个选举超时。etcd 不公开它的计时器：第一个迹象是事件栏中某个成员发起选举。',
          },
        },
        restart: {
          hint: {
            en: 'Select it and press r: etcd starts again from its data directory.',
            zh: '选中它并按 r：etcd 从它的数据目录重新启动。',
          },
        },
      },
    },
  },
};
