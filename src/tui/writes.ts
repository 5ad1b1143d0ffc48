// The dashboard's client requests (the n and v keys, and submit, put, get, del and cas on the `:`
// command line): through the client library to the leader, with redirects and retries, answered
// with the same sentence the CLI prints, or why the request failed.
import type { ActionResult, ClusterModel } from '../cluster-model/index.js';
import { withClusterClient } from '../cluster-model/request.js';
import { answer, requestKind, type ClientRequest, type RequestOptions } from '../cluster-model/commands/client-request.js';

const WRITE_TIMEOUT_MS = 5000;

export async function clientRequest(
  model: ClusterModel,
  r: ClientRequest,
  o: RequestOptions = { timeoutMs: WRITE_TIMEOUT_MS },
): Promise<ActionResult> {
  try {
    const out = await withClusterClient(model, o.timeoutMs, requestKind(r), (c) => answer(c, r, o));
    return { ok: out.ok, text: out.human };
  } catch (err) {
    return { ok: false, text: err instanceof Error ? err.message : String(err) };
  }
}

export function submitEntry(model: ClusterModel, text: string): Promise<ActionResult> {
  return clientRequest(model, { op: 'submit', text });
}

export function putValue(model: ClusterModel, key: string, value: string): Promise<ActionResult> {
  return clientRequest(model, { op: 'put', key, value });
}
