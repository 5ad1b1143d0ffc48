// An aimed episode: a schedule of faults written to reach the one state in which a known bug
// (src/raft/config.ts KNOWN_BUGS) breaks safety, where the nemesis's random kinds reach it rarely
// or never. The nemesis (nemesis.ts) runs a bug's episodes, interleaved with its random kinds, when
// the checked cluster runs that bug; every action an episode takes goes into the fault timeline.
import type { Action, ActionResult, ClusterSource } from '../../cluster-model/index.js';
import type { BugName } from '../../raft/config.js';
import type { NodeId } from '../../raft/types.js';
import type { Random } from '../../sim/random.js';

export interface AimedEpisode {
  /** The bug whose broken rule the schedule reaches. */
  bug: BugName;
  /** Short and unique, as the report and the fault timeline name it: "figure-8". */
  name: string;
  /** One sentence for the report: what the schedule does. */
  describe: string;
  /**
   * What the schedule needs of the cluster that this one lacks, as one sentence ending with the
   * `check` options that give it ("... : check --nodes 4"); null when it can run here.
   */
  unfit(cluster: ClusterFit): string | null;
  /** Runs the schedule once. It may leave faults behind: the nemesis heals after it. */
  run(ctx: AimedContext): Promise<void>;
}

/** What decides whether a schedule can run on a cluster: its voters and its core's switches. */
export interface ClusterFit {
  voters: number;
  preVote: boolean;
  checkQuorum: boolean;
}

export interface AimedContext {
  target: ClusterSource;
  random: Random;
  /** Waits; rejects once `signal` aborts. */
  wait(ms: number): Promise<void>;
  /** Acts on the cluster; the action and its answer go into the fault timeline. */
  act(action: Action): Promise<ActionResult>;
  /** The cluster's longest election timeout, the unit a schedule's waits are scaled to. */
  electionMs: number;
  /**
   * Sends every client's reads to `node` only, with no redirect, or lets them find the leader again
   * (null): how a schedule makes reads reach a leader cut off in a minority. Absent where the
   * engine's clients cannot (etcd's).
   */
  readsVia?: (node: NodeId | null) => void;
  signal?: AbortSignal;
}
