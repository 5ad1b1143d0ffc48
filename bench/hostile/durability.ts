// The durability half of the hostile-input bench: acknowledged writes must survive SIGKILLs of
// single nodes and of the whole cluster, and a full disk. Writers put unique keys (one session
// each) and record every write the cluster acknowledged; a killer SIGKILLs nodes through the CLI
// (`kill`, `restart`) on a seeded schedule; at the end every acknowledged key is read back. A node
// exit the bench did not cause (state "crashed" in `status --json`) counts as a crash.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RaftClient } from '../../src/client/index.js';
import type { Random } from '../../src/sim/random.js';
import { sleep, waitFor } from '../children.js';
import { CliCluster, type StatusJson } from '../cli-cluster.js';
import { clusterClient, committedDivergence } from './probe.js';

type Progress = (line: string) => void;

/** Writers putting unique keys until stopped; what was acknowledged and what is in doubt. */
class Writers {
  readonly acked = new Map<string, string>();
  /** Writes that failed without an answer saying they did not run: they may or may not be there. */
  readonly unknown = new Map<string, string>();
  private stopped = false;
  private readonly done: Promise<unknown>;

  constructor(client: RaftClient, count: number, prefix: string) {
    this.done = Promise.all(
      Array.from({ length: count }, async (_, w) => {
        const session = client.session(`${prefix}-w${w}`);
        for (let i = 0; !this.stopped; i++) {
          const key = `${prefix}-w${w}-${i}`;
          const value = `${w}.${i}.${Date.now().toString(36)}`;
          try {
            await session.put(key, value);
            this.acked.set(key, value);
          } catch {
            this.unknown.set(key, value);
            await sleep(50);
          }
        }
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** Reads every acknowledged key back (16 at a time): the keys whose value is not the one acknowledged. */
async function lostWrites(client: RaftClient, acked: ReadonlyMap<string, string>): Promise<string[]> {
  const keys = [...acked.keys()];
  const lost: string[] = [];
  for (let i = 0; i < keys.length; i += 16) {
    await Promise.all(
      keys.slice(i, i + 16).map(async (key) => {
        const r = await client.get(key, { timeoutMs: 20_000 });
        if (r.value !== acked.get(key)) lost.push(`${key}: acknowledged ${acked.get(key)}, read ${String(r.value)}`);
      }),
    );
  }
  return lost;
}

const crashedNodes = (s: StatusJson): StatusJson['nodes'] => s.nodes.filter((n) => n.process.state === 'crashed');

/** The cause of a crash, as the supervisor reports it: the stderr lines that say what went wrong. */
const causeOf = (n: StatusJson['nodes'][number]): string =>
  `n${n.id} (exit ${String(n.process.exitCode ?? n.process.signal)}): ${n.process.stderrTail
    .filter((l) => l.trim() !== '')
    .slice(-3)
    .join(' / ')}`;

async function leaderUp(cli: CliCluster, timeoutMs = 30_000): Promise<StatusJson> {
  return waitFor(
    'a leader',
    timeoutMs,
    async () => {
      const s = await cli.status();
      return s.leader !== null && s.nodes.every((n) => n.removed || n.process.state === 'running' || n.process.state === 'crashed')
        ? s
        : undefined;
    },
    100,
  );
}

/**
 * Waits until every node answers `status` and one of them leads: asked of the nodes directly,
 * which is far cheaper than a `status --json` process per poll.
 */
async function serving(client: RaftClient, ids: readonly number[]): Promise<void> {
  await waitFor(
    'every node up and a leader',
    30_000,
    async () => {
      const all = await Promise.all(ids.map((id) => client.status(id, { timeoutMs: 500 })));
      return all.some((s) => s.role === 'leader') ? true : undefined;
    },
    100,
  );
}

export interface DurabilityOptions {
  nodes: number;
  kills: number;
  wholeClusterKills: number;
  writers: number;
}

export interface DurabilityResult {
  kills: number;
  wholeClusterKills: number;
  acknowledged: number;
  unknownOutcome: number;
  lost: number;
  lostExamples: string[];
  crashes: number;
  crashCauses: string[];
  divergence: string | null;
  safetyOk: boolean;
  seconds: number;
}

export async function killLoop(o: DurabilityOptions, rng: Random, progress: Progress): Promise<DurabilityResult> {
  const started = performance.now();
  const cli = new CliCluster('durable');
  try {
    const status = await cli.up(o.nodes);
    const client = clusterClient(status, { timeoutMs: 10_000 });
    const writers = new Writers(client, o.writers, 'd');
    const ids = status.nodes.map((n) => n.id);
    const crashCauses: string[] = [];
    // The whole-cluster kills spread evenly over the run.
    const every = o.wholeClusterKills === 0 ? Infinity : Math.max(1, Math.floor(o.kills / o.wholeClusterKills));
    let whole = 0;
    for (let k = 1; k <= o.kills; k++) {
      const all = whole < o.wholeClusterKills && k % every === 0;
      const victims = all ? ids : [rng.pick(ids)];
      if (all) whole++;
      await cli.cli('kill', ...victims.map(String));
      await sleep(rng.int(50, 800));
      await cli.cli('restart', ...victims.map(String));
      await serving(client, ids);
      const s = await cli.status();
      for (const n of crashedNodes(s)) {
        crashCauses.push(causeOf(n));
        await cli.cli('restart', String(n.id));
      }
      if (k % 10 === 0 || all)
        progress(`durability: kill ${k}/${o.kills}${all ? ' (whole cluster)' : ''}, ${writers.acked.size} writes acknowledged`);
      // Let the writers make progress between kills.
      await sleep(rng.int(200, 1200));
    }
    await writers.stop();
    const end = await leaderUp(cli);
    for (const n of crashedNodes(end)) crashCauses.push(causeOf(n));
    progress(`durability: reading back ${writers.acked.size} acknowledged writes`);
    const lost = await lostWrites(client, writers.acked);
    const divergence = await committedDivergence(client, end);
    client.close();
    return {
      kills: o.kills,
      wholeClusterKills: whole,
      acknowledged: writers.acked.size,
      unknownOutcome: writers.unknown.size,
      lost: lost.length,
      lostExamples: lost.slice(0, 5),
      crashes: crashCauses.length,
      crashCauses,
      divergence,
      safetyOk: end.safety.ok,
      seconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    await cli.teardown();
  }
}

/** tmpfs mounts made by the bench, unmounted at the end whatever happens. */
const mounts = new Set<string>();

export function unmountAll(): void {
  for (const dir of mounts) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      // not mounted any more
    }
  }
  mounts.clear();
}

export interface FullDiskResult {
  /** null when the tmpfs could be mounted; else why not (the test did not run). */
  notRun: string | null;
  node: number;
  tmpfsBytes: number;
  /** How the node died once the disk was full: its state, and the cause the supervisor shows. */
  failure: string;
  /** `restart` while the disk is still full: its exit code and text, and what the node did next. */
  restartWhileFull: string;
  /** After space was freed: restarted, caught up? */
  recovery: string;
  acknowledged: number;
  lost: number;
  lostExamples: string[];
  divergence: string | null;
  safetyOk: boolean;
}

/**
 * One node's data dir on a small tmpfs (mounted before `up`, so the node writes there from its
 * first byte); the disk is filled while writers run, the node must fail with a clear cause, and
 * after space is freed and it is restarted, no acknowledged write may be missing.
 */
export async function fullDisk(
  o: { nodes: number; writers: number; node: number; tmpfsBytes: number },
  progress: Progress,
): Promise<FullDiskResult> {
  const cli = new CliCluster('disk');
  const dir = join(cli.folder, `n${o.node}`);
  const base: FullDiskResult = {
    notRun: null,
    node: o.node,
    tmpfsBytes: o.tmpfsBytes,
    failure: '',
    restartWhileFull: '',
    recovery: '',
    acknowledged: 0,
    lost: 0,
    lostExamples: [],
    divergence: null,
    safetyOk: true,
  };
  try {
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${o.tmpfsBytes},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
      mounts.add(dir);
    } catch (err) {
      return { ...base, notRun: `mount -t tmpfs failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}` };
    }
    const status = await cli.up(o.nodes);
    const client = clusterClient(status, { timeoutMs: 10_000 });
    const writers = new Writers(client, o.writers, 'f');
    await waitFor('some writes', 30_000, () => (writers.acked.size >= 200 ? true : undefined), 100);
    progress(`full disk: filling the tmpfs under n${o.node} (${writers.acked.size} writes acknowledged so far)`);
    const filler = join(dir, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, chunk);
    } catch {
      // ENOSPC: the disk is full
    } finally {
      closeSync(fd);
    }
    const dead = await waitFor(
      `n${o.node} to stop on the full disk`,
      60_000,
      async () => {
        const n = (await cli.status()).nodes.find((x) => x.id === o.node)!;
        return n.process.state !== 'running' ? n : undefined;
      },
      200,
    ).catch(() => null);
    base.failure = dead === null ? 'still running 60 s after the disk filled' : `${dead.process.state}: ${causeOf(dead)}`;
    const restart = await cli.run('restart', String(o.node));
    const after = await waitFor(
      `n${o.node} to die again`,
      5000,
      async () => {
        const n = (await cli.status()).nodes.find((x) => x.id === o.node)!;
        return n.process.state === 'crashed' ? n : undefined;
      },
      200,
    ).catch(() => null);
    base.restartWhileFull = `exit ${String(restart.code)}: "${(restart.stdout + restart.stderr).trim().split('\n').slice(-2).join(' / ')}"; then ${after === null ? 'running after 5 s' : `crashed: ${causeOf(after)}`}`;
    rmSync(filler);
    progress(`full disk: space freed, restarting n${o.node}`);
    const restart2 = await cli.run('restart', String(o.node));
    const caught = await waitFor(
      `n${o.node} to catch up`,
      30_000,
      async () => {
        const s = await cli.status();
        const n = s.nodes.find((x) => x.id === o.node)!;
        const leader = s.nodes.find((x) => x.id === s.leader);
        return n.process.state === 'running' && leader?.raft != null && n.raft !== null && n.raft.applied >= leader.raft.commit - 50
          ? true
          : undefined;
      },
      200,
    ).catch(() => false);
    base.recovery = `restart exit ${String(restart2.code)}; caught up with the leader: ${caught ? 'yes' : 'no (30 s)'}`;
    await writers.stop();
    const end = await leaderUp(cli);
    const lost = await lostWrites(client, writers.acked);
    base.acknowledged = writers.acked.size;
    base.lost = lost.length;
    base.lostExamples = lost.slice(0, 5);
    base.divergence = await committedDivergence(client, end);
    base.safetyOk = end.safety.ok;
    client.close();
    return base;
  } finally {
    await cli.run('down');
    unmountAll();
    await cli.teardown();
  }
}
