// An exercise's writes on an etcd cluster: etcd has no bare log entries, but every put is one entry
// of its Raft log, so a submitted text is put under one key, through etcd's JSON gateway, on the
// members' client URLs as the model lists them (a member added later included).
import { leaderOf, members, type ClusterModel } from '../cluster-model/index.js';
import { EtcdError } from '../etcd/errors.js';
import { EtcdGateway } from '../etcd/gateway.js';
import type { NodeId } from '../raft/types.js';

/** The key a submitted text is put under (the dashboard's `submit` on etcd writes the same one). */
export const ETCD_SUBMIT_KEY = 'raft-console/submit';

/** How long one put may take before the next member is tried. */
const PUT_TIMEOUT_MS = 5000;
/** How long a submit keeps trying (an election in progress, a member restarting). */
const SUBMIT_DEADLINE_MS = 20_000;
const RETRY_PAUSE_MS = 200;

/** Client URLs to try: `via`'s alone, else the leader's first, then every other running member's. */
function endpoints(model: ClusterModel, via: NodeId | undefined): string[] {
  const url = (id: NodeId): string | undefined => model.nodes.find((n) => n.id === id)?.etcd?.clientUrl || undefined;
  if (via !== undefined) {
    const u = url(via);
    return u === undefined ? [] : [u];
  }
  const leader = leaderOf(model);
  const running = members(model).filter((n) => n.process.state === 'running' && n !== leader);
  return [...(leader === null ? [] : [leader]), ...running].flatMap((n) => {
    const u = url(n.id);
    return u === undefined ? [] : [u];
  });
}

export class EtcdWrites {
  private readonly gateway: EtcdGateway;
  private closed = false;

  constructor(private readonly model: () => ClusterModel) {
    // Every call names its endpoint; the list is only the gateway's default.
    this.gateway = new EtcdGateway({ endpoints: ['http://127.0.0.1:2379'], timeoutMs: PUT_TIMEOUT_MS });
  }

  /**
   * Puts the text and resolves once etcd answers, which it does once the put is committed and
   * applied; tries the members again until the deadline, and fails with the last member's error.
   */
  async submit(text: string, via?: NodeId): Promise<void> {
    const deadline = Date.now() + SUBMIT_DEADLINE_MS;
    let last: unknown = new Error(via === undefined ? 'no etcd member has a client URL yet' : `n${via} has no client URL`);
    while (!this.closed) {
      for (const endpoint of endpoints(this.model(), via)) {
        try {
          await this.gateway.put(ETCD_SUBMIT_KEY, text, endpoint);
          return;
        } catch (err) {
          if (!(err instanceof EtcdError)) throw err;
          last = err;
        }
      }
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
    throw last;
  }

  close(): void {
    this.closed = true;
    this.gateway.close();
  }
}
