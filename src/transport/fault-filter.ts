// Faults injected below the core, changed at run time: the core sends and receives as usual and
// never knows. Blocking is per direction, so a one-way partition is "blockedTo" on one node (or
// "blockedFrom" on the other); a symmetric partition is both. Delay and loss apply to the messages
// this node sends on a link; to slow a link both ways, set it on both nodes.
import type { NodeId } from '../raft/types.js';

export interface LinkFault {
  /** Every message to the peer waits this long before it is queued for sending. */
  delayMs: number;
  /** Probability in [0, 1] that a message to the peer is dropped. */
  loss: number;
}

/** Each field given replaces that whole part of the current settings; fields left out stay as they are. */
export interface FaultSettings {
  /** Peers this node's messages to are dropped. */
  blockedTo?: NodeId[];
  /** Peers whose messages to this node are dropped on arrival. */
  blockedFrom?: NodeId[];
  /** Delay and loss on the messages to each peer (keyed by node id); a peer left out has neither. */
  links?: Record<NodeId, Partial<LinkFault>>;
}

export type OutboundVerdict = { pass: true; delayMs: number } | { pass: false; cause: 'blocked-to' | 'loss' };

export class FaultFilter {
  private blockedTo = new Set<NodeId>();
  private blockedFrom = new Set<NodeId>();
  private links = new Map<NodeId, LinkFault>();

  constructor(private readonly random: () => number) {}

  /** Validates everything before changing anything: a bad setting leaves the filter as it was. */
  set(settings: FaultSettings): void {
    const blockedTo = settings.blockedTo && new Set(settings.blockedTo.map((id) => peerId(id, 'blockedTo')));
    const blockedFrom = settings.blockedFrom && new Set(settings.blockedFrom.map((id) => peerId(id, 'blockedFrom')));
    const links = settings.links && readLinks(settings.links);
    if (blockedTo) this.blockedTo = blockedTo;
    if (blockedFrom) this.blockedFrom = blockedFrom;
    if (links) this.links = links;
  }

  /** Removes every fault. Messages already held by a delay are still delivered. */
  heal(): void {
    this.set({ blockedTo: [], blockedFrom: [], links: {} });
  }

  /** One line for status output, e.g. "blocked to n2, n3; to n4: delay 200 ms, loss 30%". */
  describe(): string {
    const ids = (s: Set<NodeId>): string =>
      [...s]
        .sort((a, b) => a - b)
        .map((id) => `n${id}`)
        .join(', ');
    const parts: string[] = [];
    if (this.blockedTo.size > 0) parts.push(`blocked to ${ids(this.blockedTo)}`);
    if (this.blockedFrom.size > 0) parts.push(`blocked from ${ids(this.blockedFrom)}`);
    for (const [id, f] of [...this.links].sort(([a], [b]) => a - b)) {
      const what = [f.delayMs > 0 ? `delay ${f.delayMs} ms` : '', f.loss > 0 ? `loss ${+(f.loss * 100).toFixed(1)}%` : ''];
      parts.push(`to n${id}: ${what.filter((w) => w !== '').join(', ')}`);
    }
    return parts.length === 0 ? 'no faults' : parts.join('; ');
  }

  /** The fate of one message to `to`. Draws from the random source only on a lossy link. */
  outbound(to: NodeId): OutboundVerdict {
    if (this.blockedTo.has(to)) return { pass: false, cause: 'blocked-to' };
    const link = this.links.get(to);
    if (link === undefined) return { pass: true, delayMs: 0 };
    if (link.loss > 0 && this.random() < link.loss) return { pass: false, cause: 'loss' };
    return { pass: true, delayMs: link.delayMs };
  }

  /** Whether a message from `from` may reach the core. */
  inbound(from: NodeId): boolean {
    return !this.blockedFrom.has(from);
  }
}

function peerId(value: unknown, where: string): NodeId {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${where}: a node id is an integer from 1, got ${String(value)}`);
  return value;
}

function readLinks(links: Record<NodeId, Partial<LinkFault>>): Map<NodeId, LinkFault> {
  const out = new Map<NodeId, LinkFault>();
  for (const [key, fault] of Object.entries(links)) {
    const id = peerId(Number(key), 'links');
    const delayMs = fault.delayMs ?? 0;
    const loss = fault.loss ?? 0;
    if (!(Number.isFinite(delayMs) && delayMs >= 0))
      throw new RangeError(`links.${key}.delayMs must be a number of ms from 0, got ${delayMs}`);
    if (!(loss >= 0 && loss <= 1)) throw new RangeError(`links.${key}.loss must be a probability from 0 to 1, got ${loss}`);
    // A link with neither fault is no fault: keeping it would only clutter describe().
    if (delayMs > 0 || loss > 0) out.set(id, { delayMs, loss });
  }
  return out;
}
