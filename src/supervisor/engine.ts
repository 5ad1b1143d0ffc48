// How an engine plugs into the supervisor. The supervisor keeps what every cluster has (its folder
// and cluster.json, the live model, the control API, `down`, stopping); an engine runs the members
// (a MemberSet: members.ts) and carries out every other action. raft-console's engine is here, on
// its Fleet; etcd's is etcd/engine.ts. Actions every engine does alike (process faults, network
// faults, transfer) are actions.ts's `perform`, on the MemberSet.
import type { Action } from '../cluster-model/control-protocol.js';
import { campaign, perform, speed, type Done } from './actions.js';
import type { Fleet } from './fleet.js';
import type { MemberSet } from './members.js';
import { addNode, promoteNode, removeNode } from './membership.js';
import { replaceNode } from './replace.js';

export interface Engine {
  /** Runs the members: the supervisor starts them on `up` and closes them on `down`. */
  readonly fleet: MemberSet;
  /** Carries out an action; `down` is the supervisor's own. */
  act(a: Exclude<Action, { op: 'down' }>): Promise<Done>;
}

/**
 * Membership changes wait for each other: a Raft cluster takes one at a time anyway (raft-console's
 * core refuses a second while one is in flight, etcd refuses too), and two at once would race for
 * the same new node id.
 */
export function oneAtATime(): <T>(change: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return (change) => {
    const next = queue.then(change);
    queue = next.catch(() => undefined);
    return next;
  };
}

/** raft-console's own nodes: every action there is. */
export function raftConsoleEngine(fleet: Fleet): Engine {
  const membership = oneAtATime();
  return {
    fleet,
    act(a) {
      switch (a.op) {
        case 'add':
          return membership(() => addNode(fleet, a.learner === true));
        case 'promote':
          return membership(() => promoteNode(fleet, a.node));
        case 'remove':
          return membership(() => removeNode(fleet, a.node));
        case 'replace':
          return replaceNode(fleet, a.node);
        case 'campaign':
          return campaign(fleet, a.node);
        case 'speed':
          return speed(fleet, a.preset);
        default:
          return perform(fleet, a);
      }
    },
  };
}
