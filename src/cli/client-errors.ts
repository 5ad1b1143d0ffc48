// What a failed request to the cluster's nodes means, in the CLI's words: which node, what happened
// to the entry, and what to try. With --via a node's own answer is the result, so each answer a
// single node can give is explained here.
import type { ClusterModel } from '../cluster/index.js';
import { RaftClientError } from '../client/index.js';
import { CliError } from './failure.js';

function nodeName(model: ClusterModel, address: string | null): string {
  const node = model.nodes.find((n) => n.address === address);
  return node === undefined ? (address ?? 'a node') : `n${node.id}`;
}

/** A RaftClientError as one line with its fix; any other error as it is. */
export function explainClientError(err: unknown, model: ClusterModel, what: 'write' | 'read' | 'request'): unknown {
  if (!(err instanceof RaftClientError)) return err;
  const who = nodeName(model, err.node);
  const id = who.replace(/^n/, '');
  const status = '`raft-console status`';
  switch (err.code) {
    case 'no-leader':
      // The client's sentence up to its first colon: "no leader with a majority answered within 5 s".
      return new CliError(`${err.message.replace(/:.*$/s, '')}, so the ${what} did not complete: the cluster has no leader with a majority (are most nodes down, paused or cut off? see ${status})`);
    case 'not-leader':
      return new CliError(
        err.leader === null
          ? `${who} is not the leader and knows of none (it may be cut off from the majority, or an election is under way): the ${what} was not taken`
          : `${who} is not the leader, n${err.leader.id} is: the ${what} was not taken; send it --via ${err.leader.id}, or without --via to reach the leader`,
      );
    case 'leadership-lost':
      return new CliError(
        what === 'write'
          ? `${who} appended the entry but lost its leadership before a majority stored it: the entry stays uncommitted in its log (\`raft-console log ${id}\`) until a leader of a newer term replaces it`
          : `${who} lost its leadership before a majority confirmed the read: nothing was read`,
      );
    case 'timeout':
      return new CliError(
        what === 'write'
          ? `${who} did not commit the entry in time: it cannot reach a majority, so the entry stays uncommitted in its log (\`raft-console log ${id}\`); see ${status}`
          : `${who} did not answer in time: it cannot reach a majority; see ${status}`,
      );
    case 'unreachable':
      return new CliError(`cannot reach ${who}: is it running? see ${status}`);
    case 'unavailable':
      return new CliError(`${who} is shutting down: try another node`);
    default:
      return new CliError(err.message);
  }
}
