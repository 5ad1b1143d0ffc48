// An exercise's writes on an etcd cluster: the dashboard's `submit` (a put of one key, through
// etcd's key-value API, on the members the model lists at that moment, a member added later
// included), tried again while the cluster has no leader, as raft-console's client library does.
// etcd has no client sessions: a put tried again after a timeout may be applied twice, which for
// an exercise is one entry more.
import { sendRequest } from '../cluster-model/commands/client-request.js';
import type { ClusterModel } from '../cluster-model/index.js';
import type { NodeId } from '../raft/types.js';

/** How long one put may take before it is tried again. */
const PUT_TIMEOUT_MS = 5000;
/** How long a submit keeps trying (an election in progress, a member restarting). */
const SUBMIT_DEADLINE_MS = 20_000;
const RETRY_PAUSE_MS = 200;

export class EtcdWrites {
  private closed = false;

  constructor(private readonly model: () => ClusterModel) {}

  /**
   * Puts the text (through `via` only, when given) and resolves once etcd answers, which it does
   * once the put is committed and applied; fails with the last error once the deadline has passed.
   */
  async submit(text: string, via?: NodeId): Promise<void> {
    const deadline = Date.now() + SUBMIT_DEADLINE_MS;
    for (;;) {
      try {
        await sendRequest(this.model(), { op: 'submit', text }, { via, timeoutMs: PUT_TIMEOUT_MS });
        return;
      } catch (err) {
        if (this.closed || Date.now() >= deadline) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }

  /** Stops trying: the cluster is going. */
  close(): void {
    this.closed = true;
  }
}
