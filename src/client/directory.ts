// The nodes a client knows: the addresses it was given, the ids it learned (from its config, from
// each node's hello, from leader hints) and which node led last. A node that joined after the
// client started is learned from a redirect that names it.
import type { LeaderHint } from '../node/client-protocol.js';
import { RaftClientError } from './errors.js';

/** A node as the caller lists it: "host:port", or with its id. */
export type NodeSpec = string | { id: number; address: string };
/** A node as the caller names it in a request: its id, or "host:port". */
export type NodeRef = number | string;

export class Directory {
  /** In the order given, then as learned: the order in which nodes are tried. */
  private readonly addresses: string[] = [];
  private readonly ids = new Map<string, number>();
  private leaderAddress: string | null = null;

  constructor(nodes: readonly NodeSpec[]) {
    if (nodes.length === 0) throw new RangeError('a RaftClient needs at least one node address');
    for (const n of nodes) {
      if (typeof n === 'string') this.add(checkAddress(n));
      else this.learn(n.id, checkAddress(n.address));
    }
  }

  /** The leader as last seen (an answer from it, or a hint naming it), if any. */
  get leader(): { id: number | null; address: string } | null {
    return this.leaderAddress === null ? null : { id: this.ids.get(this.leaderAddress) ?? null, address: this.leaderAddress };
  }

  idOf(address: string): number | null {
    return this.ids.get(address) ?? null;
  }

  /** "n2 (127.0.0.1:7002)", or the bare address while its id is unknown: for messages. */
  describe(address: string): string {
    const id = this.ids.get(address);
    return id === undefined ? address : `n${id} (${address})`;
  }

  learn(id: number, address: string): void {
    this.add(address);
    // An id moves with its node: a node restarted elsewhere keeps its id, not its port.
    for (const [a, known] of this.ids) if (known === id && a !== address) this.ids.delete(a);
    this.ids.set(address, id);
  }

  /** Where to send first: the last leader, else the first node. */
  first(): string {
    return this.leaderAddress ?? this.addresses[0]!;
  }

  /** The node after `address` in the list, round robin: where to go when `address` failed. */
  after(address: string): string {
    const i = this.addresses.indexOf(address);
    return this.addresses[(i + 1) % this.addresses.length]!;
  }

  /** A leader hint's address, with the address book filling in one the hint lacks; null when unusable. */
  resolveHint(hint: LeaderHint | null | undefined): string | null {
    if (hint === null || hint === undefined) return null;
    if (hint.address !== null) {
      this.learn(hint.id, hint.address);
      return hint.address;
    }
    for (const [address, id] of this.ids) if (id === hint.id) return address;
    return null;
  }

  ledBy(address: string | null): void {
    this.leaderAddress = address;
  }

  /** The address of a node named by id or address. */
  resolve(ref: NodeRef): string {
    if (typeof ref === 'string') {
      try {
        this.add(checkAddress(ref));
      } catch (err) {
        throw new RaftClientError('unknown-node', (err as Error).message);
      }
      return ref;
    }
    for (const [address, id] of this.ids) if (id === ref) return address;
    throw new RaftClientError(
      'unknown-node',
      `no address is known for n${ref}: give the client its address (nodes: [{ id: ${ref}, address: "host:port" }])`,
    );
  }

  private add(address: string): void {
    if (!this.addresses.includes(address)) this.addresses.push(address);
  }
}

function checkAddress(address: string): string {
  const at = address.lastIndexOf(':');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new RangeError(`a node address must be host:port with a port from 1 to 65535, got "${address}" (e.g. 127.0.0.1:7001)`);
  return address;
}
