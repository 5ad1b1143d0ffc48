// The `b` key of a live dashboard: the store's source becomes a replay of the cluster's own
// recording, starting at its newest moment, and `L` (or `b` again) makes it the live cluster again.
// The live source keeps running (and recording) meanwhile; only the store stops listening to it.
import { join } from 'node:path';
import type { ActionResult, ClusterModel } from '../cluster-model/index.js';
import { ClusterError } from '../cluster-model/errors.js';
import { RECORDING_DIR } from '../cluster-model/replay-format.js';
import type { ReplayOptions, ReplaySource } from '../cluster-model/replay.js';
import type { ClusterSource } from '../cluster-model/source.js';
import type { Labels } from './labels.js';
import type { DashboardStore } from './store.js';

/** How far back `b` replays a live cluster: its last minutes. */
export const REPLAY_LAST_MS = 5 * 60_000;

/** Whether a live cluster has a recording to look for: not an etcd cluster attached from outside. */
export function recorded(model: ClusterModel): boolean {
  return !(model.engine.kind === 'etcd' && model.engine.remote);
}

/** What the switch answers, in the dashboard's language. */
export type SwitchWords = Pick<Labels, 'replayOn' | 'replayAlready' | 'replayOff' | 'replayNone' | 'replayRemote' | 'replayUnrecorded'>;

export type OpenReplay = (target: { folder: string }, opts: ReplayOptions) => Promise<ReplaySource>;

/** The switch between `live` and a replay of its recording, opened with `open` (openReplay; tests give a fake). */
export function replaySwitch(
  live: ClusterSource,
  store: DashboardStore,
  open: OpenReplay,
  words: SwitchWords,
): (on: boolean) => Promise<ActionResult> {
  let replay: ReplaySource | null = null;
  return async (on) => {
    if (!on) {
      if (replay === null) return { ok: true, text: words.replayOff };
      // A replay left playing would keep moving a cursor nobody looks at.
      replay.cursor.pause();
      replay = null;
      store.switchTo(live);
      return { ok: true, text: words.replayOff };
    }
    if (replay !== null) return { ok: true, text: words.replayAlready };
    if (!recorded(live.model)) return { ok: false, text: words.replayRemote };
    try {
      const opened = await open({ folder: live.model.folder }, { lastMs: REPLAY_LAST_MS });
      opened.cursor.seek(opened.cursor.to);
      replay = opened;
      store.switchTo(opened);
      return { ok: true, text: words.replayOn(REPLAY_LAST_MS / 60_000) };
    } catch (err) {
      // A cluster started with recording-cap 0 has no recording folder: say that, not where none was found.
      const folder = live.model.folder;
      if (err instanceof ClusterError && err.problem.code === 'bad-file' && err.problem.path === join(folder, RECORDING_DIR))
        return { ok: false, text: words.replayUnrecorded };
      return { ok: false, text: words.replayNone(err instanceof Error ? err.message : String(err)) };
    }
  };
}
