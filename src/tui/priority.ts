// While a dashboard is open, the nodes' sessions yield the CPU to it a little more: on a machine
// the cluster saturates (nine nodes at 1,000 commits/s on two cores), the screen otherwise falls
// behind waiting for a CPU (docs/BENCHMARKS.md). The supervisor starts nodes at autogroup nice 5;
// the dashboard raises the nodes it sees to 10 and puts them back when it closes. Only ever a
// lower priority, which any user may set on their own processes; without autogroup, nothing.
import { NODE_AUTOGROUP_NICE, setSessionNice } from '../node/session-nice.js';
import type { Model } from './view.js';

const WATCHED_NICE = 10;

export class NodePriority {
  private readonly lowered = new Set<number>();

  private readonly skipped = new Set<number>();

  /**
   * Lowers the running nodes of the model not lowered yet (called with every snapshot, so a
   * rate-limited change is tried again). A node still starting is left alone: `up` opens the
   * dashboard before its nodes start, and on a busy machine a node loading its code at nice 10 took
   * seconds to listen.
   */
  watch(model: Model): void {
    for (const n of model.nodes) {
      const pid = n.process.pid;
      if (pid === null || n.process.state !== 'running' || this.lowered.has(pid) || this.skipped.has(pid)) continue;
      const r = setSessionNice(pid, WATCHED_NICE);
      if (r === 'done') this.lowered.add(pid);
      else if (r === 'no') this.skipped.add(pid);
    }
  }

  /** Puts the nodes still running back at the supervisor's nice (best effort: the kernel may refuse a burst). */
  release(): void {
    for (const pid of this.lowered) setSessionNice(pid, NODE_AUTOGROUP_NICE);
    this.lowered.clear();
  }
}
