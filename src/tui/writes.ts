// The dashboard's client writes (submit, put): through the client library to the leader, with
// redirects and retries, answered with where the entry committed or why it did not.
import type { ActionResult, ClusterModel } from '../cluster-model/index.js';
import type { RaftClient } from '../client/index.js';
import { leaderName, where, withClusterClient } from '../cluster-model/request.js';

const WRITE_TIMEOUT_MS = 5000;

async function write(model: ClusterModel, run: (c: RaftClient) => Promise<Omit<ActionResult, 'ok'>>): Promise<ActionResult> {
  try {
    return { ok: true, ...(await withClusterClient(model, WRITE_TIMEOUT_MS, 'write', run)) };
  } catch (err) {
    return { ok: false, text: err instanceof Error ? err.message : String(err) };
  }
}

export function submitEntry(model: ClusterModel, text: string): Promise<ActionResult> {
  return write(model, async (c) => {
    const w = await c.submit(text);
    return {
      text: `committed ${JSON.stringify(text)} ${where(w)}`,
      outcome: { code: 'submitted', entry: text, index: w.index, term: w.term, leader: leaderName(w) },
    };
  });
}

export function putValue(model: ClusterModel, key: string, value: string): Promise<ActionResult> {
  return write(model, async (c) => {
    const w = await c.put(key, value);
    return {
      text: `${key} = ${JSON.stringify(value)}, committed ${where(w)}`,
      outcome: { code: 'put', key, value, index: w.index, term: w.term, leader: leaderName(w) },
    };
  });
}
