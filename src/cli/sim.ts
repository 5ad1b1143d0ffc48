// `raft-console sim`: runs the deterministic simulator over many seeds (or replays one) and reports
// any broken Raft property with the seed, a readable trace and the command that replays it.
import { plural } from '../cluster-model/plural.js';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { isBugName } from '../raft/config.js';
import { EXIT_STATUS } from '../schema/exit-codes.js';
import { wholeNumber } from './arguments.js';
import { defaultWorkers, runSeeds, type RunSummary } from '../sim/run.js';
import { BUG_NAMES, runSeed, type BugName, type SeedResult } from '../sim/schedule.js';

export interface SimIO {
  out(line: string): void;
  err(line: string): void;
  /** Whether progress may be drawn on stderr. */
  readonly progress: boolean;
  /** The run is over: the process ends with `code` once its output is written. */
  setExitCode(code: number): void;
  /** Bad arguments: end now. */
  exit(code: number): never;
}

const processIO: SimIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: process.stderr.isTTY,
  setExitCode: (code) => {
    process.exitCode = code;
  },
  exit: (code) => process.exit(code),
};

export interface SimOptions {
  seeds: number;
  from: number;
  seed?: number;
  nodes: number;
  bug?: BugName[];
  trace?: boolean;
  json?: boolean;
  workers?: number;
  failFast?: boolean;
}

/** Violations printed in full (with their trace); the others get one line each. */
const FULL_REPORTS = 3;

export function registerSimCommand(program: Command, io: SimIO = processIO): Command {
  const cmd = program
    .command('sim')
    .description("run random fault schedules on a simulated cluster and check Raft's safety properties")
    .option('--seeds <n>', 'number of seeds to run', wholeNumber('--seeds', '2000', 1, 10_000_000), 200)
    .option('--from <seed>', 'first seed', wholeNumber('--from', '1', 0), 1)
    .option('--seed <seed>', 'replay one seed', wholeNumber('--seed', '42', 0))
    .option('--nodes <n>', 'voters at the start (3-9)', wholeNumber('--nodes', '5', 3, 9), 5)
    .addOption(
      new Option('--bug <name>', 'run the core with a known bug switched on (repeat for several)').argParser(
        (name: string, previous: BugName[] | undefined): BugName[] => {
          if (!isBugName(name)) throw new InvalidArgumentError(`Allowed choices are ${BUG_NAMES.join(', ')}.`);
          return [...(previous ?? []), name];
        },
      ),
    )
    .option('--trace', 'with --seed: print every step of the run')
    .option('--json', 'print the totals as one JSON object on the last line')
    .option('--workers <n>', `worker threads (default: available cores, ${defaultWorkers()} here)`, wholeNumber('--workers', '2', 1, 256))
    .option('--fail-fast', 'stop at the first seed that breaks a property')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride((err) => io.exit(err.exitCode === 0 ? EXIT_STATUS.ok : EXIT_STATUS.usage))
    .action(async (opts: SimOptions) => {
      io.setExitCode(await runSimCommand(opts, io));
    });
  return cmd;
}

export async function runSimCommand(opts: SimOptions, io: SimIO): Promise<number> {
  if (opts.trace === true && opts.seed === undefined) {
    io.err('error: --trace replays one seed: give it --seed S');
    return EXIT_STATUS.usage;
  }
  const started = performance.now();
  let summary: RunSummary;
  if (opts.seed !== undefined) {
    const onTrace = opts.trace === true ? (line: string) => io.out(line) : undefined;
    const r = runSeed(opts.seed, { nodes: opts.nodes, bug: opts.bug, onTrace });
    summary = {
      seeds: 1,
      steps: r.steps,
      elections: r.elections,
      commits: r.commits,
      violations: r.violation === undefined ? 0 : 1,
      failures: r.violation === undefined ? [] : [r],
    };
    if (r.violation === undefined && opts.json !== true)
      io.out(`seed ${r.seed}: ${r.steps} steps, ${r.elections} elections, ${r.commits} entries committed, no property broken`);
    if (r.violation !== undefined) report(r, true, io);
  } else {
    const workers = opts.workers ?? defaultWorkers();
    if (opts.json !== true) {
      const bug = opts.bug === undefined ? '' : `, bug ${opts.bug.join(', ')}`;
      io.out(`simulating ${plural(opts.seeds, 'seed')} from ${opts.from}, ${opts.nodes} nodes${bug}, ${plural(workers, 'worker')}`);
    }
    let shown = 0;
    let lastDraw = 0;
    summary = await runSeeds({
      from: opts.from,
      seeds: opts.seeds,
      nodes: opts.nodes,
      bug: opts.bug,
      workers,
      failFast: opts.failFast,
      onResult: (r) => {
        if (r.violation !== undefined) report(r, shown++ < FULL_REPORTS, io);
      },
      onProgress: (done, total) => {
        if (!io.progress || opts.json === true) return;
        const now = performance.now();
        if (now - lastDraw < 2000 && done < total) return;
        lastDraw = now;
        io.err(`${done}/${total} seeds`);
      },
    });
  }
  const seconds = (performance.now() - started) / 1000;
  if (opts.json === true) {
    const { seeds, steps, elections, commits, violations } = summary;
    io.out(JSON.stringify({ seeds, steps, elections, commits, violations }));
  } else if (opts.seed === undefined) {
    io.out(
      `${plural(summary.seeds, 'seed')}, ${summary.steps} steps, ${summary.elections} elections, ${summary.commits} entries committed: ` +
        `${summary.violations === 0 ? 'no property broken' : `${summary.violations} seeds broke a property`} ` +
        `(${seconds.toFixed(1)} s, ${Math.round(summary.seeds / Math.max(seconds, 1e-3))} seeds/s)`,
    );
  }
  return summary.violations === 0 ? EXIT_STATUS.ok : EXIT_STATUS.violation;
}

function report(r: SeedResult, full: boolean, io: SimIO): void {
  const v = r.violation;
  if (v === undefined) return;
  io.out(`VIOLATION seed ${r.seed}: ${v.property} at t=${v.tick}`);
  if (!full) {
    io.out(`  replay: ${v.replay}`);
    return;
  }
  for (const line of v.detail.split('\n')) io.out(`  ${line}`);
  io.out(`  last steps:`);
  for (const line of v.trace) io.out(`    ${line}`);
  io.out(`  replay: ${v.replay}`);
}
