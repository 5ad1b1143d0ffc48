// The recording of a live model and its replay: the recorder's segments, keyframes, rotation, cap
// and write errors; the reader's model at each recorded instant against the live one; a torn last
// line and a damaged file; the replay cursor on a fake clock, and its marks.
import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ClusterError } from '../../src/cluster-model/errors.js';
import type { ClusterModel } from '../../src/cluster-model/model.js';
import { openReplay, type ReplayClock } from '../../src/cluster-model/replay.js';
import { applyOps, diffState, isSegmentName, segmentLimit, segmentName } from '../../src/cluster-model/replay-format.js';
import { LiveModel } from '../../src/supervisor/live-model.js';
import { Recorder, type RecordingOff } from '../../src/supervisor/recorder.js';
import { Random } from '../../src/sim/random.js';
import { model, node } from '../cluster-model/fixtures.js';
import { STATE_LINE } from '../node/fixtures.js';
import { nodeWrites } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-console-rec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A live model whose clock the test moves, recorded into `dir`. */
async function recorded(
  o: { capBytes?: number; keyframeEveryMs?: number } = {},
): Promise<{ live: LiveModel; rec: Recorder; clock: { t: number }; offs: RecordingOff[] }> {
  const clock = { t: 1_700_000_000_000 };
  const live = new LiveModel(model([node(1, null), node(2, null), node(3, null)]), null, { now: () => clock.t });
  const offs: RecordingOff[] = [];
  const rec = await Recorder.open(
    live.model,
    { dir, capBytes: o.capBytes ?? 64 * 1024 * 1024, now: () => clock.t, flushMs: 3_600_000, keyframeEveryMs: o.keyframeEveryMs ?? 5000 },
    (why) => offs.push(why),
  );
  live.onChange((events) => rec.changed(events));
  return { live, rec, clock, offs };
}

/** A state line of node `id` at `term`, leading or following `leader`, with a commit index. */
function state(id: number, term: number, leader: number, commit: number, ts: number): Record<string, unknown> {
  return {
    ...STATE_LINE,
    ts,
    node: id,
    role: id === leader ? 'leader' : 'follower',
    term,
    leader,
    vote: leader,
    commit,
    applied: commit,
    lastIndex: commit,
    progress: id === leader ? STATE_LINE.progress : {},
    timer: { kind: id === leader ? 'heartbeat' : 'election', deadline: ts + 200, intervalMs: 200 },
  };
}

function won(id: number, term: number, ts: number): Record<string, unknown> {
  return { ts, node: id, kind: 'raft', type: 'election-won', term, votes: 2, voters: 3, text: `n${id} won term ${term}` };
}

function commit(id: number, from: number, to: number, term: number, ts: number): Record<string, unknown> {
  return { ts, node: id, kind: 'raft', type: 'commit', from, to, term, replicas: 2, voters: 3, text: `n${id} committed ${from}..${to}` };
}

/** The leader of the highest term the nodes report. */
function leaderIn(m: ClusterModel): number | undefined {
  const leaders = m.nodes.filter((n) => n.raft?.role === 'leader').sort((a, b) => b.raft!.term - a.raft!.term);
  return leaders[0]?.id;
}

/** The model without its events, as plain data. */
function stateOf(m: ClusterModel): unknown {
  const { events: _events, ...rest } = m;
  return JSON.parse(JSON.stringify(rest));
}

