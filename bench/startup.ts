// How fast raft-console starts (`npm run bench:startup`), measured from outside as a user runs it:
//
//   commands   interleaved rounds of `node -e 0`, `raft-console --version`, `raft-console status`
//              on a running cluster and `status` with no cluster: the wall time of each process
//              from spawn to exit; medians, and each as a ratio to `node -e 0` in the same run
//              (aims: --version within 1.5x, status within 2x).
//   up 5       `up 5 --json` (headless, each event a JSON line with its time) on a new cluster, runs
//              one after another, to the first leader, with where the time went: the command
//              loading and the supervisor opening the cluster (to the supervisor's "starting"
//              event, when every node is spawned), a node's process loading (its `started` event
//              says when its code ran), its data directory and port (to listening), then the wait
//              for the first election (the first timer to fire) and the election itself.
//   frame      `up 5` in a tmux pane of 80x24: when the first capture shows something, when it shows
//              the dashboard, when it shows a leader (captures every 20 ms).
//
// Clusters live in temp folders (XDG_STATE_HOME) and are taken down with `down --purge`.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { wholeNumber } from '../src/cli/arguments.js';
import { exited, sleep, stopChild, trackChild, waitFor } from './children.js';
import { CliCluster, run, runOk, teardownAll } from './cli-cluster.js';
import { BIN, ROOT } from './repo.js';
import { median, round } from './stats.js';

interface Options {
  rounds: number;
  ups: number;
  frames: number;
  vs?: string;
  json?: boolean;
}

const progress = (text: string): void => void process.stderr.write(`bench:startup: ${text}\n`);

/** Wall milliseconds of one process, spawn to exit. */
async function timed(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  await run(file, args, env);
  return performance.now() - t0;
}

interface CommandRow {
  what: string;
  medianMs: number;
  minMs: number;
  ratio: number;
  aim: number | null;
}

async function commands(o: Options): Promise<CommandRow[]> {
  const cli = new CliCluster('startup-bench');
  progress('starting a cluster of 3 for `status` (up 3 --detach)');
  await cli.up(3);
  const none = { ...cli.env, XDG_STATE_HOME: join(cli.home, 'no-state') };
  const cases: Array<{ what: string; args: string[]; env: NodeJS.ProcessEnv; aim: number | null }> = [
    { what: 'node -e 0', args: ['-e', '0'], env: cli.env, aim: null },
    { what: 'raft-console --version', args: [BIN, '--version'], env: cli.env, aim: 1.5 },
    { what: 'raft-console status (a running cluster of 3)', args: [BIN, 'status', '--name', cli.name], env: cli.env, aim: 2 },
    { what: 'raft-console status (no cluster)', args: [BIN, 'status', '--name', cli.name], env: none, aim: 2 },
  ];
  // The same commands of another build (say a checkout of main), in the same rounds: a before and after on one machine load.
  if (o.vs !== undefined) {
    const other = join(resolve(o.vs), 'bin', 'raft-console.js');
    cases.push(...cases.slice(1).map((c) => ({ ...c, what: `${c.what}, --vs`, args: [other, ...c.args.slice(1)], aim: null })));
  }
  const times = cases.map(() => [] as number[]);
  try {
    // One warm-up round (the page cache), then rounds in which each case runs once, in turn.
    for (let round = 0; round <= o.rounds; round++)
      for (const [i, c] of cases.entries()) {
        const ms = await timed(process.execPath, c.args, c.env);
        if (round > 0) times[i]!.push(ms);
      }
  } finally {
    await cli.teardown();
  }
  const base = median(times[0]!);
  return cases.map((c, i) => ({
    what: c.what,
    medianMs: round(median(times[i]!), 1),
    minMs: round(Math.min(...times[i]!), 1),
    ratio: round(median(times[i]!) / base),
    aim: c.aim,
  }));
}

interface UpEvent {
  ts: number;
  node: number | null;
  kind: string;
  type: string;
  data?: Record<string, unknown>;
}

/** Where the time to a first leader went in one `up 5`, in ms from the command's spawn. */
interface UpRun {
  spawned: number;
  /** Per node: its process running its code (after Node's own start and loading the modules). */
  loaded: number[];
  listening: number[];
  firstTimer: number;
  leader: number;
  /** Per node: what it reported itself, ms since its process started. */
  loadMs: number[];
  listenMs: number[];
}

