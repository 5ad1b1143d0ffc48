// `dashboard --etcd`: a ClusterSource (source.ts) for an etcd cluster that runs elsewhere, for the
// operators whose cluster is not on their laptop. It looks at the cluster every 250 ms (member
// list, then every member's status at once: src/etcd/observe.ts) and rebuilds the model from each
// look (etcd-observed.ts); the events are derived from the changes between looks, since a remote
// cluster's log lines are not here.
//
// Read-only unless attached with --allow-changes: then `transfer`, `promote` and `remove` go to
// etcd's own APIs. Faults (kill, pause, partition) need the processes and the network, which
// raft-console has only for a cluster it runs (`up --engine etcd`).
//
//   const a = await EtcdAttachment.open({ endpoints: ['https://10.0.0.1:2379'], tls: { ca } });
//   a.subscribe((events) => events.forEach((e) => console.log(e.text)));
//   await a.close();
import { EtcdGateway, type EtcdConnectionOptions } from '../etcd/gateway.js';
import { EtcdError } from '../etcd/errors.js';
import { observe } from '../etcd/observe.js';
import { majorityOf } from '../raft/membership.js';
import type { NodeId } from '../raft/types.js';
import type { Action, ActionResult } from './control-protocol.js';
import { engineName } from './engine.js';
import { MEMBER_CHANGES } from './engine-ops.js';
import { ClusterError, type ClusterProblem } from './errors.js';
import { observeNext, unreachedBy, type Observed } from './etcd-observed.js';
import type { ClusterEvent, ClusterModel, NodeModel } from './model.js';
import { leaderOf, members, voters } from './queries.js';
import { until, type ClusterSource } from './source.js';

export interface EtcdAttachOptions extends EtcdConnectionOptions {
  /** Allow transfer, promote and remove (--allow-changes); default read-only. */
  allowChanges?: boolean;
  /** How often to look; default 250 ms. */
  intervalMs?: number;
  /** How long a change may take to show before its result says it is still under way; default 5000 ms. */
  settleMs?: number;
}

const DEFAULT_INTERVAL_MS = 250;
/**
 * A look waits for every member's answer: a member that hangs (cut off, paused) must not hold the
 * view for long. A status is one small request over a kept connection: a second is ample, even far away.
 */
const LOOK_TIMEOUT_MS = 1000;
/** A change may take longer: etcd answers a move-leader once the transfer is done, up to an election timeout. */
const CHANGE_TIMEOUT_MS = 5000;

function refused(text: string, problem: ClusterProblem): ActionResult {
  return { ok: false, text, problem };
}

/**
 * Why an attached cluster refuses `action` without looking at it, or null when it may be tried:
 * what raft-console cannot do to a cluster it does not run, and, read-only, any change.
 */
export function attachedRefusal(action: Action, model: Pick<ClusterModel, 'engine'>): ActionResult | null {
  const engine = engineName(model.engine);
  const writable = model.engine.kind === 'etcd' && model.engine.writable;
  const op = action.op;
  if (MEMBER_CHANGES.has(op))
    return writable
      ? null
      : refused(
          `attached read-only: \`${op}\` changes the cluster; attach again with \`raft-console dashboard --etcd <urls> --allow-changes\` to transfer leadership, promote or remove members`,
          { code: 'read-only', op },
        );
  const unsupported = (text: string): ActionResult => refused(text, { code: 'engine-unsupported', op, engine: 'etcd', remote: true });
  switch (op) {
    case 'add':
      return unsupported(
        `raft-console does not run this ${engine} cluster's members: add one with \`etcdctl member add <name> --peer-urls <url> [--learner]\`, then start it on its host with the --initial-cluster it prints and --initial-cluster-state existing`,
      );
    case 'campaign':
      return unsupported(
        `etcd has no API to make a member start an election: \`transfer\` hands leadership to it${writable ? '' : ' (with --allow-changes)'}`,
      );
    case 'speed':
      return unsupported(
        `the timing of a ${engine} cluster is its members' flags (--heartbeat-interval, --election-timeout): raft-console cannot change it from here`,
      );
    case 'step':
    case 'deliver':
    case 'drop':
    case 'fire':
    case 'advance':
      return unsupported(
        `step mode freezes the clocks and holds the messages of raft-console's own nodes: an ${engine} cluster's members keep their own (\`raft-console up\` runs a cluster you can step)`,
      );
    case 'down':
      return unsupported(`raft-console does not run this ${engine} cluster and cannot stop it: quitting the dashboard only detaches`);
    default:
      return unsupported(
        `raft-console does not run these members: kill, pause and partition work on a cluster it runs (\`up --engine etcd\`)`,
      );
  }
}

