// The supervisor running in this process as a ClusterSource (src/cluster-model/source.ts): what the
// dashboard of `up` and `exercise start` watches.
import type { ClusterSource } from '../cluster-model/source.js';
import type { SupervisorHandle } from './supervisor.js';

export function supervisorSource(sup: SupervisorHandle): ClusterSource {
  return {
    model: () => sup.model,
    subscribe: (listener) => sup.onChange(listener),
    act: (action) => sup.act(action),
    onGone: (listener) => {
      let live = true;
      void sup.stopped.then(() => {
        if (live) listener(`cluster ${sup.name} was stopped`);
      });
      return () => {
        live = false;
      };
    },
  };
}
