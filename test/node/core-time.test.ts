// The node's time (src/node/core-time.ts): the core is brought up to the clock's now before every
// input and woken at its election deadline, so a timeout fires at its millisecond, not at the
// next whole tick (Raft paper 5.2; dissertation 9.3, Figure 16's 150-151 ms). Driven on a fake
// clock: no real sleep, no real timer.
import { describe, expect, it } from 'vitest';
import { TimedDriver } from '../../src/node/core-time.js';
import type { ReadyHandler } from '../../src/node/raft-driver.js';
import { Raft } from '../../src/raft/raft.js';
import type { RaftEvent } from '../../src/raft/events.js';
import type { Message } from '../../src/raft/types.js';
import { heartbeat, voteReq } from '../raft/harness.js';
import { FakeClock } from './fake-clock.js';

const TICK_MS = 10;

/**
 * Node 1 of 3 at 10 ms a tick, with 150-151 ms election timeouts (15-15.1 ticks): this random
 * draws 15.037 ticks, 150.37 ms, every time.
 */
function node() {
  const clock = new FakeClock();
  const core = new Raft({
    id: 1,
    voters: [1, 2, 3],
    random: () => 0.37,
    electionTimeoutMin: 15,
    electionTimeoutMax: 15.1,
    heartbeatInterval: 5,
  });
  const events: RaftEvent[] = [];
  const sent: Message[] = [];
  const handler: ReadyHandler = {
    observe: (rd) => void events.push(...rd.events),
    persist: () => Promise.resolve(),
    send: (messages) => void sent.push(...messages),
    apply: () => Promise.resolve(),
    advanced: () => Promise.resolve(),
  };
  let wakes = 0;
  const driver = new TimedDriver(
    core,
    handler,
    (err) => {
      throw err;
    },
    clock,
    TICK_MS,
    () => wakes++,
  );
  driver.run(() => undefined);
  return { clock, core, driver, events, sent, wakes: () => wakes, role: () => core.status().role };
}