/** A run of a 3-node cluster: elections, commits, a kill, a partition and a heal, `steps` changes 10 ms apart. */
function drive(live: LiveModel, clock: { t: number }, steps: number, seen: Array<{ ts: number; state: unknown; events: number }>): void {
  const random = new Random(7, 'recorder-test');
  let term = 1;
  let leader = 1;
  let committed = 0;
  for (let i = 0; i < steps; i++) {
    clock.t += 10;
    const r = random.int(0, 9);
    if (r === 0) {
      term++;
      leader = 1 + random.int(0, 2);
      nodeWrites(live, leader, won(leader, term, clock.t));
    } else if (r === 1) {
      nodeWrites(live, leader, commit(leader, committed + 1, committed + 3, term, clock.t));
      committed += 3;
    } else if (r === 2) live.say('killed', 'killed n3', { ok: true, outcome: { code: 'killed', nodes: [3], leader: null } });
    else if (r === 3) live.linksChanged([{ from: 1, to: 2, blocked: true, delayMs: 0, loss: 0 }], [[1], [2, 3]]);
    else if (r === 4) live.linksChanged([], []);
    else if (r === 5) live.processExited(3, 'killed', { exitCode: null, signal: 'SIGKILL', stderrTail: ['bye'] });
    else nodeWrites(live, 1 + random.int(0, 2), state(1 + random.int(0, 2), term, leader, committed, clock.t));
    seen.push({ ts: clock.t, state: stateOf(live.model), events: live.model.events.length });
  }
}

describe('the recording format', () => {
  test('a diff applied to the old state gives the new one: fields set, deleted, lists grown and shrunk', () => {
    const prev = { a: { b: 1, c: [1, 2], gone: true }, list: [{ x: 1 }], same: 's' };
    const next = { a: { b: 2, c: [1], d: null }, list: [{ x: 1 }, { x: 2 }], same: 's' };
    const ops = diffState(prev, next);
    const copy = structuredClone(prev) as Record<string, unknown>;
    applyOps(copy, ops);
    expect(copy).toEqual(next);
    expect(ops).toContainEqual([['a', 'gone']]);
  });
});

