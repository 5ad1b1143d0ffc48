// The fault filter below the core: blocked links (each direction on its own), per-link loss and
// delay, changed at run time. Drops are checked by order, not by waiting: a link is FIFO, so once
// a marker sent after the dropped messages has arrived, anything not before it never will.
import { describe, expect, it } from 'vitest';
import { FaultFilter } from '../../src/transport/fault-filter.js';
import { waitFor } from '../support/wait.js';
import { ManualTimers, heartbeat, numbered, startPair, termsOf } from './helpers.js';

describe('FaultFilter', () => {
  it('describes itself for status output', () => {
    const f = new FaultFilter(() => 0.5);
    expect(f.describe()).toBe('no faults');
    f.set({ blockedTo: [3, 2], blockedFrom: [4], links: { 5: { delayMs: 200, loss: 0.3 }, 6: { loss: 1 }, 7: {} } });
    expect(f.describe()).toBe('blocked to n2, n3; blocked from n4; to n5: delay 200 ms, loss 30%; to n6: loss 100%');
    f.heal();
    expect(f.describe()).toBe('no faults');
  });

  it('set() replaces the fields it is given and keeps the others', () => {
    const f = new FaultFilter(() => 0.5);
    f.set({ blockedTo: [2], links: { 3: { delayMs: 10 } } });
    f.set({ blockedFrom: [4] });
    expect(f.describe()).toBe('blocked to n2; blocked from n4; to n3: delay 10 ms');
    f.set({ blockedTo: [] });
    expect(f.describe()).toBe('blocked from n4; to n3: delay 10 ms');
  });

  it('refuses bad settings without changing anything', () => {
    const f = new FaultFilter(() => 0.5);
    f.set({ blockedTo: [2] });
    expect(() => f.set({ blockedFrom: [3], links: { 4: { loss: 1.5 } } })).toThrow(/loss must be a probability from 0 to 1, got 1.5/);
    expect(() => f.set({ blockedTo: [0] })).toThrow(/blockedTo: a node id is an integer from 1, got 0/);
    expect(() => f.set({ links: { 4: { delayMs: -1 } } })).toThrow(/delayMs must be a number of ms from 0/);
    expect(f.describe()).toBe('blocked to n2');
  });

  it('decides each message: blocked, lost (drawing from the random source only on lossy links), delayed', () => {
    const draws = [0.2, 0.4, 0.6];
    let calls = 0;
    const f = new FaultFilter(() => {
      calls++;
      return draws.shift()!;
    });
    f.set({ blockedTo: [2], blockedFrom: [3], links: { 4: { loss: 0.5, delayMs: 7 } } });
    expect(f.outbound(2)).toEqual({ pass: false, cause: 'blocked-to' });
    expect(f.outbound(3)).toEqual({ pass: true, delayMs: 0 });
    expect(calls).toBe(0);
    expect([f.outbound(4), f.outbound(4), f.outbound(4)]).toEqual([
      { pass: false, cause: 'loss' },
      { pass: false, cause: 'loss' },
      { pass: true, delayMs: 7 },
    ]);
    expect([f.inbound(2), f.inbound(3)]).toEqual([true, false]);
  });
});

