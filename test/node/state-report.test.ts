// A node's state lines for the dashboard: the log's term runs, the running timer as a wall-clock
// deadline that only a reset moves (so ticks alone emit no line), and the leader's view of its
// followers. Driven with a real core, the node's time (CoreTime) on a fake clock, and the real
// EventStream on fake timers.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { EventStream } from '../../src/node/event-stream.js';
import { readStateLine, type StateLine } from '../../src/node/state-line.js';
import { CoreTime } from '../../src/node/core-time.js';
import { RUNS_WINDOW, TimerClock, stateLine, termRuns } from '../../src/node/state-report.js';
import { Raft } from '../../src/raft/raft.js';
import type { Message } from '../../src/raft/types.js';
import { FakeClock } from './fake-clock.js';

const TICK_MS = 10;
const START = 1_000_000;

/** A core at 10 ms a tick with a 15-30 tick election timeout (22.5 with this random) and a heartbeat every 5. */
function node(id: number, voters: number[]) {
  const core = new Raft({ id, voters, random: () => 0.5, electionTimeoutMin: 15, electionTimeoutMax: 30, heartbeatInterval: 5 });
  const clock = new FakeClock(START);
  // As the node's driver does at each wake-up (a tick or the election deadline): time up to now,
  // the next wake-up, the state reported.
  const time: CoreTime = new CoreTime(core, clock, TICK_MS, () => {
    time.catchUp('fire');
    time.schedule();
    report();
  });
  const timers = new TimerClock(5, time);
  time.schedule();
  const lines: StateLine[] = [];
  const events = new EventStream(id, TICK_MS, (text) => {
    const { ts: _ts, node: _node, kind, ...line } = JSON.parse(text) as Record<string, unknown>;
    if (kind !== 'state') return;
    // Read as the supervisor reads it: every line the node writes must pass its check.
    const read = readStateLine(line);
    if (!read.ok) throw new Error(`a state line the supervisor refuses: ${read.problem}`);
    lines.push(read.value);
  });
  const report = (): void => events.state(() => stateLine(core, 0, timers, []));
  return {
    core,
    lines,
    /** Time passes: `n` ticks of TICK_MS, the node woken at each and at its election deadline. */
    tick(n = 1): void {
      for (let i = 0; i < n; i++) {
        vi.advanceTimersByTime(TICK_MS);
        clock.advance(TICK_MS);
      }
    },
    step(m: Message): void {
      time.catchUp('fire');
      core.step(m);
      time.schedule();
      report();
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('term runs', () => {
  const log =
    (terms: number[], first = 1) =>
    (i: number) =>
      terms[i - first];

  test('one [first index, term] per run of equal terms; none for an empty log', () => {
    expect(termRuns(log([1, 1, 2, 2, 2, 5]), 1, 6)).toEqual([
      [1, 1],
      [3, 2],
      [6, 5],
    ]);
    expect(termRuns(log([]), 1, 0)).toEqual([]);
  });

  test('start after the snapshot, and cover only the last 1,000 entries', () => {
    expect(termRuns(log([3, 3, 4], 8), 8, 10)).toEqual([
      [8, 3],
      [10, 4],
    ]);
    const terms = [...Array(1500).fill(1), ...Array(500).fill(2)] as number[];
    expect(termRuns(log(terms), 1, 2000)).toEqual([
      [2000 - RUNS_WINDOW + 1, 1],
      [1501, 2],
    ]);
  });
});

describe('the timer in state lines', () => {
  test("a follower's deadline moves with each heartbeat it receives, and ticks alone emit no line", () => {
    const n = node(1, [1, 2, 3]);
    const heartbeat = (): void => n.step({ type: 'heartbeat', from: 2, to: 1, term: 1, commit: 0 });
    const beats = [Date.now()];
    heartbeat();
    for (let i = 0; i < 4; i++) {
      // 10 ticks between heartbeats: longer than the 50 ms the stream coalesces over.
      n.tick(10);
      beats.push(Date.now());
      heartbeat();
    }
    n.tick(10);
    expect(n.lines).toHaveLength(beats.length);
    n.lines.forEach((line, i) => {
      expect(line.timer).toMatchObject({ kind: 'election', timeoutMs: 225 });
      // It would fire 22.5 ticks after the heartbeat arrived.
      expect(line.timer!.deadline).toBe(beats[i]! + 225);
    });
    expect(n.lines.at(-1)).toMatchObject({ role: 'follower', term: 1, leader: 2, runs: [], progress: {} });
  });

  test('with no heartbeat the deadline stays put until the timer fires', () => {
    const n = node(1, [1, 2, 3]);
    n.tick(20);
    expect(n.lines).toHaveLength(1);
    expect(n.lines[0]!.timer).toEqual({ kind: 'election', deadline: START + 225, timeoutMs: 225 });
    n.tick(3 + 5);
    // Fired at 225 ms, between two ticks: a pre-candidate with a new timer from then (its line
    // flushed within 50 ms).
    expect(n.lines.at(-1)).toMatchObject({ role: 'pre-candidate', timer: { kind: 'election', deadline: START + 225 + 225 } });
  });

  test("a leader reports its next heartbeat, every heartbeat, and its followers' progress", () => {
    const n = node(1, [1, 2, 3]);
    n.core.campaign();
    n.step({ type: 'pre-vote-response', from: 2, to: 1, term: 1, granted: true });
    n.step({ type: 'vote-response', from: 2, to: 1, term: 1, granted: true });
    expect(n.core.status().role).toBe('leader');
    n.tick(20);
    const led = n.lines.filter((l) => l.role === 'leader');
    expect(led.length).toBeGreaterThanOrEqual(3);
    for (const line of led) {
      expect(line.timer).toMatchObject({ kind: 'heartbeat', intervalMs: 50 });
      expect(line.progress).toEqual({ 2: { match: 0, next: 1, state: 'probe' }, 3: { match: 0, next: 1, state: 'probe' } });
      expect(line.runs).toEqual([[1, 1]]);
    }
    const deadlines = led.map((l) => (l.timer as { deadline: number }).deadline);
    expect(new Set(deadlines).size).toBe(deadlines.length);
  });

  test('a node that is not a voter has no timer', () => {
    const n = node(1, [2, 3]);
    n.tick();
    expect(n.lines[0]!.timer).toBeNull();
  });
});
