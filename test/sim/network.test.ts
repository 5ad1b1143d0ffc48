import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/raft/types.js';
import { Network, RELIABLE, type DropCause } from '../../src/sim/network.js';
import { Random } from '../../src/sim/random.js';

const hb = (from: number, to: number, commit = 0): Message => ({ type: 'heartbeat', from, to, term: 1, commit });

/** Everything delivered from tick 1 to `until`, as "from>to@tick". */
function deliveries(net: Network, until: number): string[] {
  const out: string[] = [];
  for (let t = 1; t <= until; t++) for (const m of net.take(t) ?? []) out.push(`${m.from}>${m.to}@${t}`);
  return out;
}

describe('the simulated network', () => {
  it('delivers after the latency, in order on a reliable link', () => {
    const net = new Network(new Random(1), { ...RELIABLE, minLatency: 2, maxLatency: 2 });
    net.send(hb(1, 2), 0);
    net.send(hb(2, 1), 1);
    expect(net.inFlight).toBe(2);
    expect(deliveries(net, 5)).toEqual(['1>2@2', '2>1@3']);
    expect(net.inFlight).toBe(0);
  });

  it('keeps a link in order when ordered, whatever the latency', () => {
    const net = new Network(new Random(3), { ...RELIABLE, minLatency: 1, maxLatency: 9, ordered: true });
    for (let i = 0; i < 50; i++) net.send(hb(1, 2, i), 0);
    const commits: number[] = [];
    for (let t = 1; t <= 20; t++) for (const m of net.take(t) ?? []) commits.push((m as { commit: number }).commit);
    expect(commits).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('reorders when latency varies and the network is not ordered', () => {
    const net = new Network(new Random(3), { ...RELIABLE, minLatency: 1, maxLatency: 9, ordered: false });
    for (let i = 0; i < 50; i++) net.send(hb(1, 2, i), 0);
    const commits: number[] = [];
    for (let t = 1; t <= 20; t++) for (const m of net.take(t) ?? []) commits.push((m as { commit: number }).commit);
    expect(commits).toHaveLength(50);
    expect(commits).not.toEqual([...commits].sort((a, b) => a - b));
  });

  it('drops and duplicates messages at the rates asked', () => {
    const dropped: DropCause[] = [];
    let dups = 0;
    const net = new Network(new Random(5), { ...RELIABLE, drop: 0.2, duplicate: 0.1 });
    net.observer = { dropped: (_m, c) => dropped.push(c), duplicated: () => dups++ };
    for (let i = 0; i < 5000; i++) net.send(hb(1, 2), 0);
    expect(dropped.length / 5000).toBeGreaterThan(0.17);
    expect(dropped.length / 5000).toBeLessThan(0.23);
    expect(dropped.every((c) => c === 'random')).toBe(true);
    expect(dups / 4000).toBeGreaterThan(0.07);
    expect(dups / 4000).toBeLessThan(0.13);
    expect(net.inFlight).toBe(5000 - dropped.length + dups);
  });

  it('cuts one direction only with a one-way cut', () => {
    const net = new Network(new Random(1));
    net.cut(1, 2);
    net.send(hb(1, 2), 0);
    net.send(hb(2, 1), 0);
    expect(deliveries(net, 3)).toEqual(['2>1@1']);
    expect(net.cutLinks()).toEqual([[1, 2]]);
  });

  it('cuts both directions between partition groups, and drops messages already in flight', () => {
    const net = new Network(new Random(1));
    net.send(hb(1, 3), 0); // in flight when the partition starts
    net.partition([[1, 2], [3]]);
    net.send(hb(1, 2), 0);
    net.send(hb(3, 1), 0);
    net.send(hb(2, 3), 0);
    expect(deliveries(net, 3)).toEqual(['1>2@1']);
    net.heal();
    net.send(hb(3, 1), 3);
    expect(deliveries(net, 5)).toEqual(['3>1@4']);
  });

  it('isolates and reconnects one node without touching other cuts', () => {
    const net = new Network(new Random(1));
    net.cut(2, 3);
    net.isolate(1, [1, 2, 3]);
    expect(net.isBlocked(1, 2) && net.isBlocked(3, 1)).toBe(true);
    net.reconnect(1);
    expect(net.isBlocked(1, 2) || net.isBlocked(3, 1)).toBe(false);
    expect(net.isBlocked(2, 3)).toBe(true);
  });
});
