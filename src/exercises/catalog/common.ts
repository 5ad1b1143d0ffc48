// Steps that several exercises share: waiting for the cluster's first leader, isolating a
// follower, healing the network, and a learner joining and catching up.
import { healed, isolatedNodes, latestMembership, leaderOf, settledLeader, voters, type ClusterModel } from '../../cluster-model/index.js';
import { EVERY_NODE_FOLLOWS, majorityRunning, networkWhole } from '../needs.js';
import { logReach, raftEvents, raftOf, watchedFromOutside } from '../observe.js';
import type { CheckResult, Facts, Step, StepContext } from '../types.js';

/**
 * A leader every running node follows. Remembers `leader`, its `term`, and its last log index
 * (`base`; on etcd, which does not report it, its commit index) and commit index (`commit`) at that moment.
 */
export const leaderStep: Step = {
  id: 'leader',
  text: { en: 'Wait until a leader is elected and every node follows it.', zh: '等待选出领导者，所有节点都跟随它。' },
  hint: {
    en: 'Elections need no help: a follower that hears from no leader for its election timeout starts one.',
    zh: '选举无需干预：跟随者在选举超时内没有收到领导者的消息，就会发起选举。',
  },
  needs: [majorityRunning(), networkWhole(EVERY_NODE_FOLLOWS)],
  // Among the voters: on etcd a member's status can come before the member list that names the
  // voters, and a solution that picks followers from them must find them there.
  check: ({ model }) => {
    const l = settledLeader(model);
    return l === undefined || !voters(model).includes(l.id)
      ? false
      : { leader: l.id, term: l.raft!.term, base: logReach(model, l.raft!), commit: l.raft!.commit };
  },
};

/** No partition and no faulty link left. */
export function healStep(id: string): Step {
  return {
    id,
    text: { en: 'Heal the network.', zh: '修复网络。' },
    hint: { en: 'Press h in the dashboard: every link delivers again.', zh: '在仪表盘中按 h：所有链路恢复通信。' },
    command: 'heal',
    check: ({ model }) => healed(model),
  };
}

/**
 * A follower (not the node in `facts[leaderFact]`) cut off alone. Remembers it as `isolated`, with
 * its term (`isolatedTerm`) and last log index (`isolatedLast`) at that moment.
 */
export function isolateStep(id: string, leaderFact: string): Step {
  return {
    id,
    text: { en: 'Isolate a follower: cut it off from every other node.', zh: '隔离一个跟随者：切断它与其他所有节点的联系。' },
    hint: {
      en: 'Select a follower (not the leader) and press i. If you isolated the leader, heal (h) and pick a follower.',
      zh: '选中一个跟随者（不是领导者）并按 i。如果隔离了领导者，先修复（h）再选一个跟随者。',
    },
    command: 'isolate <id>',
    needs: [majorityRunning()],
    check: ({ model, facts }) => {
      const id = isolatedNodes(model).find((x) => x !== facts[leaderFact]);
      const r = raftOf(model, id);
      return id === undefined || r === undefined ? false : { isolated: id, isolatedTerm: r.term, isolatedLast: logReach(model, r) };
    },
  };
}

/**
 * A learner joined: the configuration entry that adds it, or, where the model is read from outside
 * (etcd, whose member list it shows) and no event tells the change, a learner in the configuration
 * (the exercises' clusters start with none). Remembers it as `newNode`, with the leader's commit
 * index (`target`) it must catch up to.
 */
export function learnerJoined({ since, model }: StepContext): CheckResult {
  const commit = leaderOf(model)?.raft?.commit;
  const e = raftEvents(since, 'membership').find((m) => m.change.type === 'add-learner');
  if (e !== undefined) return { newNode: e.change.node, target: commit ?? e.index };
  const id = watchedFromOutside(model) ? latestMembership(model)?.learners[0] : undefined;
  return id === undefined || commit === undefined ? false : { newNode: id, target: commit };
}

/** Whether the learner (`newNode`) holds the log up to `target`: how far its log reaches, as its engine tells. */
export function learnerCaughtUp(model: ClusterModel, facts: Readonly<Facts>): boolean {
  const r = raftOf(model, facts.newNode);
  return r !== undefined && logReach(model, r) >= facts.target!;
}
