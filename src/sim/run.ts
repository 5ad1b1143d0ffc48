// Runs many seeds, spread over worker threads, and adds up the results. Results are collected by
// seed and reported in seed order, so the output does not depend on the number of workers.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runSeed, type SeedOptions, type SeedResult } from './schedule.js';

export interface RunOptions {
  /** Seeds from, from + 1, ..., from + seeds - 1. */
  from: number;
  seeds: number;
  nodes: number;
  bug?: SeedOptions['bug'];
  /** Worker threads; 1 runs in this thread. Default: available cores. */
  workers?: number | undefined;
  /** Stop at the first (lowest) seed that breaks a property; later seeds are not reported. */
  failFast?: boolean | undefined;
  /** Each result, in seed order. */
  onResult?: ((r: SeedResult) => void) | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface RunSummary {
  seeds: number;
  steps: number;
  elections: number;
  commits: number;
  violations: number;
  /** The results that broke a property, in seed order. */
  failures: SeedResult[];
}

/** What the workers receive at start. */
export interface WorkerSetup {
  nodes: number;
  bug?: SeedOptions['bug'];
}

const CHUNK = 8;

export function defaultWorkers(): number {
  return availableParallelism();
}

/** Worker threads need the compiled JavaScript: from TypeScript sources (tests) seeds run here. */
function canUseWorkers(): boolean {
  return import.meta.url.endsWith('.js');
}

export async function runSeeds(opts: RunOptions): Promise<RunSummary> {
  const workers = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), Math.ceil(opts.seeds / CHUNK)));
  const collector = new Collector(opts);
  if (workers === 1 || !canUseWorkers()) {
    for (let s = opts.from; s < opts.from + opts.seeds && !collector.stopped(s); s++) {
      collector.add([runSeed(s, { nodes: opts.nodes, bug: opts.bug })]);
    }
  } else {
    await runInWorkers(opts, workers, collector);
  }
  return collector.summary();
}

/** Adds results up in seed order, whatever order they arrive in. */
class Collector {
  private readonly results = new Map<number, SeedResult>();
  private next: number;
  private firstFailure = Infinity;
  private done = 0;
  private readonly total: RunSummary = { seeds: 0, steps: 0, elections: 0, commits: 0, violations: 0, failures: [] };

  constructor(private readonly opts: RunOptions) {
    this.next = opts.from;
  }

  /** With failFast, seeds above the lowest failing one are not needed. */
  stopped(seed: number): boolean {
    return this.opts.failFast === true && seed > this.firstFailure;
  }

  add(results: SeedResult[]): void {
    for (const r of results) {
      this.results.set(r.seed, r);
      if (r.violation !== undefined && r.seed < this.firstFailure) this.firstFailure = r.seed;
    }
    this.done += results.length;
    this.opts.onProgress?.(this.done, this.opts.seeds);
    let r: SeedResult | undefined;
    while ((r = this.results.get(this.next)) !== undefined && !this.stopped(this.next)) {
      this.results.delete(this.next);
      this.next++;
      const t = this.total;
      t.seeds++;
      t.steps += r.steps;
      t.elections += r.elections;
      t.commits += r.commits;
      if (r.violation !== undefined) {
        t.violations++;
        t.failures.push(r);
      }
      this.opts.onResult?.(r);
    }
  }

  summary(): RunSummary {
    return this.total;
  }
}

function runInWorkers(opts: RunOptions, count: number, collector: Collector): Promise<void> {
  const setup: WorkerSetup = { nodes: opts.nodes, bug: opts.bug };
  const end = opts.from + opts.seeds;
  let nextSeed = opts.from;
  let busy = 0;
  return new Promise<void>((resolve, reject) => {
    const pool: Worker[] = [];
    let finished = false;
    // `failed` is present only when a worker failed: whatever it threw (even undefined) is a failure.
    const finish = (failed?: { error: unknown }): void => {
      if (finished) return;
      finished = true;
      for (const w of pool) void w.terminate();
      if (failed === undefined) resolve();
      else reject(failed.error instanceof Error ? failed.error : new Error(String(failed.error)));
    };
    const dispatch = (w: Worker): void => {
      if (nextSeed >= end || collector.stopped(nextSeed)) {
        if (busy === 0) finish();
        return;
      }
      const seeds: number[] = [];
      for (; seeds.length < CHUNK && nextSeed < end; nextSeed++) seeds.push(nextSeed);
      busy++;
      w.postMessage(seeds);
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: setup });
      pool.push(w);
      w.on('message', (results: SeedResult[]) => {
        busy--;
        collector.add(results);
        dispatch(w);
      });
      w.on('error', (error) => finish({ error }));
    }
    for (const w of pool) dispatch(w);
  });
}
