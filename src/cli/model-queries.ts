// Questions the commands ask of the supervisor's model: who leads, and whether a node given on the
// command line is one that can answer.
import type { ClusterModel, NodeModel } from '../cluster/index.js';
import { CliError } from './failure.js';

/** The running leader with the highest term, as the nodes last reported; null when there is none. */
export function leaderOf(model: Omit<ClusterModel, 'events'>): NodeModel | null {
  let best: NodeModel | null = null;
  for (const n of model.nodes)
    if (!n.removed && n.process.state === 'running' && n.raft?.role === 'leader' && (best === null || n.raft.term > best.raft!.term)) best = n;
  return best;
}

/**
 * The nodes a client should try, the leader of the highest term first: a leader stranded in a
 * minority still believes it leads and would take the write, which could then never commit.
 */
export function clientNodes(model: Omit<ClusterModel, 'events'>): Array<{ id: number; address: string }> {
  const leader = leaderOf(model);
  const members = model.nodes.filter((n) => !n.removed);
  const ordered = leader === null ? members : [leader, ...members.filter((n) => n !== leader)];
  return ordered.map((n) => ({ id: n.id, address: n.address }));
}

function memberList(model: ClusterModel): string {
  return model.nodes.filter((n) => !n.removed).map((n) => n.id).join(', ');
}

/** A node of the cluster, or an error listing the ones there are. */
function memberOf(model: ClusterModel, id: number): NodeModel {
  const node = model.nodes.find((n) => n.id === id);
  if (node === undefined) throw new CliError(`no node ${id} in the cluster ${model.name}: its nodes are ${memberList(model)}`);
  if (node.removed) throw new CliError(`n${id} was removed from the cluster ${model.name}: its nodes are ${memberList(model)}`);
  return node;
}

/** A node that can answer a request now, or an error saying why not and what to run (`nameFlag`: how to name the cluster in it). */
export function runningNode(model: ClusterModel, id: number, nameFlag: string): NodeModel {
  const node = memberOf(model, id);
  if (node.process.state === 'paused') throw new CliError(`n${id} is paused and answers nothing: \`raft-console resume ${id}${nameFlag}\` first`);
  if (node.process.state !== 'running') throw new CliError(`n${id} is ${node.process.state}: \`raft-console restart ${id}${nameFlag}\` starts it again`);
  return node;
}