type Listener<T> = (value: T) => void;

export class EtcdAttachment implements ClusterSource {
  private state: Observed;
  private readonly listeners = new Set<Listener<readonly ClusterEvent[]>>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  /** For changes (--allow-changes), made on the first one. */
  private changes: EtcdGateway | null = null;

  private constructor(
    private readonly gateway: EtcdGateway,
    first: Observed,
    private readonly o: EtcdAttachOptions,
    private readonly startedAt: number,
  ) {
    this.state = first;
    this.schedule();
  }

  /**
   * Attaches: the first look must reach the cluster, else it fails with what went wrong, in one
   * line (a ClusterError: code 'not-running' when nothing answers, 'failed' for TLS, auth and the rest).
   */
  static async open(o: EtcdAttachOptions): Promise<EtcdAttachment> {
    const gateway = new EtcdGateway({ ...o, timeoutMs: o.timeoutMs ?? LOOK_TIMEOUT_MS });
    const startedAt = Date.now();
    try {
      const obs = await observe(gateway, startedAt);
      const failure = unreachedBy(obs);
      if (failure !== null) {
        const code = failure.problem.code;
        throw new ClusterError(
          failure.message,
          code === 'unreachable' || code === 'timeout' ? { code: 'not-running' } : { code: 'failed' },
        );
      }
      const { state } = observeNext(null, obs, { endpoints: gateway.endpoints, writable: o.allowChanges === true, startedAt });
      return new EtcdAttachment(gateway, state, o, startedAt);
    } catch (err) {
      gateway.close();
      if (err instanceof EtcdError) throw new ClusterError(err.message);
      throw err;
    }
  }

  /** The cluster as of the last look: replaced (not changed) by each look. */
  get model(): ClusterModel {
    return this.state.model;
  }

