// A cluster as the dashboard, the exercises and the checker watch and drive it: the supervisor
// running in this process (SupervisorHandle, src/supervisor) or one elsewhere reached over the
// control API (ControlClient). Both give a model, the events as they happen, and a way to act; the
// CLI's entry points decide which one to hand over.
import type { Action, ActionResult } from './control-protocol.js';
import type { ClusterEvent, ClusterModel } from './model.js';

export interface ClusterSource {
  /**
   * The cluster now (its event list is the history so far): read it, do not change it. The
   * supervisor in this process changes it in place; a control client replaces it with each update.
   */
  readonly model: ClusterModel;
  /** Called after every change with the events it added (none for a change of state only); returns the unsubscribe function. */
  subscribe(listener: (events: readonly ClusterEvent[]) => void): () => void;
  act(action: Action): Promise<ActionResult>;
  /** Called once if the cluster goes away (stopped, or a `down` from elsewhere); returns the unsubscribe function. */
  onGone(listener: (why: string) => void): () => void;
}

/**
 * Resolves true once `test` holds of the model (checked now and after every change), false after
 * `timeoutMs` or once the cluster is gone; rejects with what `test` throws (made an Error if it is not one).
 */
export function until(source: ClusterSource, test: (m: ClusterModel) => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      offChange();
      offGone();
      settle();
    };
    const check = (): void => {
      let ok: boolean;
      try {
        ok = test(source.model);
      } catch (err) {
        return finish(() => reject(err instanceof Error ? err : new Error(String(err))));
      }
      if (ok) finish(() => resolve(true));
    };
    const timer = setTimeout(() => finish(() => resolve(false)), timeoutMs);
    const offChange = source.subscribe(check);
    const offGone = source.onGone(() => finish(() => resolve(false)));
    check();
  });
}