describe('the election timeout fires at its deadline', () => {
  it('150.37 ms after the start, not at the next whole tick (160 ms)', () => {
    const n = node();
    n.clock.advance(150);
    expect(n.role()).toBe('follower');
    // Woken at the deadline, rounded up to the millisecond: never before it.
    expect(n.clock.timers()).toEqual([151]);
    n.clock.advance(0.9);
    expect(n.role()).toBe('follower');
    n.clock.advance(0.1);
    expect(n.role()).toBe('pre-candidate');
    // The campaign's timer counts from the deadline, not from the wake-up.
    expect(n.core.status().electionElapsed * TICK_MS).toBeCloseTo(151 - 150.37, 6);
  });

  it("a heartbeat resets the timer from its arrival: at 57.3 ms it moves the deadline to 207.67 ms, not to 200.37 (the last tick's)", () => {
    const n = node();
    n.clock.advance(57.3);
    n.driver.run((c) => c.step(heartbeat(2, 1, 1, 0)));
    expect(n.core.electionDueIn() * TICK_MS).toBeCloseTo(150.37, 6);
    n.clock.advance(207.6 - 57.3);
    expect(n.role()).toBe('follower');
    n.clock.advance(0.4);
    expect(n.role()).toBe('pre-candidate');
  });

  it('the wake-ups are the whole ticks until the deadline comes before the next one', () => {
    const n = node();
    expect(n.clock.timers()).toEqual([10]);
    n.clock.advance(140);
    expect(n.clock.timers()).toEqual([150]);
    n.clock.advance(10);
    expect(n.clock.timers()).toEqual([151]);
    expect(n.wakes()).toBe(15);
  });

  it('a speed change keeps timeouts in ticks: the time left is scaled to the new tick length', () => {
    const n = node();
    n.clock.advance(100);
    // 10 of 15.037 ticks gone; the 5.037 left at 100 ms a tick end at 603.7 ms.
    n.driver.setTickMs(100);
    expect(n.clock.timers()).toEqual([200]);
    n.clock.advance(503);
    expect(n.role()).toBe('follower');
    n.clock.advance(1);
    expect(n.role()).toBe('pre-candidate');
  });

  it('a frozen process resumes with its clock where it stopped, not with its timeout long expired (exercise 1)', () => {
    const n = node();
    n.clock.advance(100);
    // SIGSTOP for 5 s, then SIGCONT: the wake-up due at 110 ms runs at 5,100 ms.
    n.clock.jump(5000);
    n.clock.advance(0);
    expect(n.role()).toBe('follower');
    // A tick past the wake-up counts (as lateness would): 12 ticks of its 15.037 gone.
    expect(n.core.status().electionElapsed).toBeCloseTo(12, 9);
    n.clock.advance(30);
    expect(n.role()).toBe('follower');
    n.clock.advance(1);
    expect(n.role()).toBe('pre-candidate');
  });

  it("an input that comes after the deadline, before the wake-up ran, does not fire the timeout: the leader's heartbeat read in the same turn of the event loop still counts", () => {
    const n = node();
    n.clock.advance(150);
    // Past the deadline (150.37 ms), before the wake-up set for 151 ran: the leader's heartbeat
    // that arrived meanwhile is read first, as Node reads I/O before it runs timers.
    n.clock.jump(0.8);
    n.driver.run((c) => c.step(heartbeat(2, 1, 1, 0)));
    expect(n.role()).toBe('follower');
    expect(n.events.filter((e) => e.type === 'election-timeout')).toEqual([]);
    // The reset counts from just short of the deadline the input found due: the next is 300.74 ms.
    expect(n.core.electionDueIn() * TICK_MS).toBeCloseTo(150.37, 3);
    n.clock.advance(300.7 - 150.8);
    expect(n.role()).toBe('follower');
    n.clock.advance(1);
    expect(n.role()).toBe('pre-candidate');
  });

  it('a timer found due by an input fires at the next wake-up, not inside the input', () => {
    const n = node();
    n.clock.advance(150);
    n.clock.jump(0.8);
    n.driver.run(() => undefined);
    expect(n.role()).toBe('follower');
    n.clock.advance(0.2);
    expect(n.role()).toBe('pre-candidate');
    // At once (the wake-up was set for the past), and the campaign's timer counts from the deadline.
    expect(n.core.status().electionElapsed * TICK_MS).toBeCloseTo(150.8 - 150.37, 3);
  });

  it('no wake-up after stop', () => {
    const n = node();
    n.driver.stop();
    expect(n.clock.timers()).toEqual([]);
    n.driver.run((c) => c.step(heartbeat(2, 1, 1, 0)));
    expect(n.clock.timers()).toEqual([]);
  });
});

describe('the lease is measured to the arrival of each message (dissertation 4.2.3, 9.6)', () => {
  it('a pre-vote 149.9 ms after the last heartbeat is refused, one 150.1 ms after it granted', async () => {
    const n = node();
    n.clock.advance(3.2);
    n.driver.run((c) => c.step(heartbeat(2, 1, 1, 0)));
    n.clock.advance(149.9);
    n.driver.run((c) => c.step(voteReq(3, 1, 2, 0, 0, 'pre-vote')));
    n.clock.advance(0.2);
    n.driver.run((c) => c.step(voteReq(3, 1, 2, 0, 0, 'pre-vote')));
    await n.driver.idle();
    const casts = n.events.filter((e) => e.type === 'vote-cast');
    expect(casts).toEqual([
      expect.objectContaining({ candidate: 3, granted: false, reason: 'leader-alive' }),
      expect.objectContaining({ candidate: 3, granted: true }),
    ]);
    expect(n.sent).toContainEqual(expect.objectContaining({ type: 'pre-vote-response', to: 3, granted: true }));
  });
});