  /** Called after every look, with the events it derived (often none). */
  subscribe(listener: Listener<readonly ClusterEvent[]>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Never called: a remote cluster does not go away; one whose members all stop answering shows them unreachable. */
  onGone(_listener: Listener<string>): () => void {
    return () => {};
  }

  async act(action: Action): Promise<ActionResult> {
    const refusal = attachedRefusal(action, this.model);
    if (refusal !== null) return refusal;
    try {
      switch (action.op) {
        case 'transfer':
          return await this.transfer(action.node);
        case 'promote':
          return await this.promote(action.node);
        case 'remove':
          return await this.remove(action.node);
        default:
          return refused(`\`${action.op}\` is not available on an attached cluster`, { code: 'failed' });
      }
    } catch (err) {
      if (err instanceof ClusterError) return refused(err.message, err.problem);
      if (err instanceof EtcdError) return refused(err.message, { code: 'failed' });
      throw err;
    }
  }

  /** Stops looking and closes the connections. */
  close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.gateway.close();
    this.changes?.close();
    return Promise.resolve();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.look(), this.o.intervalMs ?? DEFAULT_INTERVAL_MS);
  }

  private async look(): Promise<void> {
    let obs;
    try {
      obs = await observe(this.gateway, Date.now());
    } catch (err) {
      // observe turns every failure to reach etcd into an answer: anything else is a bug, and must crash loudly.
      process.nextTick(() => {
        throw err;
      });
      return;
    }
    if (this.closed) return;
    const { state, events } = observeNext(this.state, obs, {
      endpoints: this.gateway.endpoints,
      writable: this.o.allowChanges === true,
      startedAt: this.startedAt,
    });
    this.state = state;
    for (const l of this.listeners) l(events);
    this.schedule();
  }

  /** The member behind node `id`, or why an action cannot be about it. */
  private member(id: NodeId, op: string): NodeModel & { etcd: NonNullable<NodeModel['etcd']> } {
    const n = this.model.nodes.find((x) => x.id === id);
    if (n === undefined || n.removed || n.etcd === undefined || n.etcd.memberId === '')
      throw new ClusterError(n?.removed === true ? `n${id} was removed from the cluster` : `there is no n${id}`, {
        code: 'not-a-node',
        node: id,
        removed: n?.removed === true,
      });
    if (op === 'transfer' && n.process.state !== 'running')
      throw new ClusterError(`cannot hand leadership to n${id}: it does not answer; wait until it answers again`, {
        code: 'node-state',
        node: id,
        op,
        state: n.process.state,
      });
    return n as NodeModel & { etcd: NonNullable<NodeModel['etcd']> };
  }

  private get changer(): EtcdGateway {
    this.changes ??= new EtcdGateway({ ...this.o, timeoutMs: this.o.timeoutMs ?? CHANGE_TIMEOUT_MS });
    return this.changes;
  }

  private settle(test: (m: ClusterModel) => boolean): Promise<boolean> {
    return until(this, test, this.o.settleMs ?? 5000);
  }

  private async transfer(id: NodeId): Promise<ActionResult> {
    const target = this.member(id, 'transfer');
    const leader = leaderOf(this.model);
    if (leader === null) {
      const running = voters(this.model).filter((v) => this.model.nodes.find((n) => n.id === v)?.process.state === 'running').length;
      const all = voters(this.model).length;
      throw new ClusterError('no member answers as leader now: try again once one is elected', {
        code: 'no-leader',
        waitedMs: 0,
        running,
        voters: all,
        needed: majorityOf(all),
        faults: false,
      });
    }
    if (leader.id === id)
      throw new ClusterError(`n${id} leads already (term ${leader.raft!.term})`, {
        code: 'already-leader',
        node: id,
        term: leader.raft!.term,
      });
    await this.changer.moveLeader(leader.etcd!.clientUrl, target.etcd.memberId);
    const moved = await this.settle((m) => leaderOf(m)?.id === id);
    const term = leaderOf(this.model)?.raft?.term ?? 0;
    return moved
      ? {
          ok: true,
          text: `leadership moved from n${leader.id} to n${id} (term ${term})`,
          outcome: { code: 'transferred', from: leader.id, to: id, term },
        }
      : {
          ok: true,
          text: `etcd accepted the transfer from n${leader.id} to n${id}, but n${id} does not lead yet`,
          outcome: { code: 'transferring', from: leader.id, to: id },
        };
  }

  private async promote(id: NodeId): Promise<ActionResult> {
    const n = this.member(id, 'promote');
    if (!n.etcd.learner)
      throw new ClusterError(`n${id} is a voter already: only a learner can be promoted`, { code: 'not-a-learner', node: id, voter: true });
    await this.changer.promoteMember(n.etcd.memberId);
    await this.settle((m) => m.nodes.find((x) => x.id === id)?.etcd?.learner === false);
    return { ok: true, text: `n${id} (${n.etcd.name || n.etcd.memberId}) is a voter now` };
  }

  private async remove(id: NodeId): Promise<ActionResult> {
    const n = this.member(id, 'remove');
    const voting = members(this.model).filter((x) => x.etcd?.learner === false);
    if (!n.etcd.learner && voting.length === 1 && voting[0]!.id === id)
      throw new ClusterError(`n${id} is the last voter: etcd cannot remove it`, { code: 'last-voter', node: id });
    await this.changer.removeMember(n.etcd.memberId);
    await this.settle((m) => m.nodes.find((x) => x.id === id)?.removed === true);
    return { ok: true, text: `n${id} (${n.etcd.name || n.etcd.memberId}) was removed from the cluster` };
  }
}
