// Step mode in a node (src/node/step-mode.ts, core-time.ts, the transport's hold): the clock stands
// still, every message the core sends is held, and only the commands move things on. Driven on a
// fake clock with a transport that never dials: no real time, no sockets.
import { describe, expect, it } from 'vitest';
import { parseControlCommand } from '../../src/node/control.js';
import { runStepCommand, type StepCommand } from '../../src/node/step-mode.js';
import { heldDetail } from '../../src/transport/index.js';
import { stepNode, TICK_MS } from './step-node.js';

function node() {
  const n = stepNode();
  const run = (c: StepCommand) => runStepCommand(1, n.target, c);
  return { ...n, run };
}

describe('a stepping node', () => {
  it('its clock stands still: no wake-up, no election however long the wall clock runs', async () => {
    const n = node();
    expect(n.run({ op: 'step', on: true }).ok).toBe(true);
    expect(n.clock.timers()).toEqual([]);
    n.clock.advance(10_000);
    await n.driver.idle();
    expect(n.role()).toBe('follower');
    expect(n.transport.held()).toEqual([]);
  });

  it('fire election: the core reaches its deadline and runs its own rule (PreVote first); each pre-vote is held with an id', async () => {
    const n = node();
    n.run({ op: 'step', on: true });
    n.clock.advance(5000);
    expect(n.run({ op: 'fire', timer: 'election' })).toEqual({ ok: true, text: "n1's election timer fired" });
    await n.driver.idle();
    expect(n.role()).toBe('pre-candidate');
    const held = n.transport.held();
    expect(held.map((e) => [e.id, e.message.type, e.message.to])).toEqual([
      ['1.1', 'pre-vote', 2],
      ['1.2', 'pre-vote', 3],
    ]);
    expect(heldDetail(held[0]!.message)).toEqual({ lastLogIndex: 0, lastLogTerm: 0 });
    expect(n.lines.filter((l) => l.type === 'held').map((l) => l.id)).toEqual(['1.1', '1.2']);
    // Still frozen after the fire: nothing more happens by itself.
    n.clock.advance(5000);
    await n.driver.idle();
    expect(n.transport.held()).toHaveLength(2);
  });

  it('advance moves the time by whole ticks: the 15-tick timeout fires on the 15th, not before', async () => {
    const n = node();
    n.run({ op: 'step', on: true });
    n.run({ op: 'advance', ticks: 14 });
    await n.driver.idle();
    expect(n.role()).toBe('follower');
    n.run({ op: 'advance', ticks: 1 });
    await n.driver.idle();
    expect(n.role()).toBe('pre-candidate');
  });

  it('deliver sends the held messages asked for, in the order asked; drop throws them away; unknown ids are said', async () => {
    const n = node();
    n.run({ op: 'step', on: true });
    n.run({ op: 'fire', timer: 'election' });
    await n.driver.idle();
    expect(n.run({ op: 'deliver', ids: ['1.2', '1.1'] })).toEqual({ ok: true, text: 'n1 sent 1.2, 1.1' });
    expect(n.lines.filter((l) => l.type === 'sent')).toEqual([
      { type: 'sent', id: '1.2', fate: 'queued' },
      { type: 'sent', id: '1.1', fate: 'queued' },
    ]);
    expect(n.run({ op: 'deliver', ids: ['1.1'] })).toEqual({ ok: false, text: 'n1 holds no message 1.1' });
    n.run({ op: 'advance', ticks: 30 });
    await n.driver.idle();
    const [first] = n.transport.held();
    expect(n.run({ op: 'drop', ids: [first!.id, '1.99'] })).toEqual({ ok: true, text: `n1 dropped ${first!.id}; it holds no 1.99` });
    expect(n.lines.at(-1)).toEqual({ type: 'dropped', id: first!.id });
  });

  it('a held message on a blocked link is dropped by the filter when delivered, and the answer says so', async () => {
    const n = node();
    n.transport.filter.set({ blockedTo: [3] });
    n.run({ op: 'step', on: true });
    n.run({ op: 'fire', timer: 'election' });
    await n.driver.idle();
    expect(n.run({ op: 'deliver', ids: ['1.2'] }).text).toBe('n1 sent 1.2 (1 message dropped by a fault on its link)');
    expect(n.lines.at(-1)).toEqual({ type: 'sent', id: '1.2', fate: 'blocked-to' });
  });

  it('step off: what is held goes out in the order held, and the clock resumes where it stood, with no burst of expired timers', async () => {
    const n = node();
    n.run({ op: 'advance', ticks: 1 }); // refused: not stepping
    n.run({ op: 'step', on: true });
    n.run({ op: 'advance', ticks: 10 });
    n.clock.advance(60_000);
    const off = n.run({ op: 'step', on: false });
    expect(off.ok).toBe(true);
    await n.driver.idle();
    expect(n.role()).toBe('follower');
    // 10 of its 15 ticks went by while stepping: the timeout is 5 ticks away, on the clock again.
    expect(n.clock.timers()).toEqual([60_000 + TICK_MS]);
    n.clock.advance(4 * TICK_MS);
    await n.driver.idle();
    expect(n.role()).toBe('follower');
    n.clock.advance(TICK_MS);
    await n.driver.idle();
    expect(n.role()).toBe('pre-candidate');
    // Not stepping: its pre-votes are not held.
    expect(n.transport.held()).toEqual([]);
  });

  it('step off sends the held messages oldest first', async () => {
    const n = node();
    n.run({ op: 'step', on: true });
    n.run({ op: 'fire', timer: 'election' });
    await n.driver.idle();
    expect(n.run({ op: 'step', on: false }).text).toBe(
      'n1 runs again: its clock resumes where it stood, and the 2 messages it held went out in the order held',
    );
    expect(n.lines.filter((l) => l.type === 'sent').map((l) => l.id)).toEqual(['1.1', '1.2']);
  });

  it('fire, advance, deliver and drop are refused when not stepping; a heartbeat only on a leader; an election not on a leader', async () => {
    const n = node();
    expect(n.run({ op: 'advance', ticks: 1 })).toEqual({ ok: false, text: 'n1 is not in step mode' });
    expect(n.run({ op: 'fire', timer: 'election' }).ok).toBe(false);
    n.run({ op: 'step', on: true });
    expect(n.run({ op: 'fire', timer: 'heartbeat' })).toEqual({
      ok: false,
      text: 'n1 is a follower, not the leader: only a leader sends heartbeats',
    });
    // Win an election by hand: answers from n2 to each round.
    n.run({ op: 'fire', timer: 'election' });
    await n.driver.idle();
    n.driver.run((c) => c.step({ type: 'pre-vote-response', from: 2, to: 1, term: 1, granted: true }));
    await n.driver.idle();
    expect(n.role()).toBe('candidate');
    n.driver.run((c) => c.step({ type: 'vote-response', from: 2, to: 1, term: 1, granted: true }));
    await n.driver.idle();
    expect(n.role()).toBe('leader');
    expect(n.run({ op: 'fire', timer: 'election' }).text).toBe(
      'n1 leads term 1: a leader has no election timer (fire its heartbeat instead)',
    );
    const before = n.transport.held().length;
    expect(n.run({ op: 'fire', timer: 'heartbeat' }).ok).toBe(true);
    await n.driver.idle();
    const beats = n.transport.held().slice(before);
    expect(beats.map((e) => [e.message.type, e.message.to])).toEqual([
      ['heartbeat', 2],
      ['heartbeat', 3],
    ]);
  });
});