async function upOnce(): Promise<UpRun> {
  const cli = new CliCluster(`startup-up-${process.pid}`);
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, 'up', '5', '--json', '--name', cli.name], {
    cwd: ROOT,
    env: cli.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  trackChild(child);
  const events: UpEvent[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (text) => events.push(JSON.parse(text) as UpEvent));
  try {
    const leaderAt = (): UpEvent | undefined => events.find((e) => e.kind === 'raft' && e.type === 'election-won');
    const won = await waitFor('a leader', 30_000, () => {
      if (child.exitCode !== null) throw new Error(`up exited with ${child.exitCode}`);
      return leaderAt();
    });
    const at = (e: UpEvent | undefined): number => (e === undefined ? NaN : e.ts - t0);
    const started = events.filter((e) => e.kind === 'node' && e.type === 'started');
    const startup = started.map((e) => e.data!.startup as { loadedMs: number; listeningMs: number });
    // A node's clock counts from its process's start: when it listened, less its own figures.
    const processStart = started.map((e, i) => e.ts - startup[i]!.listeningMs);
    return {
      spawned: at(events.find((e) => e.kind === 'supervisor' && e.type === 'starting')),
      loaded: processStart.map((p, i) => p + startup[i]!.loadedMs - t0),
      listening: started.map((e) => e.ts - t0),
      firstTimer: at(events.find((e) => e.kind === 'raft' && e.type === 'election-timeout')),
      leader: at(won),
      loadMs: startup.map((s) => s.loadedMs),
      listenMs: startup.map((s) => s.listeningMs - s.loadedMs),
    };
  } finally {
    await stopChild(child, 10_000);
    await exited(child);
    await cli.teardown();
  }
}

/** `up 5` in tmux: ms from the session's start to the first non-blank capture, the dashboard, a leader. */
async function frameOnce(): Promise<{ firstText: number; dashboard: number; leader: number }> {
  const cli = new CliCluster(`startup-frame-${process.pid}`);
  const tmux = (...args: string[]): Promise<string> => runOk('tmux', ['-S', join(cli.home, 'tmux.sock'), '-f', '/dev/null', ...args]);
  const command = `exec env -u CI FORCE_COLOR=0 XDG_STATE_HOME='${cli.env.XDG_STATE_HOME}' XDG_CONFIG_HOME='${cli.env.XDG_CONFIG_HOME}' '${process.execPath}' bin/raft-console.js up 5 --name ${cli.name}`;
  const t0 = performance.now();
  try {
    await tmux('new-session', '-d', '-s', 'u', '-x', '80', '-y', '24', '-c', ROOT, command);
    const seen: { firstText?: number; dashboard?: number } = {};
    const leader = await waitFor(
      'the dashboard to show a leader',
      30_000,
      async () => {
        const screen = await tmux('capture-pane', '-p', '-t', 'u');
        const now = performance.now() - t0;
        if (screen.trim() !== '') seen.firstText ??= now;
        if (/\bnode +process\b/.test(screen)) seen.dashboard ??= now;
        return /★ leader n\d+/.test(screen) ? now : undefined;
      },
      20,
    );
    return { firstText: seen.firstText ?? NaN, dashboard: seen.dashboard ?? NaN, leader };
  } finally {
    // Quitting asks first; a SIGTERM stops the cluster without asking.
    const pid = await tmux('display-message', '-p', '-t', 'u', '#{pane_pid}').catch(() => '');
    if (pid.trim() !== '') process.kill(Number(pid), 'SIGTERM');
    await waitFor(
      'the cluster to stop',
      15_000,
      async () => ((await run('pgrep', ['-f', cli.home])).code === 1 ? true : undefined),
      100,
    ).catch(() => undefined);
    await tmux('kill-server').catch(() => undefined);
    await cli.teardown();
  }
}

const med = (xs: number[]): number => round(median(xs.filter((x) => !Number.isNaN(x))), 0);

