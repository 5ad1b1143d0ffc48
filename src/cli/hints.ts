// What to try next on a cluster that just came up, as `up` suggests it: the workshop's path, with
// this cluster's own node ids (the leader, when known, cut off in the minority).
import type { ClusterModel } from '../cluster-model/model.js';
import { memberIds } from '../cluster-model/queries.js';
import { largestMinorityOf } from '../raft/membership.js';
import { nameFlag, type ClusterFlags } from './cluster-options.js';

/**
 * A leader cut off in a minority steps down after one election timeout (CheckQuorum). Below about a
 * second that happens before a second command can reach it, so `submit --via` to it is only worth
 * suggesting at human speed.
 */
const HUMAN_SPEED_MS = 1000;

export function nextCommands(
  model: Pick<ClusterModel, 'nodes' | 'timing' | 'engine'>,
  leader: number | null,
  flags: ClusterFlags,
): string[] {
  const rc = (cmd: string): string => `raft-console ${cmd}${nameFlag(flags)}`;
  const ids = memberIds(model);
  const victim = leader ?? ids[0]!;
  const tries = [rc('status'), rc('submit hello')];
  if (ids.length >= 2) {
    const others = ids.filter((id) => id !== victim);
    const minority = [victim, ...others.slice(0, Math.max(0, largestMinorityOf(ids.length) - 1))];
    const majority = ids.filter((id) => !minority.includes(id));
    tries.push(rc(`partition ${minority.join(',')} ${majority.join(',')}`));
    // etcd shows no log entries: neither the entry a cut-off leader takes nor `log`.
    if (model.engine.kind === 'etcd') tries.push(`${rc('submit found')}   (the majority commits)`);
    else if (model.timing.electionTimeoutMs.min >= HUMAN_SPEED_MS) tries.push(rc(`submit --via ${victim} lost`));
    else
      tries.push(
        `${rc('submit found')}   (the majority commits; with --speed slow, submit --via ${victim} shows the cut-off leader take an entry that never commits)`,
      );
    tries.push(rc('heal'));
    if (model.engine.kind !== 'etcd') tries.push(rc(`log ${victim}`));
  }
  tries.push(rc(`kill ${victim}`), rc(`restart ${victim}`), rc('events --follow'), rc('down'));
  return tries;
}
