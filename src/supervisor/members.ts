// What the actions need from whoever runs a cluster's members, whichever engine they run: the
// questions asked of the live model (which nodes are members, who leads, the configuration, how
// long an election may take) answered once here, and the things done to the members (start, kill,
// stop, pause, resume, network faults, leadership transfer) that each engine does its own way:
// Fleet (fleet.ts) for raft-console's node processes, EtcdFleet (etcd/fleet.ts) for etcd members.
import type { Membership, NodeId } from '../raft/types.js';
import { ClusterError } from '../cluster-model/errors.js';
import type { LinkFaultModel, NodeModel, ProcessState, Timing } from '../cluster-model/model.js';
import { latestMembership, leaderOf, members } from '../cluster-model/queries.js';
import { majorityOf } from '../raft/membership.js';
import type { LiveModel } from './live-model.js';
import type { Outcome } from '../cluster-model/outcome.js';
import type { ExitInfo } from './node-child.js';

const LIVE: readonly ProcessState[] = ['starting', 'running', 'paused'];

/** "1-5", or "1, 2, 4" when there are gaps. */
export function listIds(ids: readonly NodeId[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  if (sorted.length > 2 && sorted.every((id, i) => i === 0 || id === sorted[i - 1]! + 1)) return `${sorted[0]}-${sorted.at(-1)}`;
  return sorted.join(', ');
}

/** How a member's exit is reported: as what was asked of it (killed, stopped), else crashed. */
export function exitState(intent: 'kill' | 'stop' | null): 'killed' | 'stopped' | 'crashed' {
  return intent === 'kill' ? 'killed' : intent === 'stop' ? 'stopped' : 'crashed';
}

/** "SIGKILL", or "exit code 1". */
export function howExited(exit: ExitInfo): string {
  return exit.signal ?? `exit code ${exit.exitCode}`;
}

export abstract class MemberSet {
  constructor(readonly live: LiveModel) {}

  /** The cluster's timing as the model has it now. */
  get timing(): Timing {
    return this.live.model.timing;
  }

  /** The voters a cluster was created with: its configuration until a member reports one. */
  protected abstract bootstrapVoters(): NodeId[];

  /** Whatever runs beside the members and must be there before they start (etcd's fault proxies). */
  prepare(): Promise<void> {
    return Promise.resolve();
  }

  /** Starts a member that is not running; resolves once it is up, rejects with a ClusterError naming its cause. */
  abstract start(id: NodeId): Promise<void>;
  /** SIGKILL, as asked: the member is "killed". */
  abstract kill(id: NodeId): Promise<void>;
  /** SIGTERM (SIGKILL after a grace), as asked: the member is "stopped". */
  abstract stop(id: NodeId): Promise<void>;
  abstract pause(id: NodeId): void;
  abstract resume(id: NodeId): void;
  /** Stops every member and starts none from now on; resolves with how many were running. */
  abstract close(): Promise<number>;
  /** Puts the faults in the model and sets them on the members `nodes` (each is given its whole set). */
  abstract setFaults(links: LinkFaultModel[], nodes: readonly NodeId[], partition?: NodeId[][]): Promise<void>;
  /** Takes every network fault away. */
  abstract heal(): Promise<void>;
  /** Asks the leader `from` to hand leadership to `to`; resolves once asked (not once done). */
  abstract handOver(from: NodeModel, to: NodeId): Promise<void>;

  /** Tells of a member that exited unasked after it had started; `cause` is its own account, if it gave one. */
  protected sayCrashed(id: NodeId, exit: ExitInfo, cause: string | null): void {
    this.live.say('crashed', `n${id} crashed (${howExited(exit)})${cause === null ? '' : `: ${cause}`}`, {
      node: id,
      ...exit,
      outcome: { code: 'crashed', node: id, signal: exit.signal, exitCode: exit.exitCode, cause } satisfies Outcome,
    });
  }

  /** The nodes still in the cluster, in id order. */
  members(): NodeModel[] {
    return members(this.live.model);
  }

  /** The node, if it is one of the cluster's; otherwise an error listing the ones there are. */
  member(id: NodeId): NodeModel {
    const node = this.live.node(id);
    const ids = listIds(this.members().map((n) => n.id));
    if (node === undefined) throw new ClusterError(`no node ${id}: nodes are ${ids}`, { code: 'not-a-node', node: id, removed: false });
    if (node.removed)
      throw new ClusterError(`n${id} was removed from the cluster: nodes are ${ids}`, { code: 'not-a-node', node: id, removed: true });
    return node;
  }

  isLive(node: NodeModel): boolean {
    return LIVE.includes(node.process.state);
  }

  /** The running leader with the highest term, as the nodes last reported. */
  leader(): NodeModel | null {
    return leaderOf(this.live.model);
  }

  /** The configuration as the most advanced node knows it; before any has reported, the bootstrap voters. */
  membership(): Membership {
    return latestMembership(this.live.model) ?? { voters: this.bootstrapVoters(), learners: [] };
  }

  /** How long to wait for an election: a few timeouts, at any speed. */
  electionWaitMs(): number {
    return Math.max(3000, 4 * this.timing.electionTimeoutMs.max + 1000);
  }

  /** The leader, waiting through an election in progress; an error saying why there is none. */
  async awaitLeader(timeoutMs = this.electionWaitMs()): Promise<NodeModel> {
    await this.live.until(() => this.leader() !== null, timeoutMs);
    const leader = this.leader();
    if (leader !== null) return leader;
    const voters = this.membership().voters;
    const down = voters.filter((id) => this.live.node(id)?.process.state !== 'running');
    const majority = majorityOf(voters.length);
    const why =
      voters.length - down.length < majority
        ? `only ${voters.length - down.length} of ${voters.length} voters are running (${down.map((id) => `n${id}`).join(', ')} ${down.length === 1 ? 'is' : 'are'} not) and ${majority} are needed: restart or resume nodes`
        : this.live.model.links.length > 0
          ? 'the network faults may keep a majority apart: `heal` them'
          : 'an election may still be in progress: try again';
    throw new ClusterError(`no leader after ${(timeoutMs / 1000).toFixed(1)} s: ${why}`, {
      code: 'no-leader',
      waitedMs: timeoutMs,
      running: voters.length - down.length,
      voters: voters.length,
      needed: majority,
      faults: this.live.model.links.length > 0,
    });
  }
}
