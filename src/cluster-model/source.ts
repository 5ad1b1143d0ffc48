// Where the dashboard's cluster comes from: the supervisor running in this process (`up`,
// `exercise start`) or a supervisor elsewhere reached over the control API (`dashboard`). Both
// give a model, the events as they happen, and a way to act.
import type { ControlClient } from './control-client.js';
import type { Action, ActionResult } from './control-protocol.js';
import type { ClusterEvent, ClusterModel } from './model.js';

export interface ClusterSource {
  /** The latest model (its event list is the history at the time of the call). */
  model(): ClusterModel;
  /** Called after every change with the events it added; returns the unsubscribe function. */
  subscribe(listener: (events: readonly ClusterEvent[]) => void): () => void;
  act(action: Action): Promise<ActionResult>;
  /** Called once if the cluster goes away under the dashboard (a `down` from elsewhere). */
  onGone(listener: (why: string) => void): () => void;
}

export function controlSource(client: ControlClient): ClusterSource {
  return {
    model: () => client.model,
    subscribe: (listener) => {
      // A model update without events still changes what the screen shows.
      const offModel = client.onModel(() => listener([]));
      const offEvent = client.onEvent((e) => listener([e]));
      return () => {
        offModel();
        offEvent();
      };
    },
    act: (action) => client.act(action),
    onGone: (listener) => client.onClose(listener),
  };
}
