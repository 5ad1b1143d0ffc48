// The dashboard's client writes (submit, put): through the client library to the leader, with
// redirects and retries, answered with where the entry committed or why it did not.
import type { ActionResult, ClusterModel } from '../cluster/index.js';
import { RaftClient } from '../client/index.js';
import { explainClientError } from '../cli/client-errors.js';
import { where } from '../cli/kv.js';
import { clientNodes } from '../cli/model-queries.js';

const WRITE_TIMEOUT_MS = 5000;

async function write(model: ClusterModel, run: (c: RaftClient) => Promise<string>): Promise<ActionResult> {
  const nodes = clientNodes(model);
  const client = new RaftClient({ clusterId: model.clusterId, nodes, timeoutMs: WRITE_TIMEOUT_MS });
  try {
    return { ok: true, text: await run(client) };
  } catch (err) {
    const explained = explainClientError(err, model, 'write');
    return { ok: false, text: explained instanceof Error ? explained.message : String(explained) };
  } finally {
    client.close();
  }
}

export function submitEntry(model: ClusterModel, text: string): Promise<ActionResult> {
  return write(model, async (c) => `committed ${JSON.stringify(text)} ${where(await c.submit(text))}`);
}

export function putValue(model: ClusterModel, key: string, value: string): Promise<ActionResult> {
  return write(model, async (c) => `${key} = ${JSON.stringify(value)}, committed ${where(await c.put(key, value))}`);
}
