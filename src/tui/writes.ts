// The dashboard's client writes (submit, put): through the client library to the leader, with
// redirects and retries, answered with where the entry committed or why it did not. Each write is
// one (clientId, seq), resent unchanged on every retry, so it is applied once and, while one leader
// holds it, appended once (src/node/client-service.ts). A submit `via` a node goes to that node
// only, as `submit --via` does: how a learner hands an entry to a leader stranded in a minority.
import { groupOf, hasMajority, type ActionResult, type ClusterModel } from '../cluster-model/index.js';
import type { RaftClient } from '../client/index.js';
import { where, withClusterClient } from '../cluster-model/request.js';

const WRITE_TIMEOUT_MS = 5000;

async function write(model: ClusterModel, run: (c: RaftClient) => Promise<string>, failed = (text: string) => text): Promise<ActionResult> {
  try {
    return { ok: true, text: await withClusterClient(model, WRITE_TIMEOUT_MS, 'write', run) };
  } catch (err) {
    return { ok: false, text: failed(err instanceof Error ? err.message : String(err)) };
  }
}

/** Why a write sent to `id` alone cannot commit, when the network says so: its side of a partition has no majority. */
function stranded(model: ClusterModel, id: number): string | null {
  const group = groupOf(model, id);
  if (hasMajority(model, group)) return null;
  return `n${id} is cut off from the majority (with ${group.map((n) => `n${n}`).join(' ')}), so nothing it takes can commit`;
}

export function submitEntry(model: ClusterModel, text: string, via?: number): Promise<ActionResult> {
  if (via === undefined) return write(model, async (c) => `committed ${JSON.stringify(text)} ${where(await c.submit(text))}`);
  return write(
    model,
    async (c) => `n${via} committed ${JSON.stringify(text)} ${where(await c.submit(text, { via }))}`,
    (why) => {
      const cut = stranded(model, via);
      return cut === null ? why : `${cut}: ${why}`;
    },
  );
}

export function putValue(model: ClusterModel, key: string, value: string): Promise<ActionResult> {
  return write(model, async (c) => `${key} = ${JSON.stringify(value)}, committed ${where(await c.put(key, value))}`);
}
