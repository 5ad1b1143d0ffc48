// `npm run bench:hostile`: a black-box hostile-input and durability run against real clusters,
// driven through the built CLI (`up N --detach` with its own XDG folders, `status --json`, `kill`,
// `restart`, `down --purge`) and raw TCP on 127.0.0.1 only. docs/HOSTILE.md records its figures.
//
//   attacks     each on a fresh cluster (attacks.ts): forged peer traffic without the secret,
//               terms of 2^53-1, JSON nested 100,000 deep on every port, random bytes, a 4 GiB
//               length prefix, unfinished 8 MiB frames, idle connections, requests in flight.
//               After each: every node process still running (state and pid)? a write commits?
//               the supervisor's safety verdict; do the committed logs agree? the leader's term
//               sane? each node's peak RSS; then the leader is SIGKILLed and the 20 writes
//               acknowledged before the attack are read back.
//   durability  writers with acknowledged-write tracking while nodes and the whole cluster are
//               SIGKILLed (durability.ts), then every acknowledged key read back: lost writes and
//               crashes must both be 0. Full disk: one node's data dir on a small tmpfs, filled.
//
// Every flag and its default: `npm run bench:hostile -- --help`.
//
// A JSON line per row on stdout, progress on stderr, then the tables (not with --json). Stops by
// itself after --max-minutes, and takes every cluster down however it ends.
import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { wholeNumber } from '../src/cli/arguments.js';
import { Random } from '../src/sim/random.js';
import { commaList, wholeNumbers } from './arguments.js';
import { ATTACKS, inFlight, type Attack, type AttackOptions } from './hostile/attacks.js';
import { sleep, waitFor } from './children.js';
import { CliCluster, teardownAll, type StatusJson } from './cli-cluster.js';
import { fullDisk, killLoop, unmountAll, type DurabilityResult, type FullDiskResult } from './hostile/durability.js';
import { clusterClient, committedDivergence, memoryMiB, pidAlive, SANE_TERM } from './hostile/probe.js';

interface Options extends AttackOptions {
  only: string[];
  skip: Set<string>;
  inFlight: number[];
  kills: number;
  wholeClusterKills: number;
  writers: number;
  tmpfsMiB: number;
  seed: number;
  maxMinutes: number;
  out: string | undefined;
  json: boolean;
}

const NODES = 3;
/** Writes acknowledged before each attack, read back after it (and after a leader kill). */
const BEFORE_WRITES = 20;

/** The flags as commander hands them over (see the program at the end). */
interface Flags {
  only: string[];
  skip: string[];
  depth: number;
  partial: number;
  idle: number;
  nofile: number;
  inFlight: number[];
  kills: number;
  wholeClusterKills: number;
  writers: number;
  tmpfsMib: number;
  seed: number;
  maxMinutes: number;
  out?: string;
  json?: boolean;
}

/** The options under the names the summary records them by. */
function options(f: Flags): Options {
  return {
    only: f.only,
    skip: new Set(f.skip),
    depth: f.depth,
    partialConnections: f.partial,
    idleConnections: f.idle,
    nofile: f.nofile,
    inFlight: f.inFlight,
    kills: f.kills,
    wholeClusterKills: f.wholeClusterKills,
    writers: f.writers,
    tmpfsMiB: f.tmpfsMib,
    seed: f.seed,
    maxMinutes: f.maxMinutes,
    out: f.out,
    json: f.json === true,
  };
}

const PARTS = ['attacks', 'durability', 'disk'];

function parts(text: string): string[] {
  const list = commaList(text);
  for (const s of list) if (!PARTS.includes(s)) throw new InvalidArgumentError(`--skip knows ${PARTS.join(', ')}, not "${s}"`);
  return list;
}

const progress = (line: string): void => void process.stderr.write(`bench:hostile: ${line}\n`);

interface Row {
  attack: string;
  sent: string;
  answer: string;
  /** Node processes (and the supervisor) not running after the attack, with the cause shown. */
  crashed: string[];
  leaderChanged: boolean | null;
  writeOk: boolean;
  writeError: string | null;
  safetyOk: boolean | null;
  divergence: string | null;
  /** The highest term any node reports after the attack. */
  term: number | null;
  termSane: boolean;
  /** Of the writes acknowledged before the attack, read back after a leader kill: missing or wrong. */
  lost: number;
  /** ... and could not be read at all (no leader). */
  unreadable: number;
  peakRssMiB: Record<string, number | null>;
  notes: string[];
  seconds: number;
}