describe('the step commands on the control channel', () => {
  it('parse, and bad input is refused with the field named', () => {
    expect(parseControlCommand({ op: 'step', on: true })).toEqual({ ok: true, value: { op: 'step', on: true } });
    expect(parseControlCommand({ op: 'deliver', ids: ['1.2', '3.1'] })).toEqual({
      ok: true,
      value: { op: 'deliver', ids: ['1.2', '3.1'] },
    });
    expect(parseControlCommand({ op: 'fire', timer: 'heartbeat' })).toEqual({ ok: true, value: { op: 'fire', timer: 'heartbeat' } });
    expect(parseControlCommand({ op: 'advance', ticks: 3 })).toEqual({ ok: true, value: { op: 'advance', ticks: 3 } });
    const problem = (v: unknown): string => {
      const r = parseControlCommand(v);
      return r.ok ? 'ok' : r.problem;
    };
    expect(problem({ op: 'step' })).toBe('on must be true or false, got nothing');
    expect(problem({ op: 'deliver', ids: [] })).toBe('ids must name at least one held message, e.g. ["1.4"]');
    expect(problem({ op: 'drop', ids: ['x'] })).toBe('ids[0] must be a held message\'s id such as "1.4", got "x"');
    expect(problem({ op: 'fire', timer: 'lunch' })).toBe('timer must be one of "election", "heartbeat", got "lunch"');
    expect(problem({ op: 'advance', ticks: 0 })).toBe('ticks must be at least 1');
    expect(problem({ op: 'advance', ticks: 1.5 })).toMatch(/^ticks must be an integer from 0 to/);
  });
});
