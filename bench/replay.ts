// `npm run bench:replay`: how long `raft-console replay --json` takes to open a full recording (the
// default cap, 64 MB, unless --cap). The recording is synthetic but written by the recorder itself
// (src/supervisor/recorder.ts) from a live model fed node lines on a fake clock: a 5-node cluster
// under client load, each follower's election timer reset by every heartbeat (50 ms), a commit
// every 50 ms that moves every node's indexes, and a new leader every 30 s. That is the heavier of
// the two kinds README measures (a `check` under load, not an idle cluster). The recorder rotates
// and deletes its oldest segments as on a real cluster, so the folder is what a cluster that ran
// past its cap leaves.
//
//   npm run bench:replay -- [--cap MB] [--runs N] [--keep DIR]
//
// Prints one JSON line: the recording's size, files and lines, and each run's wall time of the
// built CLI (node bin/raft-console.js replay --json DIR), a fresh process each time.
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wholeNumber } from '../src/cli/arguments.js';
import type { ClusterModel, NodeModel } from '../src/cluster-model/model.js';
import { isSegmentName } from '../src/cluster-model/replay-format.js';
import { LiveModel } from '../src/supervisor/live-model.js';
import { readNodeLine } from '../src/supervisor/node-line.js';
import { Recorder } from '../src/supervisor/recorder.js';

const NODES = 5;
const START = 1_700_000_000_000;

function node(id: number): NodeModel {
  return {
    id,
    address: `127.0.0.1:${7000 + id}`,
    dataDir: `/tmp/bench/n${id}`,
    process: { state: 'running', pid: 1000 + id, exitCode: null, signal: null, stderrTail: [], startedAt: START, restarts: 0 },
    raft: null,
    removed: false,
  };
}

function initialModel(): ClusterModel {
  return {
    name: 'bench',
    clusterId: 'bench',
    engine: { kind: 'raft-console' },
    folder: '/tmp/bench',
    supervisorPid: 1,
    startedAt: START,
    timing: { preset: 'normal', electionTimeoutMs: { min: 150, max: 300 }, heartbeatMs: 50, tickMs: 10 },
    fsync: true,
    snapshotEvery: 10_000,
    nodes: Array.from({ length: NODES }, (_, i) => node(i + 1)),
    links: [],
    partition: [],
    events: [],
    switches: { preVote: true, checkQuorum: true, bugs: [] },
    safety: { ok: true, checkedReports: 0 },
  };
}

/** Feeds `live` a run of the cluster until `dir` holds `bytes` of recording. */
async function drive(live: LiveModel, rec: Recorder, clock: { t: number }, dir: string, bytes: number): Promise<void> {
  const voters = Array.from({ length: NODES }, (_, i) => i + 1);
  let term = 1;
  let leader = 1;
  let commit = 0;
  /** Where each term's entries start: the log's runs. */
  const runs: Array<[number, number]> = [[1, 1]];
  const stateLine = (id: number): string =>
    JSON.stringify({
      ts: clock.t,
      node: id,
      kind: 'state',
      role: id === leader ? 'leader' : 'follower',
      term,
      vote: leader,
      leader,
      commit,
      applied: commit,
      firstIndex: 1,
      lastIndex: commit,
      lastTerm: term,
      snapshotIndex: 0,
      membership: { voters, learners: [] },
      runs,
      timer:
        id === leader
          ? { kind: 'heartbeat', deadline: clock.t + 50, intervalMs: 50 }
          : { kind: 'election', deadline: clock.t + 150 + ((clock.t / 10) % 150), timeoutMs: 150 + ((clock.t / 10) % 150) },
      progress:
        id === leader
          ? Object.fromEntries(voters.filter((v) => v !== id).map((v) => [v, { match: commit, next: commit + 1, state: 'replicate' }]))
          : {},
      digests: [[commit, (commit * 2654435761).toString(16).padStart(16, '0').slice(-16)]],
    });
  for (let step = 0; ; step++) {
    clock.t += 10;
    if (step % 3000 === 2999) {
      term++;
      leader = (leader % NODES) + 1;
      runs.push([commit + 1, term]);
      const won = { ts: clock.t, node: leader, kind: 'raft', type: 'election-won', term, votes: 3, voters: NODES };
      live.nodeLine(leader, readNodeLine(JSON.stringify({ ...won, text: `n${leader} won the election of term ${term}` })));
    }
    if (step % 5 === 0) {
      commit += 3;
      const text = `n${leader} committed ${commit - 2}..${commit} (term ${term}) once 3 of ${NODES} voters held them`;
      const line = {
        ts: clock.t,
        node: leader,
        kind: 'raft',
        type: 'commit',
        from: commit - 2,
        to: commit,
        term,
        replicas: 2,
        voters: NODES,
      };
      live.nodeLine(leader, readNodeLine(JSON.stringify({ ...line, text })));
      for (const id of voters) live.nodeLine(id, readNodeLine(stateLine(id)));
    } else {
      // A heartbeat resets one follower's election timer.
      const follower = voters.filter((v) => v !== leader)[step % (NODES - 1)]!;
      live.nodeLine(follower, readNodeLine(stateLine(follower)));
    }
    if (step % 2000 === 0) {
      await rec.flush();
      const names = (await readdir(dir)).filter(isSegmentName);
      const sizes = await Promise.all(names.map(async (n) => (await stat(join(dir, n))).size));
      if (sizes.reduce((a, b) => a + b, 0) >= bytes) return;
    }
  }
}

