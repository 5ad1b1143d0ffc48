// Exercise 5: a split vote. Two followers start an election for the same term at the same moment;
// neither gets a majority, and the randomized election timeouts break the tie in a later term
// (section 5.2).
import { members, pausedNodes, settledLeader, type ClusterEvent, type ClusterModel } from '../../cluster-model/index.js';
import { allUp, majorityRunning, networkWhole } from '../needs.js';
import { becameRole, isRunning } from '../observe.js';
import type { Exercise } from '../types.js';
import { leaderStep } from './common.js';

/** Who the trigger acts on: the leader to pause and the two lowest followers; null until all four run under one leader. */
function cast(model: ClusterModel): { leader: number; a: number; b: number } | null {
  const l = settledLeader(model);
  const all = members(model);
  if (l === undefined || !all.every(isRunning)) return null;
  const [a, b] = all.filter((n) => n.id !== l.id).map((n) => n.id);
  return a === undefined || b === undefined ? null : { leader: l.id, a, b };
}

/** A term in which two nodes became candidates, nobody won, and a later term has begun. */
function splitTerm(events: readonly ClusterEvent[]): number | null {
  const candidacies = becameRole(events, 'candidate');
  const won = new Set(becameRole(events, 'leader').map((e) => e.term));
  for (const term of new Set(candidacies.map((e) => e.term))) {
    const who = new Set(candidacies.filter((e) => e.term === term).map((e) => e.node));
    if (who.size >= 2 && !won.has(term) && candidacies.some((e) => e.term > term)) return term;
  }
  return null;
}

