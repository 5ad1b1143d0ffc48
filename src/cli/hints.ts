// What to try next on a cluster that just came up, as `up` suggests it: the workshop's path, with
// this cluster's own node ids (the leader, when known, cut off in the minority).
import type { NodeModel } from '../cluster/index.js';
import { nameFlag, type ClusterFlags } from './cluster-options.js';

export function nextCommands(nodes: readonly NodeModel[], leader: number | null, flags: ClusterFlags): string[] {
  const rc = (cmd: string): string => `raft-console ${cmd}${nameFlag(flags)}`;
  const ids = nodes.filter((n) => !n.removed).map((n) => n.id);
  const victim = leader ?? ids[0]!;
  const tries = [rc('status'), rc('submit hello')];
  if (ids.length >= 2) {
    const others = ids.filter((id) => id !== victim);
    const minority = [victim, ...others.slice(0, Math.max(0, Math.floor((ids.length - 1) / 2) - 1))];
    const majority = ids.filter((id) => !minority.includes(id));
    tries.push(rc(`partition ${minority.join(',')} ${majority.join(',')}`), rc(`submit --via ${victim} lost`), rc('heal'), rc(`log ${victim}`));
  }
  tries.push(rc(`kill ${victim}`), rc(`restart ${victim}`), rc('events --follow'), rc('down'));
  return tries;
}