describe('the fault filter on a live pair', () => {
  it('blockedTo drops only this node’s messages to the peer; the other direction flows', async () => {
    const [a, b] = await startPair();
    a.transport.filter.set({ blockedTo: [2] });
    for (const m of numbered(1, 2, [1, 2, 3])) a.transport.send(m);
    b.transport.send(heartbeat(2, 1, 50));
    await a.waitForMessages(1, (m) => m.term === 50);
    a.transport.filter.heal();
    a.transport.send(heartbeat(1, 2, 99)); // the marker
    await b.waitForMessages(1, (m) => m.term === 99);
    expect(termsOf(b.messages)).toEqual([99]);
    expect(a.transport.stats().dropped['blocked-to']).toBe(3);
  });

  it('blockedFrom drops the peer’s messages on arrival; this node’s own still reach it (a one-way partition)', async () => {
    const [a, b] = await startPair();
    a.transport.filter.set({ blockedFrom: [2] });
    for (const m of numbered(2, 1, [1, 2, 3])) b.transport.send(m);
    await waitFor('three messages dropped on arrival', () => a.transport.stats().dropped['blocked-from'] === 3);
    a.transport.send(heartbeat(1, 2, 60));
    await b.waitForMessages(1, (m) => m.term === 60);
    a.transport.filter.heal();
    b.transport.send(heartbeat(2, 1, 99));
    await a.waitForMessages(1, (m) => m.term === 99);
    expect(termsOf(a.messages)).toEqual([99]);
  });

  it('both directions blocked on both nodes is a symmetric partition, healed by heal()', async () => {
    const [a, b] = await startPair();
    a.transport.filter.set({ blockedTo: [2], blockedFrom: [2] });
    b.transport.filter.set({ blockedTo: [1], blockedFrom: [1] });
    a.transport.send(heartbeat(1, 2, 1));
    b.transport.send(heartbeat(2, 1, 1));
    a.transport.filter.heal();
    b.transport.filter.heal();
    a.transport.send(heartbeat(1, 2, 2));
    b.transport.send(heartbeat(2, 1, 2));
    expect(termsOf(await b.waitForMessages(1))).toEqual([2]);
    expect(termsOf(await a.waitForMessages(1))).toEqual([2]);
  });

  it('loss 1.0 drops every message on the link', async () => {
    const [a, b] = await startPair();
    a.transport.filter.set({ links: { 2: { loss: 1 } } });
    for (const m of numbered(
      1,
      2,
      Array.from({ length: 50 }, (_, i) => i + 1),
    ))
      a.transport.send(m);
    a.transport.filter.heal();
    a.transport.send(heartbeat(1, 2, 99));
    await b.waitForMessages(1, (m) => m.term === 99);
    expect(termsOf(b.messages)).toEqual([99]);
    expect(a.transport.stats().dropped.loss).toBe(50);
  });

  it('loss between 0 and 1 drops the messages the random source picks', async () => {
    const draws = [0.1, 0.9, 0.2, 0.8];
    const [a, b] = await startPair({ random: () => draws.shift() ?? 0.99 });
    a.transport.filter.set({ links: { 2: { loss: 0.5 } } });
    for (const m of numbered(1, 2, [1, 2, 3, 4, 5])) a.transport.send(m);
    await b.waitForMessages(3);
    a.transport.filter.heal();
    a.transport.send(heartbeat(1, 2, 99));
    await b.waitForMessages(1, (m) => m.term === 99);
    expect(termsOf(b.messages)).toEqual([2, 4, 5, 99]);
  });

  it('a delayed link delivers later than an undelayed message sent after it, in its own order', async () => {
    const timers = new ManualTimers();
    const [a, b] = await startPair({ timers });
    a.transport.filter.set({ links: { 2: { delayMs: 250 } } });
    for (const m of numbered(1, 2, [1, 2, 3])) a.transport.send(m);
    expect(a.transport.stats().delayed).toBe(3);
    a.transport.filter.heal(); // what is already delayed stays delayed
    a.transport.send(heartbeat(1, 2, 4));
    await b.waitForMessages(1);
    expect(termsOf(b.messages)).toEqual([4]);
    expect(timers.fire(250)).toBe(3);
    await b.waitForMessages(4);
    expect(termsOf(b.messages)).toEqual([4, 1, 2, 3]);
    expect(a.transport.stats().delayed).toBe(0);
  });

  it('a delay holds no more than a send queue would: the excess is dropped and counted', async () => {
    const timers = new ManualTimers();
    const [a, b] = await startPair({ timers, maxQueueMessages: 10 });
    a.transport.filter.set({ links: { 2: { delayMs: 100 } } });
    for (const m of numbered(
      1,
      2,
      Array.from({ length: 15 }, (_, i) => i + 1),
    ))
      a.transport.send(m);
    expect(a.transport.stats()).toMatchObject({ delayed: 10, dropped: expect.objectContaining({ 'delay-full': 5 }) });
    timers.fire(100);
    expect(termsOf(await b.waitForMessages(10))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
