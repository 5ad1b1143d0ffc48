// The dashboard's client requests (the n, N and v keys, and submit, put, get, del and cas on the `:`
// command line): through the client library to the leader, with redirects and retries, answered
// with the same sentence the CLI prints, or why the request failed. Each write is one (clientId,
// seq), resent unchanged on every retry, so it is applied once and, while one leader holds it,
// appended once (src/node/client-service.ts). A request `via` a node goes to that node only, as
// `submit --via` does: how a learner hands an entry to a leader stranded in a minority. On an etcd
// cluster they go through etcd's key-value API (request.ts), which has no such sessions.
import { groupOf, hasMajority, type ActionResult, type ClusterModel } from '../cluster-model/index.js';
import { sendRequest, type ClientRequest, type RequestOptions } from '../cluster-model/commands/client-request.js';
import type { EtcdCredentials } from '../cluster-model/request.js';

const WRITE_TIMEOUT_MS = 5000;

/** Why a request sent to `id` alone cannot commit, when the network says so: its side of a partition has no majority. */
function stranded(model: ClusterModel, id: number): string | null {
  const group = groupOf(model, id);
  if (hasMajority(model, group)) return null;
  return `n${id} is cut off from the majority (with ${group.map((n) => `n${n}`).join(' ')}), so nothing it takes can commit`;
}

export async function clientRequest(
  model: ClusterModel,
  r: ClientRequest,
  o: RequestOptions = { timeoutMs: WRITE_TIMEOUT_MS },
  /** An attached etcd cluster's TLS and user (dashboard --etcd). */
  credentials?: EtcdCredentials,
): Promise<ActionResult> {
  try {
    const out = await sendRequest(model, r, o, undefined, credentials);
    return { ok: out.ok, text: out.human, ...(out.outcome === undefined ? {} : { outcome: out.outcome }) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const cut = o.via === undefined ? null : stranded(model, o.via);
    return { ok: false, text: cut === null ? why : `${cut}: ${why}` };
  }
}

export function submitEntry(model: ClusterModel, text: string, via?: number): Promise<ActionResult> {
  return clientRequest(model, { op: 'submit', text }, { via, timeoutMs: WRITE_TIMEOUT_MS });
}

export function putValue(model: ClusterModel, key: string, value: string): Promise<ActionResult> {
  return clientRequest(model, { op: 'put', key, value });
}
