// Requests to a cluster's nodes from a client of its model (the CLI's kv commands, the dashboard's
// writes): a client library session over the nodes the model lists, the leader first, and a failure
// explained in one line: which node, what happened to the entry, and what to try. With --via a
// node's own answer is the result, so each answer a single node can give is explained here.
// An etcd cluster's members are reached through etcd's JSON gateway instead, on their client URLs:
// this is the one place that tells the two engines apart for a client request.
import { setTimeout as sleep } from 'node:timers/promises';
import { RaftClient, RaftClientError, seconds, type WriteResult } from '../client/index.js';
import { EtcdError, notSent, saysNoLeader, writeNotApplied } from '../etcd/errors.js';
import { EtcdGateway, type EtcdConnectionOptions } from '../etcd/gateway.js';
import { ClusterError } from './errors.js';
import { clusterSecret } from './folder.js';
import type { ClusterModel } from './model.js';
import { clientNodes, etcdClientUrls } from './queries.js';

/** How a request is carried out on each engine: with raft-console's client library, or on etcd's members. */
export interface EngineClients<T> {
  raft: (client: RaftClient) => Promise<T>;
  etcd: (members: EtcdMembers) => Promise<T>;
}

/** How to talk to an attached etcd cluster beyond its URLs (dashboard --etcd's --cacert, --cert, --key, --user). */
export type EtcdCredentials = Pick<EtcdConnectionOptions, 'tls' | 'user'>;

/**
 * Runs the request with a client of the cluster's nodes as the model lists them (its leader first),
 * and closes it; a failure comes back explained (explainClientError, explainEtcdError). On a
 * raft-console cluster the client proves the secret in the cluster's folder, or the one in
 * `secretFile`; an etcd cluster's members are asked through their client URLs, with `credentials`
 * when it wants TLS or a user.
 */
export async function withClusterClient<T>(
  model: ClusterModel,
  timeoutMs: number,
  what: 'write' | 'read',
  run: EngineClients<T>,
  secretFile?: string,
  credentials: EtcdCredentials = {},
): Promise<T> {
  if (model.engine.kind === 'etcd') {
    const urls = etcdClientUrls(model);
    if (urls.length === 0) throw new ClusterError('no etcd member of this cluster has a client URL yet: see `raft-console status`');
    const gateway = new EtcdGateway({ ...credentials, endpoints: urls, timeoutMs });
    try {
      return await run.etcd(new EtcdMembers(gateway, model, urls, what)).catch((err: unknown) => {
        throw explainEtcdError(err, model, what, timeoutMs);
      });
    } finally {
      gateway.close();
    }
  }
  const client = new RaftClient({
    clusterId: model.clusterId,
    secret: clusterSecret(model.folder, secretFile),
    nodes: clientNodes(model),
    timeoutMs,
  });
  try {
    return await run.raft(client).catch((err: unknown) => {
      throw explainClientError(err, model, what);
    });
  } finally {
    client.close();
  }
}

/** How long a read waits for an election to end when the model gives no timing (an attached cluster started without the flags). */
const ELECTION_WAIT_MS = 1000;

/**
 * An etcd cluster's members for one request: `call` sends it to the first member that takes it
 * (the leader first). A read moves on to the next member when one is down, slow or refuses it for
 * now. A write moves on only when the connection was refused, so the member surely never saw it:
 * etcd has no client sessions, and a write sent again after a timeout could be applied twice.
 */
export class EtcdMembers {
  constructor(
    readonly gateway: EtcdGateway,
    private readonly model: ClusterModel,
    private readonly urls: readonly string[],
    private readonly what: 'write' | 'read',
  ) {}

  /** The client URL of node `id` (for --via), or a ClusterError naming the members that have one. */
  urlOf(id: number): string {
    const url = this.model.nodes.find((n) => n.id === id)?.etcd?.clientUrl;
    if (url === undefined || url === '')
      throw new ClusterError(`n${id} is not an etcd member with a client URL: see \`raft-console status\``);
    return url;
  }

  /** "n2", or the URL for a member the model does not list. */
  nameOf(url: string): string {
    return etcdNodeName(this.model, url);
  }

  /**
   * Sends `op` to `only` when given, else to each member in turn until one takes it; resolves with
   * its answer and its URL. A read that every member refused for now (an election under way: "leader
   * changed", "no leader") is asked once more after an election timeout: it changes nothing, so
   * asking again is safe, and the election is over by then.
   */
  async call<R>(op: (endpoint: string) => Promise<R>, only?: string): Promise<{ answer: R; from: string }> {
    const urls = only === undefined ? this.urls : [only];
    let last: unknown = null;
    for (let round = 0; round < (this.what === 'read' ? 2 : 1); round++) {
      if (round > 0) await sleep(this.model.timing.electionTimeoutMs.max || ELECTION_WAIT_MS);
      for (const url of urls) {
        try {
          return { answer: await op(url), from: url };
        } catch (err) {
          if (!(err instanceof EtcdError) || !this.mayMoveOn(err)) throw err;
          last = err;
        }
      }
    }
    throw last;
  }

  private mayMoveOn(err: EtcdError): boolean {
    const p = err.problem;
    if (this.what === 'read') return p.code === 'unreachable' || p.code === 'timeout' || p.code === 'server';
    return notSent(p);
  }
}

function etcdNodeName(model: ClusterModel, url: string): string {
  const node = model.nodes.find((n) => n.etcd?.clientUrl === url);
  return node === undefined ? url : `n${node.id}`;
}

/** An EtcdError as one line with its fix, worded as raft-console's own failures are; any other error as it is. */
function explainEtcdError(err: unknown, model: ClusterModel, what: 'write' | 'read' | 'request', timeoutMs: number): unknown {
  if (!(err instanceof EtcdError)) return err;
  const p = err.problem;
  const who = etcdNodeName(model, p.endpoint);
  const at = who === p.endpoint ? `etcd at ${p.endpoint}` : `${who} (etcd at ${p.endpoint})`;
  const status = '`raft-console status`';
  const unknown = `the outcome is unknown: it may be applied or not (etcd has no client sessions, so sending it again may apply it twice; read the key to see)`;
  switch (p.code) {
    case 'unreachable':
      // A connection never made carried no request; one that broke may have.
      return new ClusterError(
        what === 'write' && !notSent(p)
          ? `the connection to ${at} broke (${p.cause}) before it answered: ${unknown}`
          : `cannot reach ${at} (${p.cause}): is it running? see ${status}`,
      );
    case 'timeout':
      return new ClusterError(
        what === 'write'
          ? `${at} did not answer the write within ${seconds(timeoutMs)} (can it reach a majority? see ${status}): ${unknown}`
          : `${at} did not answer within ${seconds(timeoutMs)} (can it reach a majority? see ${status}): nothing was read`,
      );
    case 'server':
      if (what === 'write' && !writeNotApplied(p)) return new ClusterError(`${at} answered "${p.cause}": ${unknown}`);
      if (saysNoLeader(p))
        return new ClusterError(
          `${at} knows no leader, so the ${what} did not complete: the cluster has no leader with a majority (are most members down, paused or cut off? see ${status})`,
        );
      return new ClusterError(`${at} refused the ${what}: ${p.cause}`);
    default:
      return new ClusterError(err.message);
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