describe('the recorder and the model at a time', () => {
  test('keyframes and deltas give the live model at every recorded instant, events up to it', async () => {
    const { live, rec, clock } = await recorded({ keyframeEveryMs: 200 });
    const seen: Array<{ ts: number; state: unknown; events: number }> = [];
    drive(live, clock, 400, seen);
    await rec.close();
    const replay = await openReplay({ folder: dir });
    expect(replay.cursor.from).toBe(1_700_000_000_000);
    expect(replay.cursor.to).toBe(clock.t);
    for (const s of seen) {
      replay.cursor.seek(s.ts);
      expect(stateOf(replay.model)).toEqual(s.state);
      expect(replay.model.events).toHaveLength(s.events);
    }
  });

  test('segments rotate at an eighth of the cap, and the oldest goes once the folder holds more than the cap', async () => {
    const cap = 64 * 1024;
    const { live, rec, clock } = await recorded({ capBytes: cap, keyframeEveryMs: 1000 });
    const first = (await readdir(dir)).filter(isSegmentName);
    drive(live, clock, 3000, []);
    await rec.close();
    const names = (await readdir(dir)).filter(isSegmentName).sort();
    expect(names.length).toBeGreaterThan(3);
    expect(names).not.toContain(first[0]);
    const sizes = await Promise.all(names.map(async (n) => (await stat(join(dir, n))).size));
    // The segment being written may pass its size by its last line.
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(cap + 4096);
    // Each segment starts with a keyframe, so what is left replays on its own.
    const replay = await openReplay({ folder: dir });
    expect(replay.cursor.from).toBeGreaterThan(1_700_000_000_000);
    expect(replay.cursor.to).toBe(clock.t);
    expect(replay.model.nodes).toHaveLength(3);
  });

  test('a torn last line is the end of the recording; a damaged line elsewhere is one sentence naming the file', async () => {
    const { live, rec, clock } = await recorded();
    drive(live, clock, 50, []);
    await rec.close();
    const [name] = (await readdir(dir)).filter(isSegmentName);
    const file = join(dir, name!);
    await appendFile(file, '{"t":"d","ts":17000000');
    const replay = await openReplay({ file });
    expect(replay.cursor.to).toBe(clock.t);

    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[3] = '{"t":"d","ts":"soon"}';
    await writeFile(file, lines.join('\n'));
    const err = await openReplay({ folder: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).problem).toEqual({ code: 'bad-file', path: file });
    expect((err as ClusterError).message).toMatch(
      /recording file .* is damaged \(line 4\.ts must be a non-negative integer.*\): delete that file/,
    );
  });

  test('a file larger than a segment of the recording cap can be is refused unread, in one line naming it and the fix', async () => {
    const { live, rec, clock } = await recorded();
    drive(live, clock, 50, []);
    await rec.close();
    // Under the default cap (64 MB) a segment is 8 MB, and a reader takes at most twice that.
    const big = join(dir, segmentName(clock.t + 1));
    await writeFile(big, `${'x'.repeat(16 * 1024 * 1024)}\n`);
    const refused = await openReplay({ folder: dir }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ClusterError);
    expect((refused as ClusterError).problem).toEqual({ code: 'too-big', path: big, bytes: 16 * 1024 * 1024 + 1, limit: 16 * 1024 * 1024 });
    const message = (refused as ClusterError).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`the recording file ${big} holds 16.0 MB, more than a segment of a 64 MB recording can (16.0 MB)`);
    expect(message).toContain('set that cap (`raft-console config set recording-cap MB`)');
    // A lower cap never lowers that bound: a recording made under the default still opens.
    const lower = await openReplay({ folder: dir }, { capMb: 1 }).catch((e: unknown) => e);
    expect((lower as ClusterError).problem).toMatchObject({ code: 'too-big', limit: 16 * 1024 * 1024 });
    // With the cap it was recorded under, it is read (and, not being a recording, found damaged).
    const read = await openReplay({ folder: dir }, { capMb: 256 }).catch((e: unknown) => e);
    expect((read as ClusterError).problem).toEqual({ code: 'bad-file', path: big });
    expect(segmentLimit(256 * 1024 * 1024)).toBe(64 * 1024 * 1024);
  });

  test('a folder holding more than twice the cap is refused unread, in one line naming it and the fix', async () => {
    const { live, rec, clock } = await recorded();
    drive(live, clock, 50, []);
    await rec.close();
    // Nine files of 15 MB each (sparse: nothing is written), each small enough for a segment.
    for (let i = 0; i < 9; i++) {
      const file = join(dir, segmentName(1_600_000_000_000 + i));
      await writeFile(file, '');
      await truncate(file, 15 * 1024 * 1024);
    }
    const err = await openReplay({ folder: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).problem).toMatchObject({ code: 'too-big', path: dir, limit: 128 * 1024 * 1024 });
    expect((err as ClusterError).message).toMatch(
      /^the recording in .* holds 135\.\d MB, more than twice a 64 MB cap, and is left unread: .*move its older files out$/,
    );
  });

  test('a change line is read when the cursor first passes it: a damaged one is then one sentence naming the file and line', async () => {
    const { live, rec, clock } = await recorded({ keyframeEveryMs: 100_000 });
    const seen: Array<{ ts: number; state: unknown; events: number }> = [];
    drive(live, clock, 200, seen);
    await rec.close();
    const [name] = (await readdir(dir)).filter(isSegmentName);
    const file = join(dir, name!);
    const lines = (await readFile(file, 'utf8')).split('\n');
    // A change of the model only, as the recorder writes one, well after the start.
    const at = lines.findIndex((l, i) => i > 100 && l.startsWith('{"t":"d"') && l.includes('"ops"') && !l.includes('"ev"'));
    const ts = Number(/"ts":(\d+)/.exec(lines[at]!)![1]);
    lines[at] = `{"t":"d","ts":${ts},"ops":[[["nodes",99,"raft"],1]]}`;
    await writeFile(file, lines.join('\n'));
    const replay = await openReplay({ folder: dir });
    // Before the damaged line, the model is the live one.
    const before = seen.filter((s) => s.ts < ts).at(-1)!;
    replay.cursor.seek(before.ts);
    expect(stateOf(replay.model)).toEqual(before.state);
    replay.cursor.seek(ts);
    const err = (() => {
      try {
        return replay.model;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).problem).toEqual({ code: 'bad-file', path: file });
    expect((err as ClusterError).message).toMatch(
      new RegExp(
        `recording file .* is damaged \\(line ${at + 1}: the change of nodes\\.99\\.raft names no field of the model\\): delete that file`,
      ),
    );
  });

  test('a folder with no recording says where recordings are', async () => {
    const err = await openReplay({ folder: join(dir, 'nothing') }).catch((e: unknown) => e);
    expect((err as ClusterError).message).toMatch(/there is no recording in .*nothing: a cluster records into its folder's recording/);
  });

  test('a write that fails turns recording off, told once; the model goes on', async () => {
    const { live, rec, clock, offs } = await recorded({ capBytes: 40 * 1024 });
    drive(live, clock, 20, []);
    await rec.flush();
    // The folder goes and a file takes its name: the next segment cannot be made.
    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a folder');
    drive(live, clock, 2000, []);
    await rec.flush();
    drive(live, clock, 2000, []);
    await rec.close();
    expect(offs).toHaveLength(1);
    expect(offs[0]).toMatchObject({ code: 'recording-off', cause: 'ENOTDIR' });
    expect(live.model.nodes).toHaveLength(3);
  });
});

describe('the replay cursor', () => {
  /** A clock whose timers run when the test moves it. */
  function fakeClock(): ReplayClock & { advance(ms: number): void } {
    let now = 0;
    let timers: Array<{ at: number; run: () => void; id: number }> = [];
    let next = 0;
    return {
      now: () => now,
      setTimeout(run, ms) {
        timers.push({ at: now + ms, run, id: ++next });
        return next;
      },
      clearTimeout(id) {
        timers = timers.filter((t) => t.id !== id);
      },
      advance(ms) {
        const end = now + ms;
        for (;;) {
          const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
          if (due === undefined) break;
          timers = timers.filter((t) => t !== due);
          now = due.at;
          due.run();
        }
        now = end;
      },
    };
  }

  /** Elections at +100 (n1) and +3000 (n2), a kill at +2000, commits at +500, a partition at +4000, a safety alarm at +5000; the end at +6000. */
  async function story(): Promise<number> {
    const { live, rec, clock } = await recorded();
    const t0 = clock.t;
    const at = (ms: number, then: () => void): void => {
      clock.t = t0 + ms;
      then();
    };
    at(100, () => nodeWrites(live, 1, won(1, 2, clock.t)));
    at(150, () => nodeWrites(live, 1, state(1, 2, 1, 0, clock.t)));
    at(500, () => nodeWrites(live, 1, commit(1, 1, 3, 2, clock.t)));
    at(2000, () => live.say('kill', 'killed n1 (SIGKILL)', { ok: true, outcome: { code: 'killed', nodes: [1], leader: null } }));
    at(3000, () => nodeWrites(live, 2, won(2, 3, clock.t)));
    at(3050, () => nodeWrites(live, 2, state(2, 3, 2, 3, clock.t)));
    at(4000, () =>
      live.say('partition', 'partitioned', {
        ok: true,
        outcome: { code: 'partitioned', groups: [[2], [3]], majority: [], cutLeader: 2, checkQuorum: true },
      }),
    );
    at(5000, () =>
      live.say('safety-violation', 'SAFETY VIOLATED', {
        ok: false,
        outcome: { code: 'safety-violation', property: 'Election Safety', nodes: [1, 2] },
      }),
    );
    at(6000, () => live.processPaused(3));
    await rec.close();
    return t0;
  }

  test('steps by event, jumps, seeks, and the model follows: the old leader before the kill, the new one after', async () => {
    const t0 = await story();
    const replay = await openReplay({ folder: dir });
    const moves: number[] = [];
    replay.subscribe(() => moves.push(replay.cursor.at));
    const leaderOf = (): number | undefined => leaderIn(replay.model);
    expect(replay.cursor.at).toBe(t0);
    replay.cursor.stepEvent(1);
    expect(replay.cursor.at).toBe(t0 + 100);
    expect(replay.model.events.at(-1)?.type).toBe('election-won');
    replay.cursor.seek(t0 + 1999);
    expect(leaderOf()).toBe(1);
    replay.cursor.stepEvent(1);
    expect(replay.cursor.at).toBe(t0 + 2000);
    replay.cursor.jump(1500);
    expect(leaderOf()).toBe(2);
    replay.cursor.stepEvent(-1);
    expect(replay.cursor.at).toBe(t0 + 3000);
    replay.cursor.stepEvent(-1);
    expect(replay.cursor.at).toBe(t0 + 2000);
    replay.cursor.jump(-10_000);
    expect(replay.cursor.at).toBe(t0);
    expect(moves).toHaveLength(7);
    const refused = await replay.act({ op: 'kill', nodes: [2] });
    expect(refused).toMatchObject({ ok: false, problem: { code: 'replay' } });
  });

  test('marks: elections, commits, faults and alarms, and the cursor jumps between them', async () => {
    const t0 = await story();
    const replay = await openReplay({ folder: dir });
    expect(replay.cursor.marks().map((m) => [m.kind, m.ts - t0])).toEqual([
      ['election', 100],
      ['commit', 500],
      ['fault', 2000],
      ['election', 3000],
      ['fault', 4000],
      ['alarm', 5000],
    ]);
    expect(replay.cursor.marks()[0]!.text).toBe('n1 leads term 2');
    expect(replay.cursor.nextMark('fault', 1)).toBe(true);
    expect(replay.cursor.at).toBe(t0 + 2000);
    expect(replay.cursor.nextMark('election', 1)).toBe(true);
    expect(replay.cursor.at).toBe(t0 + 3000);
    expect(replay.cursor.nextMark('any', -1)).toBe(true);
    expect(replay.cursor.at).toBe(t0 + 2000);
    expect(replay.cursor.nextMark('alarm', -1)).toBe(false);
    expect(replay.cursor.at).toBe(t0 + 2000);
  });

  test('plays at a speed on the clock it is given, and stops at the end', async () => {
    const t0 = await story();
    const clock = fakeClock();
    const replay = await openReplay({ folder: dir }, { clock });
    replay.cursor.setSpeed(2);
    replay.cursor.play();
    clock.advance(1000);
    expect(replay.cursor.at).toBe(t0 + 2000);
    replay.cursor.setSpeed(100);
    expect(replay.cursor.speed).toBe(8);
    clock.advance(200);
    expect(replay.cursor.at).toBe(t0 + 3600);
    replay.cursor.pause();
    clock.advance(1000);
    expect(replay.cursor.at).toBe(t0 + 3600);
    replay.cursor.setSpeed(0.1);
    expect(replay.cursor.speed).toBe(0.25);
    replay.cursor.setSpeed(8);
    replay.cursor.play();
    clock.advance(1000);
    expect(replay.cursor.at).toBe(t0 + 6000);
    expect(replay.cursor.playing).toBe(false);
  });

  test('lastMs opens the last minutes, at their end', async () => {
    const t0 = await story();
    const replay = await openReplay({ folder: dir }, { lastMs: 2500 });
    expect(replay.cursor.from).toBe(t0 + 3500);
    expect(replay.cursor.at).toBe(t0 + 6000);
    expect(replay.cursor.marks().map((m) => m.kind)).toEqual(['fault', 'alarm']);
    // The model at the start of the span is whole: the leader elected before it.
    replay.cursor.seek(0);
    expect(leaderIn(replay.model)).toBe(2);
  });
});
