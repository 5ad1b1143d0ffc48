// The network faults as the model keeps them (one entry per faulty directed link) and what each
// node's fault filter must be set to for them. Every change is computed here as a new list, and
// every node concerned is sent its whole filter, so a node restarted or resumed is set right by
// sending the same thing again.
import type { NodeId } from '../raft/types.js';
import type { FaultSettings, LinkFault } from '../transport/index.js';
import type { LinkFaultModel } from '../cluster-model/model.js';

export type LinkChange = Partial<Pick<LinkFaultModel, 'blocked' | 'delayMs' | 'loss'>>;

const isFault = (l: LinkFaultModel): boolean => l.blocked || l.delayMs > 0 || l.loss > 0;
const byEnds = (a: LinkFaultModel, b: LinkFaultModel): number => a.from - b.from || a.to - b.to;

/** The link from -> to as the model keeps it, or a link with no fault when the model has none. */
export function linkOf(links: readonly LinkFaultModel[], from: NodeId, to: NodeId): LinkFaultModel {
  return links.find((l) => l.from === from && l.to === to) ?? { from, to, blocked: false, delayMs: 0, loss: 0 };
}

/** Changes the link from -> to; a link left with no fault disappears from the list. */
export function changeLink(links: readonly LinkFaultModel[], from: NodeId, to: NodeId, change: LinkChange): LinkFaultModel[] {
  const old = linkOf(links, from, to);
  const next = { ...old, ...change };
  return [...links.filter((l) => l !== old), next].filter(isFault).sort(byEnds);
}

/**
 * The groups as given plus one more of every node left out, when any is: "partition [1,2]" on a
 * five-node cluster separates {1,2} from {3,4,5}.
 */
export function completeGroups(groups: readonly NodeId[][], members: readonly NodeId[]): NodeId[][] {
  const listed = new Set(groups.flat());
  const rest = members.filter((id) => !listed.has(id));
  const all = groups.map((g) => [...g].sort((a, b) => a - b));
  if (rest.length > 0) all.push(rest);
  return all;
}

/**
 * The partition with `id` cut off alone as well: faults compose, so `isolate 2` then `isolate 3`
 * leaves both cut off, and isolating a node of a partitioned cluster keeps the other groups apart.
 */
export function isolateIn(partition: readonly NodeId[][], id: NodeId): NodeId[][] {
  return [...groupsWithout(partition, id), [id]];
}

/** The partition groups with `id` taken out, and no group left empty. */
function groupsWithout(partition: readonly NodeId[][], id: NodeId): NodeId[][] {
  return partition.map((g) => g.filter((x) => x !== id)).filter((g) => g.length > 0);
}

/**
 * Blocks every link between different groups and unblocks every link within one; delays and losses
 * stay as they were.
 */
export function partitionLinks(links: readonly LinkFaultModel[], groups: readonly NodeId[][]): LinkFaultModel[] {
  const groupOf = new Map<NodeId, number>();
  groups.forEach((g, i) => g.forEach((id) => groupOf.set(id, i)));
  let next = links.map((l) => ({ ...l, blocked: false }));
  for (const from of groupOf.keys())
    for (const to of groupOf.keys()) if (groupOf.get(from) !== groupOf.get(to)) next = changeLink(next, from, to, { blocked: true });
  return next.filter(isFault).sort(byEnds);
}

/** The faults and the partition groups left when a node leaves the cluster: none of its links, and no group of it alone. */
export function withoutNode(
  links: readonly LinkFaultModel[],
  partition: readonly NodeId[][],
  id: NodeId,
): { links: LinkFaultModel[]; partition: NodeId[][] } {
  return {
    links: links.filter((l) => l.from !== id && l.to !== id),
    partition: groupsWithout(partition, id),
  };
}

/**
 * The whole fault filter of one node. A blocked link is cut at both ends (dropped when sent, and on
 * arrival), so a cut holds even while one end has not yet heard of it.
 */
export function filterFor(node: NodeId, links: readonly LinkFaultModel[]): Required<FaultSettings> {
  const settings: Required<FaultSettings> = { blockedTo: [], blockedFrom: [], links: {} };
  for (const l of links) {
    if (l.blocked && l.from === node) settings.blockedTo.push(l.to);
    if (l.blocked && l.to === node) settings.blockedFrom.push(l.from);
    if (l.from === node && (l.delayMs > 0 || l.loss > 0)) settings.links[l.to] = { delayMs: l.delayMs, loss: l.loss } satisfies LinkFault;
  }
  return settings;
}

export function hasFaults(node: NodeId, links: readonly LinkFaultModel[]): boolean {
  return links.some((l) => l.from === node || l.to === node);
}
