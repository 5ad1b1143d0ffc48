// The `b` key of a live dashboard: the store's source becomes a replay of the cluster's own
// recording, starting at its newest moment, and `L` (or `b` again) makes it the live cluster again.
// The live source keeps running (and recording) meanwhile; only the store stops listening to it.
import { join } from 'node:path';
import type { ActionResult, ClusterModel } from '../cluster-model/index.js';
import { ClusterError } from '../cluster-model/errors.js';
import { RECORDING_DIR } from '../cluster-model/replay-format.js';
import type { ReplayOptions, ReplaySource } from '../cluster-model/replay.js';
import type { ClusterSource } from '../cluster-model/source.js';
import type { DashboardStore } from './store.js';

/** How far back `b` replays a live cluster: its last minutes. */
export const REPLAY_LAST_MS = 5 * 60_000;

/** Why a live cluster has no recording to replay, or null when it has one to look for. */
export function unrecorded(model: ClusterModel): string | null {
  if (model.engine.kind === 'etcd' && model.engine.remote)
    return 'no replay: an etcd cluster attached from outside (dashboard --etcd) is not recorded by raft-console';
  return null;
}

export type OpenReplay = (target: { folder: string }, opts: ReplayOptions) => Promise<ReplaySource>;

/** The switch between `live` and a replay of its recording, opened with `open` (openReplay; tests give a fake). */
export function replaySwitch(live: ClusterSource, store: DashboardStore, open: OpenReplay): (on: boolean) => Promise<ActionResult> {
  let replay: ReplaySource | null = null;
  return async (on) => {
    if (!on) {
      if (replay === null) return { ok: true, text: 'live' };
      // A replay left playing would keep moving a cursor nobody looks at.
      replay.cursor.pause();
      replay = null;
      store.switchTo(live);
      return { ok: true, text: 'live again: the cluster as it is now' };
    }
    if (replay !== null) return { ok: true, text: 'already replaying' };
    const why = unrecorded(live.model);
    if (why !== null) return { ok: false, text: why };
    try {
      const opened = await open({ folder: live.model.folder }, { lastMs: REPLAY_LAST_MS });
      opened.cursor.seek(opened.cursor.to);
      replay = opened;
      store.switchTo(opened);
      return { ok: true, text: `replay of the last ${REPLAY_LAST_MS / 60_000} minutes, from the newest moment; L goes live` };
    } catch (err) {
      // A cluster started with recording-cap 0 has no recording folder: say that, not where none was found.
      const folder = live.model.folder;
      if (err instanceof ClusterError && err.problem.code === 'bad-file' && err.problem.path === join(folder, RECORDING_DIR))
        return { ok: false, text: 'no replay: this cluster records nothing (recording-cap was 0 when it started)' };
      return { ok: false, text: `no replay: ${err instanceof Error ? err.message : String(err)}` };
    }
  };
}
