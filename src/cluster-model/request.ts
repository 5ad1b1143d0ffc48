// Requests to a cluster's nodes from a client of its model (the CLI's kv commands, the dashboard's
// writes): a client library session over the nodes the model lists, the leader first, and a failure
// explained in one line: which node, what happened to the entry, and what to try. With --via a
// node's own answer is the result, so each answer a single node can give is explained here.
import { RaftClient, RaftClientError, seconds, type WriteResult } from '../client/index.js';
import { ClusterError } from './errors.js';
import { clusterSecret } from './folder.js';
import type { ClusterModel } from './model.js';
import { clientNodes } from './queries.js';

/**
 * Runs `run` with a client of the cluster's nodes as the model lists them (its leader first), and
 * closes it; a failure comes back explained (explainClientError). The client proves the secret in
 * the cluster's folder, or the one in `secretFile`.
 */
export async function withClusterClient<T>(
  model: ClusterModel,
  timeoutMs: number,
  what: 'write' | 'read',
  run: (client: RaftClient) => Promise<T>,
  secretFile?: string,
): Promise<T> {
  const client = new RaftClient({
    clusterId: model.clusterId,
    secret: clusterSecret(model.folder, secretFile),
    nodes: clientNodes(model),
    timeoutMs,
  });
  try {
    return await run(client).catch((err: unknown) => {
      throw explainClientError(err, model, what);
    });
  } finally {
    client.close();
  }
}

/** "at index 7 in term 2, led by n3": where a write committed. */
export function where(w: WriteResult): string {
  return `at index ${w.index} in term ${w.term}, led by ${w.leader.id === null ? w.leader.address : `n${w.leader.id}`}`;
}

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
      return new ClusterError(
        `no leader with a majority answered${err.waitedMs === null ? '' : ` within ${seconds(err.waitedMs)}`}, so the ${what} did not complete: the cluster has no leader with a majority (are most nodes down, paused or cut off? see ${status})`,
      );
    case 'not-leader':
      return new ClusterError(
        err.leader === null
          ? `${who} is not the leader and knows of none (it may be cut off from the majority, or an election is under way): the ${what} was not taken`
          : `${who} is not the leader, n${err.leader.id} is: the ${what} was not taken; send it --via ${err.leader.id}, or without --via to reach the leader`,
      );
    case 'leadership-lost':
      return new ClusterError(
        what === 'write'
          ? `${who} appended the entry but lost its leadership before it saw a majority store it: the entry may still commit under a newer leader, or be replaced by its entries (\`raft-console log ${id}\` shows which)`
          : `${who} lost its leadership before a majority confirmed the read: nothing was read`,
      );
    case 'timeout':
      return new ClusterError(
        what === 'write'
          ? `${who} did not commit the entry in time (can it reach a majority? see ${status}): the entry is in its log and may still commit, or be replaced by a newer leader's (\`raft-console log ${id}\` shows which)`
          : `${who} did not answer in time (can it reach a majority? see ${status}): nothing was read`,
      );
    case 'unreachable':
      return new ClusterError(`cannot reach ${who}: is it running? see ${status}`);
    case 'unavailable':
      return new ClusterError(`${who} is shutting down: try another node`);
    default:
      return new ClusterError(err.message);
  }
}
