// Whether a node given on the command line is one that can answer, or what to run first.
import { memberIds, type ClusterModel, type NodeModel } from '../cluster-model/index.js';
import { CliError } from './failure.js';

function memberList(model: ClusterModel): string {
  return memberIds(model).join(', ');
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
  if (node.process.state === 'paused')
    throw new CliError(`n${id} is paused and answers nothing: \`raft-console resume ${id}${nameFlag}\` first`);
  if (node.process.state !== 'running')
    throw new CliError(`n${id} is ${node.process.state}: \`raft-console restart ${id}${nameFlag}\` starts it again`);
  return node;
}