async function main(): Promise<void> {
  const program = new Command('bench-replay')
    .option('--cap <mb>', 'the recording cap, in MB', wholeNumber('--cap', '64', 1), 64)
    .option('--runs <n>', 'how many times to time replay --json', wholeNumber('--runs', '3', 1), 3)
    .option('--keep <dir>', 'write the recording into this folder and keep it')
    .parse();
  const o = program.opts<{ cap: number; runs: number; keep?: string }>();
  const dir = o.keep ?? (await mkdtemp(join(tmpdir(), 'raft-console-bench-replay-')));
  await mkdir(dir, { recursive: true });
  try {
    const capBytes = o.cap * 1024 * 1024;
    const clock = { t: START };
    const live = new LiveModel(initialModel(), null, { now: () => clock.t });
    const rec = await Recorder.open(live.model, { dir, capBytes, now: () => clock.t, flushMs: 3_600_000, fresh: true }, () => {
      throw new Error('recording stopped');
    });
    live.onChange((events) => {
      // The lines above are a node's own: one the model refuses would make the recording a lie.
      const bad = events.find((e) => e.type === 'bad-output');
      if (bad !== undefined) throw new Error(`the bench fed a line the model refuses: ${bad.text}`);
      rec.changed(events);
    });
    const written = Date.now();
    // Full: the recorder keeps the folder under the cap counting the segment it begins in full, so a
    // full recording is the cap less about one segment (an eighth); stop within a tenth of that.
    await drive(live, rec, clock, dir, Math.floor(capBytes - (capBytes / 8) * 1.1));
    await rec.close();
    const writeMs = Date.now() - written;
    const names = (await readdir(dir)).filter(isSegmentName);
    let bytes = 0;
    let lines = 0;
    for (const n of names) {
      const text = await readFile(join(dir, n), 'utf8');
      bytes += text.length;
      lines += text.split('\n').length - 1;
    }
    const runs: number[] = [];
    let summary: unknown = null;
    for (let i = 0; i < o.runs; i++) {
      const t0 = process.hrtime.bigint();
      const out = execFileSync(process.execPath, ['bin/raft-console.js', 'replay', '--json', dir], { encoding: 'utf8' });
      runs.push(Number((process.hrtime.bigint() - t0) / 1_000_000n));
      summary = JSON.parse(out);
    }
    const s = summary as { durationMs: number; events: number };
    process.stdout.write(
      `${JSON.stringify({ capMb: o.cap, bytes, files: names.length, lines, recordedMs: s.durationMs, events: s.events, writeMs, replayJsonMs: runs })}\n`,
    );
  } finally {
    if (o.keep === undefined) await rm(dir, { recursive: true, force: true });
  }
}

await main();
