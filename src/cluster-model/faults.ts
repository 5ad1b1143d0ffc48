// The faults in force on a cluster, as `status` tells them: the partition (nodes cut off alone are
// "isolated"), link faults the partition does not explain (one-way cuts, delays, losses), nodes that
// are not running, and Raft switches changed from the defaults. Read from the model, so a client in
// another terminal sees what the supervisor has set.
import type { ClusterModel, LinkFaultModel, ProcessState, RaftSwitches } from './model.js';
import type { NodeId } from '../raft/types.js';
import { isDefault, describeSwitches } from './switches.js';

export type Fault =
  /** The groups of the last `partition` or `isolate`; a group of one is an isolated node. */
  | { kind: 'partition'; groups: NodeId[][] }
  /** A directed link with a fault of its own (a cut between two groups of the partition is the partition's). */
  | ({ kind: 'link' } & LinkFaultModel)
  /** A member that is not running: paused (frozen), stopped, killed or crashed. */
  | { kind: 'process'; node: NodeId; state: Exclude<ProcessState, 'running' | 'starting'> }
  /** The core's switches, when they are not the defaults (a known bug on, PreVote or CheckQuorum off). */
  | { kind: 'switches'; switches: RaftSwitches };

/** Every fault in force, the partition first. */
export function faultsInForce(model: Pick<ClusterModel, 'links' | 'partition' | 'nodes' | 'switches'>): Fault[] {
  const faults: Fault[] = [];
  const groupOf = new Map<NodeId, number>();
  model.partition.forEach((g, i) => g.forEach((id) => groupOf.set(id, i)));
  if (model.partition.length > 1) faults.push({ kind: 'partition', groups: model.partition });
  for (const l of model.links) {
    const byPartition = l.blocked && groupOf.has(l.from) && groupOf.has(l.to) && groupOf.get(l.from) !== groupOf.get(l.to);
    const own = byPartition ? { ...l, blocked: false } : l;
    if (own.blocked || own.delayMs > 0 || own.loss > 0) faults.push({ kind: 'link', ...own });
  }
  for (const n of model.nodes) {
    const state = n.process.state;
    if (!n.removed && state !== 'running' && state !== 'starting') faults.push({ kind: 'process', node: n.id, state });
  }
  if (!isDefault(model.switches)) faults.push({ kind: 'switches', switches: model.switches });
  return faults;
}

/** "n1 -> n2 cut", "n3 -> n1 delay 200 ms, loss 30%", for sentences; "n1 <-> n2 ..." for a link faulty both ways alike. */
export function describeLink(l: LinkFaultModel, bothWays = false): string {
  const what = l.blocked
    ? ['cut']
    : [l.delayMs > 0 ? `delay ${l.delayMs} ms` : '', l.loss > 0 ? `loss ${+(l.loss * 100).toFixed(1)}%` : ''].filter((w) => w !== '');
  return `n${l.from} ${bothWays ? '<->' : '->'} n${l.to} ${what.length === 0 ? 'healthy' : what.join(', ')}`;
}

/**
 * Each fault as people read it, a link faulty the same way both ways said once ("link n1 <-> n2
 * delay 100 ms", as `link 1 2 --delay 100` set it).
 */
export function describeFaults(faults: readonly Fault[]): Array<{ fault: Fault; text: string }> {
  const links = faults.filter((f): f is Extract<Fault, { kind: 'link' }> => f.kind === 'link');
  const twin = (l: LinkFaultModel): boolean =>
    links.some((o) => o.from === l.to && o.to === l.from && o.blocked === l.blocked && o.delayMs === l.delayMs && o.loss === l.loss);
  return faults.flatMap((fault) => {
    if (fault.kind !== 'link' || !twin(fault)) return [{ fault, text: describeFault(fault) }];
    // Said once, from the lower id.
    return fault.from < fault.to ? [{ fault, text: `link ${describeLink(fault, true)}` }] : [];
  });
}

/** "partitioned {1,2} | {3,4,5}", "n2 isolated", "n4 paused", "link n1 -> n2 delay 100 ms", "Raft: PreVote off". */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'partition': {
      const alone = f.groups.filter((g) => g.length === 1).map((g) => `n${g[0]}`);
      const together = f.groups.filter((g) => g.length > 1);
      // One group with everyone else in it is no partition of its own: only the isolated nodes are news.
      const parts = together.length > 1 ? [`partitioned ${together.map((g) => `{${g.join(',')}}`).join(' | ')}`] : [];
      if (alone.length > 0) parts.push(`${alone.join(', ')} isolated`);
      return parts.join('; ');
    }
    case 'link':
      return `link ${describeLink(f)}`;
    case 'process':
      return `n${f.node} ${f.state}`;
    case 'switches':
      return `Raft: ${describeSwitches(f.switches)}`;
  }
}