/** Runs one attack on a fresh cluster and checks the cluster's health after it. */
async function attackRow(attack: Attack, index: number, o: Options, rng: Random): Promise<Row> {
  const started = performance.now();
  const cli = new CliCluster(`hostile-${index}`);
  if (attack.underFileLimit === true && o.nofile > 0) cli.openFileLimit = o.nofile;
  try {
    const up = await cli.up(NODES);
    const client = clusterClient(up, { timeoutMs: 10_000 });
    const acked = new Map<string, string>();
    for (let i = 0; i < BEFORE_WRITES; i++) {
      await client.put(`before-${i}`, `v${i}`);
      acked.set(`before-${i}`, `v${i}`);
    }
    // Every node has reported its state since the writes: the attacks aim at its last index.
    const before = await waitFor(
      'every node to report the writes',
      10_000,
      async () => {
        const s = await cli.status();
        return s.nodes.every((n) => n.raft !== null && n.raft.commit >= BEFORE_WRITES) ? s : undefined;
      },
      100,
    );
    const leader = before.nodes.find((n) => n.id === before.leader)!;
    const [follower, other] = before.nodes.filter((n) => n.id !== leader.id) as [StatusJson['nodes'][number], StatusJson['nodes'][number]];
    progress(`${attack.name}: on ${cli.name} (leader n${leader.id}, term ${String(before.term)})`);
    let outcome;
    try {
      outcome = await attack.run({ cli, status: before, leader, follower, other, client, rng, o });
    } catch (err) {
      outcome = { sent: '(the attack failed to run)', answer: err instanceof Error ? err.message : String(err) };
    }
    const notes = [...(outcome.notes ?? [])];

    // Health, while the attack's connections (if any) are still held.
    // A new client, as a user arriving now would be: it must open new connections.
    let writeError: string | null = null;
    const fresh = clusterClient(before, { timeoutMs: 10_000 });
    try {
      await fresh.put(`after-${index}`, 'x');
    } catch (err) {
      writeError = `${(err as { code?: string }).code ?? 'error'}: ${(err as Error).message}`;
    } finally {
      fresh.close();
    }
    // With the supervisor gone, `status` cannot answer: the node processes are judged by the pids
    // they had (they stop by themselves once their supervisor is gone).
    const after = await cli.status().catch((err: unknown) => {
      notes.push(`status --json failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      return null;
    });
    const nodes = after?.nodes ?? before.nodes;
    const peakRssMiB = Object.fromEntries(nodes.map((n) => [`n${n.id}`, memoryMiB(n.process.pid)?.peak ?? null]));
    outcome.release?.();
    const crashed = nodes
      .filter((n) => n.process.state !== 'running' || !pidAlive(n.process.pid))
      .map((n) => `n${n.id} ${after === null ? 'gone' : n.process.state}: ${crashCause(n.process.stderrTail)}`);
    if (!pidAlive(before.supervisorPid)) crashed.push('supervisor');
    if (outcome.crashed !== undefined) crashed.push(outcome.crashed);
    const terms = nodes.flatMap((n) => (n.raft === null ? [] : [n.raft.term]));
    const term = after === null || terms.length === 0 ? null : Math.max(...terms);
    const divergence = after === null ? null : await committedDivergence(client, after);

    // The writes acknowledged before the attack, after a SIGKILL of the leader.
    let lost = 0;
    let unreadable = 0;
    const victim = after?.leader ?? null;
    if (after === null) notes.push('no supervisor: the leader was not killed before the read-back');
    else if (victim !== null) {
      await cli.run('kill', String(victim));
      const next = await waitFor('a new leader', 30_000, async () => ((await cli.status()).leader !== null ? true : undefined), 200).catch(
        () => false,
      );
      if (!next) notes.push(`no leader within 30 s of killing the leader n${victim}`);
    } else notes.push('no leader to kill after the attack');
    const keys = [...acked];
    for (const [i, [key, value]] of keys.entries()) {
      try {
        const r = await client.get(key, { timeoutMs: 3000 });
        if (r.value !== value) lost++;
      } catch {
        // No leader to read from: after three misses, count the rest as unreadable too.
        if (++unreadable >= 3) {
          unreadable += keys.length - i - 1;
          break;
        }
      }
    }
    client.close();
    return {
      attack: attack.name,
      sent: outcome.sent,
      answer: outcome.answer,
      crashed,
      leaderChanged: after === null ? null : after.leader !== before.leader || after.term !== before.term,
      writeOk: writeError === null,
      writeError,
      safetyOk: after === null ? null : after.safety.ok,
      divergence,
      term,
      termSane: term !== null && term < SANE_TERM,
      lost,
      unreadable,
      peakRssMiB,
      notes,
      seconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    await cli.teardown();
  }
}

/** The stderr lines that say why a process died, not the runtime's version banner. */
const crashCause = (tail: readonly string[]): string =>
  tail
    .filter((l) => /Error|error|full|ENOSPC/.test(l))
    .slice(0, 2)
    .join(' / ') ||
  (tail.at(-1) ?? '');

const yesNo = (b: boolean | null): string => (b === null ? '?' : b ? 'yes' : 'no');

function attackTable(rows: readonly Row[]): string {
  const header = [
    'attack',
    'node answered',
    'crashed',
    'leader changed',
    'write after',
    'safety',
    'committed logs',
    'max term',
    'lost of 20',
    'peak RSS MiB',
  ];
  const lines = rows.map((r) => [
    r.attack,
    r.answer.length > 70 ? `${r.answer.slice(0, 67)}...` : r.answer,
    r.crashed.length === 0 ? 'no' : `YES: ${r.crashed.map((c) => c.split(':')[0]).join(', ')}`,
    yesNo(r.leaderChanged),
    r.writeOk ? 'ok' : `FAILED (${r.writeError?.split(':')[0] ?? ''})`,
    r.safetyOk === null ? '?' : r.safetyOk ? 'OK' : 'VIOLATION',
    r.divergence === null ? 'agree' : 'DIVERGED',
    r.term === null ? '?' : r.termSane ? String(r.term) : `${r.term} (insane)`,
    `${r.lost}${r.unreadable > 0 ? ` (+${r.unreadable} unreadable)` : ''}`,
    Object.values(r.peakRssMiB)
      .map((x) => String(x ?? '-'))
      .join('/'),
  ]);
  return table(header, lines);
}

function table(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

async function main(flags: Flags): Promise<void> {
  const o = options(flags);
  const deadline = setTimeout(() => {
    progress(`--max-minutes ${o.maxMinutes} reached: stopping`);
    void cleanUp().finally(() => process.exit(2));
  }, o.maxMinutes * 60_000);
  const cleanUp = async (): Promise<void> => {
    unmountAll();
    await teardownAll();
    unmountAll();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      progress(`${signal}: taking every cluster down`);
      void cleanUp().finally(() => process.exit(130));
    });
  progress(`seed ${o.seed} (rerun with --seed ${o.seed})`);
  const rng = new Random(o.seed, 'hostile');
  const rows: Row[] = [];
  let durability: DurabilityResult | null = null;
  let disk: FullDiskResult | null = null;
  const started = new Date();
  try {
    if (!o.skip.has('attacks')) {
      const attacks = [...ATTACKS, ...o.inFlight.map(inFlight)].filter(
        (a) => o.only.length === 0 || o.only.some((x) => a.name.toLowerCase().includes(x)),
      );
      for (const [i, attack] of attacks.entries()) {
        const row = await attackRow(attack, i + 1, o, rng);
        rows.push(row);
        console.log(JSON.stringify({ bench: 'hostile', ...row }));
        // The next cluster gets the machine to itself: give this one's processes time to go.
        await sleep(200);
      }
    }
    if (!o.skip.has('durability') && o.only.length === 0) {
      progress(`durability: ${o.kills} kills (${o.wholeClusterKills} of the whole cluster), ${o.writers} writers`);
      durability = await killLoop(
        { nodes: NODES, kills: o.kills, wholeClusterKills: o.wholeClusterKills, writers: o.writers },
        rng,
        progress,
      );
      console.log(JSON.stringify({ bench: 'hostile-durability', ...durability }));
    }
    if (!o.skip.has('disk') && o.only.length === 0) {
      progress(`full disk: n2's data dir on a ${o.tmpfsMiB} MiB tmpfs`);
      disk = await fullDisk({ nodes: NODES, writers: 4, node: 2, tmpfsBytes: o.tmpfsMiB * 1024 * 1024 }, progress);
      console.log(JSON.stringify({ bench: 'hostile-full-disk', ...disk }));
    }
  } finally {
    clearTimeout(deadline);
    await cleanUp();
  }
  const summary = {
    bench: 'hostile-summary',
    date: started.toISOString(),
    seed: o.seed,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '?',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    },
    options: { ...o, skip: [...o.skip] },
    attacks: rows.length,
    crashes: rows.filter((r) => r.crashed.length > 0).length + (durability?.crashes ?? 0),
    /** Attacks after which a write failed, the committed logs diverged, or the term went insane. */
    wedgedOrDiverged: rows.filter((r) => !r.writeOk || r.divergence !== null || !r.termSane).length,
    lostAcknowledged: rows.reduce((s, r) => s + r.lost, 0) + (durability?.lost ?? 0) + (disk?.lost ?? 0),
  };
  console.log(JSON.stringify(summary));
  if (o.out !== undefined) writeFileSync(o.out, `${JSON.stringify({ summary, rows, durability, disk }, null, 2)}\n`);
  if (o.json) return;
  if (rows.length > 0) console.log(`\n${attackTable(rows)}\n`);
  for (const r of rows) for (const n of [...r.notes, ...(r.divergence === null ? [] : [r.divergence])]) console.log(`  ${r.attack}: ${n}`);
  if (durability !== null)
    console.log(
      `\ndurability: ${durability.kills} kills (${durability.wholeClusterKills} whole-cluster) in ${durability.seconds} s; ${durability.acknowledged} writes acknowledged, ${durability.lost} lost, ${durability.unknownOutcome} of unknown outcome; ${durability.crashes} crashes; safety ${durability.safetyOk ? 'OK' : 'VIOLATION'}; committed logs ${durability.divergence ?? 'agree'}`,
    );
  if (disk !== null)
    console.log(
      disk.notRun !== null
        ? `\nfull disk: not run: ${disk.notRun}`
        : `\nfull disk (n${disk.node} on ${disk.tmpfsBytes / 2 ** 20} MiB tmpfs): ${disk.failure}\n  restart while full: ${disk.restartWhileFull}\n  after freeing space: ${disk.recovery}\n  ${disk.acknowledged} acknowledged, ${disk.lost} lost; safety ${disk.safetyOk ? 'OK' : 'VIOLATION'}; committed logs ${disk.divergence ?? 'agree'}`,
    );
  console.log(
    `\ntotal: ${summary.crashes} attacks or runs with a crash, ${summary.wedgedOrDiverged} attacks leaving the cluster wedged or diverged, ${summary.lostAcknowledged} acknowledged writes lost`,
  );
}

const program = new Command('bench:hostile')
  .description('hostile input, SIGKILLs and a full disk against real clusters started with the CLI; docs/HOSTILE.md')
  .addOption(
    new Option('--only <names>', 'only the attacks whose name contains one of these (no durability, no disk)')
      .argParser((text) => commaList(text).map((x) => x.toLowerCase()))
      .default([], 'all'),
  )
  .addOption(new Option('--skip <parts>', `leave out some of ${PARTS.join(', ')}`).argParser(parts).default([], 'none'))
  .option('--depth <n>', 'nesting depth of the deep-JSON attacks', wholeNumber('--depth', '100000', 1), 100_000)
  .option('--partial <n>', 'unfinished 8 MiB frames held open at once', wholeNumber('--partial', '250', 0), 250)
  .option('--idle <n>', 'idle connections held open at once', wholeNumber('--idle', '1100', 0), 1100)
  .option(
    '--nofile <n>',
    "open-file limit of the idle-connections attack's cluster (0: the machine's)",
    wholeNumber('--nofile', '1024', 0),
    1024,
  )
  .addOption(
    new Option('--in-flight <counts>', 'an attack of this many requests in flight, for each count')
      .argParser(wholeNumbers('--in-flight', '5000,50000', 1))
      .default([5000, 50_000], '5000,50000'),
  )
  .option('--kills <n>', 'SIGKILLs of the durability run', wholeNumber('--kills', '84', 0), 84)
  .option('--whole-cluster-kills <n>', 'how many of those kill the whole cluster', wholeNumber('--whole-cluster-kills', '6', 0), 6)
  .option('--writers <n>', 'writers of the durability run', wholeNumber('--writers', '8', 1), 8)
  .option('--tmpfs-mib <n>', "size of the full-disk run's tmpfs", wholeNumber('--tmpfs-mib', '16', 1), 16)
  .addOption(
    new Option('--seed <n>', 'seed of the random choices (printed, to rerun)')
      .argParser(wholeNumber('--seed', '11', 0))
      .default(Date.now() % 1_000_000, 'random'),
  )
  .option('--max-minutes <n>', 'stop by itself after this long', wholeNumber('--max-minutes', '60', 1), 60)
  .option('--out <file>', 'also write the rows and summary to this file as one JSON document')
  .option('--json', 'JSON lines only, no tables')
  .action(main);

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`bench:hostile: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  unmountAll();
  void teardownAll().finally(() => process.exit(1));
});