async function main(o: Options): Promise<void> {
  const load = loadavg()[0]!;
  const rows = await commands(o);
  const ups: UpRun[] = [];
  for (let i = 0; i < o.ups; i++) {
    progress(`up 5 --json, run ${i + 1} of ${o.ups}`);
    ups.push(await upOnce());
    await sleep(500);
  }
  const frames: Array<{ firstText: number; dashboard: number; leader: number }> = [];
  for (let i = 0; i < o.frames; i++) {
    progress(`up 5 in tmux 80x24, run ${i + 1} of ${o.frames}`);
    frames.push(await frameOnce());
    await sleep(500);
  }
  const up = {
    spawned: med(ups.map((u) => u.spawned)),
    firstLoaded: med(ups.map((u) => Math.min(...u.loaded))),
    lastLoaded: med(ups.map((u) => Math.max(...u.loaded))),
    firstListening: med(ups.map((u) => Math.min(...u.listening))),
    lastListening: med(ups.map((u) => Math.max(...u.listening))),
    firstTimer: med(ups.map((u) => u.firstTimer)),
    leader: med(ups.map((u) => u.leader)),
    nodeLoadMs: med(ups.flatMap((u) => u.loadMs)),
    nodeListenMs: med(ups.flatMap((u) => u.listenMs)),
    leaders: ups.map((u) => round(u.leader, 0)),
  };
  const frame = {
    firstText: med(frames.map((f) => f.firstText)),
    dashboard: med(frames.map((f) => f.dashboard)),
    leader: med(frames.map((f) => f.leader)),
    leaders: frames.map((f) => round(f.leader, 0)),
  };
  const result = {
    date: new Date().toISOString(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.version,
    loadAtStart: round(load),
    loadAtEnd: round(loadavg()[0]!),
    commands: rows,
    up,
    frame,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (o.json === true) return;
  const out: string[] = [
    `\n${result.cpus} CPUs (${result.cpu}), Node.js ${result.node}, load average ${result.loadAtStart} at the start, ${result.loadAtEnd} at the end`,
    '',
  ];
  out.push(`${`command (median of ${o.rounds} interleaved rounds)`.padEnd(55)} median ms  min ms  x node -e 0  aim`);
  for (const r of rows)
    out.push(
      `${r.what.padEnd(55)} ${String(r.medianMs).padStart(8)} ${String(r.minMs).padStart(7)} ${String(r.ratio).padStart(12)}  ${r.aim === null ? '' : `<= ${r.aim}x ${r.ratio <= r.aim ? 'yes' : 'NO'}`}`,
    );
  if (o.ups > 0)
    out.push(
      '',
      `up 5 --json, to the first leader (medians of ${o.ups} runs, ms from the command's start)`,
      `  every node spawned (command loaded, cluster opened)  ${up.spawned}`,
      `  nodes' code running, first / last                   ${up.firstLoaded} / ${up.lastLoaded}  (a node: ${up.nodeLoadMs} ms from its process start)`,
      `  nodes listening, first / last                       ${up.firstListening} / ${up.lastListening}  (a node: ${up.nodeListenMs} ms more)`,
      `  first election timer fires                          ${up.firstTimer}`,
      `  first leader                                        ${up.leader}  (runs: ${up.leaders.join(', ')}; aim < 1500 on a quiet machine)`,
    );
  if (o.frames > 0) {
    out.push('', `up 5 in tmux 80x24 (medians of ${o.frames} runs, ms from the session's start)`);
    out.push(`  first text on screen   ${frame.firstText}`);
    out.push(`  the dashboard          ${frame.dashboard}`);
    out.push(`  a leader on screen     ${frame.leader}  (runs: ${frame.leaders.join(', ')})`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

const program = new Command('bench:startup')
  .description('how fast raft-console starts: commands against a bare Node start, and `up 5` to its first leader')
  .option('--rounds <n>', 'interleaved rounds of the command timings', wholeNumber('--rounds', '20', 1), 20)
  .option('--ups <n>', 'runs of `up 5 --json` to a first leader (0: none)', wholeNumber('--ups', '5', 0), 5)
  .option('--frames <n>', 'runs of `up 5` in tmux (0: none)', wholeNumber('--frames', '3', 0), 3)
  .option('--vs <dir>', 'also time the commands of the build in this folder (e.g. a checkout of main, built), interleaved')
  .option('--json', 'the JSON line only, no table')
  .action(main);

program.parseAsync().then(
  () => teardownAll(),
  async (err: unknown) => {
    await teardownAll();
    process.stderr.write(`bench:startup: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