export const splitVote: Exercise = {
  id: 'split-vote',
  number: 5,
  title: { en: 'Split vote', zh: '选票分裂' },
  minutes: 15,
  // PreVote off, so both become candidates at once; CheckQuorum off, so the followers' lease on
  // the paused leader does not refuse the votes before they are split.
  setup: { nodes: 4, speed: 'slow', raft: { preVote: false, checkQuorum: false } },
  goal: {
    en: 'Two nodes ask for votes in the same term at the same moment. See why neither wins, and how Raft gets out of it.',
    zh: '两个节点在同一任期、同一时刻请求投票。看看为什么谁都赢不了，以及 Raft 如何摆脱这种局面。',
  },
  prediction: {
    question: {
      en: 'The leader is paused; of the three other nodes, two ask for votes at the same moment. Who wins?',
      zh: '领导者被暂停；其余三个节点中有两个在同一时刻请求投票。谁会赢？',
    },
    answer: {
      en: 'Neither: each votes for itself, the third node can give its vote to only one of them, and 2 votes of 4 are not the 3 needed. Both wait for their election timeouts and try again in a new term.',
      zh: '谁都赢不了：它们各自投票给自己，第三个节点只能投给其中一个，4 票中的 2 票达不到所需的 3 票。两者都等到选举超时，在新的任期再试。',
    },
    revealAfter: 'split',
  },
  steps: [
    leaderStep,
    {
      id: 'split',
      text: {
        en: 'Press X: the leader is paused, and two followers start an election at the same moment. Neither wins.',
        zh: '按 X：领导者被暂停，两个跟随者在同一时刻发起选举。谁都赢不了。',
      },
      hint: {
        en: 'Watch both become candidates for the same term and refuse each other ("it already voted in this term"). If one won anyway (its request arrived before the other had started), resume the paused leader (z) and press X again.',
        zh: '观察两者成为同一任期的候选人并互相拒绝（“它在本任期已经投过票”）。如果其中一个还是赢了（它的请求在另一个开始前就到了），恢复被暂停的领导者（z）后再按 X。',
      },
      needs: [
        allUp(
          {
            en: "the exercise's set-up needs all four nodes running under one leader.",
            zh: '练习的布置需要全部四个节点都在同一个领导者之下运行。',
          },
          { pausedUp: true },
        ),
        networkWhole({
          en: 'the two candidates must be able to ask every node for its vote.',
          zh: '两个候选人必须能向每个节点请求投票。',
        }),
      ],
      check: ({ since }) => {
        const term = splitTerm(since);
        return term === null ? false : { splitTerm: term };
      },
    },
    {
      id: 'tie-broken',
      text: {
        en: 'Their random election timeouts differ: the first to time out starts a later term alone and wins it.',
        zh: '它们的随机选举超时各不相同：最先超时的节点独自开始一个更新的任期并获胜。',
      },
      hint: { en: 'Look for a leader in a term above the split one.', zh: '寻找任期高于分裂任期的领导者。' },
      needs: [majorityRunning()],
      check: ({ events, facts }) => {
        const e = becameRole(events, 'leader').find((r) => r.term > facts.splitTerm!);
        return e === undefined ? false : { newLeader: e.node, newTerm: e.term };
      },
    },
    {
      id: 'resume',
      text: {
        en: 'Resume the paused leader: it sees the higher term and becomes a follower.',
        zh: '恢复被暂停的领导者：它看到更高的任期，成为跟随者。',
      },
      hint: { en: 'Select the paused node and press z.', zh: '选中被暂停的节点并按 z。' },
      command: 'resume <id>',
      check: ({ model, facts }) => members(model).every(isRunning) && (settledLeader(model)?.raft!.term ?? 0) >= facts.newTerm!,
    },
  ],
  trigger: {
    steps: ['split'],
    label: ({ model }) => {
      const c = cast(model);
      return c === null
        ? null
        : {
            en: `pause the leader n${c.leader}; n${c.a} and n${c.b} start an election at the same moment`,
            zh: `暂停领导者 n${c.leader}；n${c.a} 和 n${c.b} 同时发起选举`,
          };
    },
    async run(hands, { model }) {
      const c = cast(model);
      if (c === null) throw new Error('wait until all four nodes run and follow one leader (resume a paused node with z)');
      await hands.act({ op: 'pause', nodes: [c.leader] });
      // Both commands leave in the same turn of the event loop: the two elections start together.
      await Promise.all([hands.act({ op: 'campaign', node: c.a }), hands.act({ op: 'campaign', node: c.b })]);
      return {
        en: `paused n${c.leader}; n${c.a} and n${c.b} started an election at the same moment`,
        zh: `暂停了 n${c.leader}；n${c.a} 和 n${c.b} 在同一时刻发起了选举`,
      };
    },
  },
  explanation: {
    en:
      'Raft paper, section 5.2. ' +
      'A candidate votes for itself and a node votes once per term, so two candidates asking at once can split the votes: here 2 of 4, with 3 needed. ' +
      'Neither wins. ' +
      'Each waits for its election timeout and tries again in a new term; as timeouts are random, one usually starts first, alone, and wins. ' +
      'An even size gains nothing: 4 nodes need 3 votes and survive one failure, as 3 do. ' +
      "PreVote and CheckQuorum are off here, or the candidates would stop at the pre-vote or at the followers' lease.",
    zh:
      'Raft 论文第 5.2 节。' +
      '候选人投票给自己，每个节点每个任期只投一票，所以两个候选人同时请求投票时，选票可能分散：这里是 4 票中的 2 票，而需要 3 票。' +
      '谁都赢不了。' +
      '两者各自等待选举超时，在新任期再试；由于超时是随机的，通常会有一个先开始、单独请求投票并获胜。' +
      '偶数规模没有好处：4 个节点需要 3 票、只能容忍一个故障，和 3 个节点一样。' +
      '这里关闭了 PreVote 和 CheckQuorum，否则候选人会停在预投票阶段，或被跟随者的租约拒绝。',
  },
  async solution(d) {
    await d.step('leader');
    // A request can reach the other follower before it has started its own election: then it
    // wins, and the exercise is tried again. Read afresh each time: the tracker records the fact while
    // the awaits below run.
    const split = (): boolean => d.facts.splitTerm !== undefined;
    for (let attempt = 1; !split(); attempt++) {
      // A winner is one of a term after the paused leader's: the model can show that leader settled
      // before the event of its own election has come in, so "a leader event after this point"
      // would count that old election as a winner (the events and the state lines are two streams).
      let term = 0;
      await d.until('all four nodes running under one leader', (ctx) => {
        if (cast(ctx.model) === null) return false;
        term = settledLeader(ctx.model)!.raft!.term;
        return true;
      });
      await d.trigger();
      await d.until(
        'a split vote, or a winner',
        (ctx) => ctx.facts.splitTerm !== undefined || becameRole(ctx.events, 'leader').some((e) => e.term > term),
      );
      if (split()) break;
      if (attempt === 5) throw new Error('five tries at a split vote and one candidate won each time');
      await d.act({ op: 'resume', nodes: pausedNodes(d.model) });
    }
    await d.step('tie-broken');
    await d.act({ op: 'resume', nodes: pausedNodes(d.model) });
    await d.step('resume');
  },
  etcd: {
    runs: false,
    why: {
      en: 'its set-up makes two members start an election at the same moment and needs CheckQuorum off, and etcd has no command to start an election on a member and always runs CheckQuorum',
      zh: '它的设置要让两个成员在同一时刻发起选举，并且需要关闭 CheckQuorum，而 etcd 没有让成员发起选举的命令，CheckQuorum 也总是开启',
    },
  },
};
