// How an engine plugs into the supervisor. The supervisor keeps what every cluster has (its folder
// and cluster.json, the live model, the control API, `down`, stopping); an engine runs the members
// (a MemberSet: members.ts) and carries out every other action. raft-console's engine is here, on
// its Fleet; etcd's is etcd/engine.ts. Actions every engine does alike (process faults, network
// faults, transfer) are actions.ts's `perform`, on the MemberSet.
import type { Action, StepAction } from '../cluster-model/control-protocol.js';
import type { SpeedPreset } from '../cluster-model/model.js';
import type { NodeId } from '../raft/types.js';
import { campaign, perform, speed, type Done } from './actions.js';
import type { Fleet } from './fleet.js';
import type { MemberSet } from './members.js';
import { addNode, promoteNode, removeNode } from './membership.js';
import { replaceNode } from './replace.js';
import { stepAction } from './step.js';

export interface Engine {
  /** Runs the members: the supervisor starts them on `up` and closes them on `down`. */
  readonly fleet: MemberSet;
  /** Carries out an action; `down` is the supervisor's own. */
  act(a: Exclude<Action, { op: 'down' }>): Promise<Done>;
}

/**
 * What an engine does its own way: the membership changes, and the actions only raft-console's
 * nodes can do (etcd's engine refuses those, saying why and what to do instead).
 */
export interface OwnActions {
  add(learner: boolean): Promise<Done>;
  promote(id: NodeId): Promise<Done>;
  remove(id: NodeId): Promise<Done>;
  replace(id: NodeId): Promise<Done>;
  campaign(id: NodeId): Promise<Done>;
  speed(preset: SpeedPreset): Promise<Done>;
  /** Step mode and its actions (step.ts). */
  step(a: StepAction): Promise<Done>;
}

/**
 * An engine: its own actions, and actions.ts's `perform` for the rest. Membership changes wait for
 * each other: a Raft cluster takes one at a time anyway (raft-console's core refuses a second while
 * one is in flight, etcd refuses too), and two at once would race for the same new node id.
 */
export function engineOf(fleet: MemberSet, own: OwnActions): Engine {
  let queue: Promise<unknown> = Promise.resolve();
  const membership = <T>(change: () => Promise<T>): Promise<T> => {
    const next = queue.then(change);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    fleet,
    act(a) {
      switch (a.op) {
        case 'add':
          return membership(() => own.add(a.learner === true));
        case 'promote':
          return membership(() => own.promote(a.node));
        case 'remove':
          return membership(() => own.remove(a.node));
        case 'replace':
          return own.replace(a.node);
        case 'campaign':
          return own.campaign(a.node);
        case 'speed':
          return own.speed(a.preset);
        case 'step':
        case 'deliver':
        case 'drop':
        case 'fire':
        case 'advance':
          return own.step(a);
        default:
          return perform(fleet, a);
      }
    },
  };
}

/** raft-console's own nodes: every action there is. */
export function raftConsoleEngine(fleet: Fleet): Engine {
  return engineOf(fleet, {
    add: (learner) => addNode(fleet, learner),
    promote: (id) => promoteNode(fleet, id),
    remove: (id) => removeNode(fleet, id),
    replace: (id) => replaceNode(fleet, id),
    campaign: (id) => campaign(fleet, id),
    speed: (preset) => speed(fleet, preset),
    step: (a) => stepAction(fleet, a),
  });
}
