// `npm run bench:core`: how fast the core commits, and how fast the simulator runs.
//
//   commit    a cluster on a zero-latency network, no checks, a state machine that only counts:
//             the leader is handed a large batch of 100-byte entries every tick; committed
//             entries per second of wall-clock time, for 3 and 5 nodes.
//   schedule  the random fault schedules of `sim` (checks on): simulated steps and seeds per second.
//
// Prints one JSON line per measurement, then a table.
import { Command } from 'commander';
import { SimCluster } from '../src/sim/cluster.js';
import { runSeed } from '../src/sim/schedule.js';
import { renderTable } from './table.js';

interface Measurement {
  bench: string;
  nodes: number;
  value: number;
  unit: string;
  seconds: number;
}

const ENTRY = 'x'.repeat(100);
const BATCH = 2000;

function commitThroughput(nodes: number, entries: number): Measurement {
  const c = new SimCluster({
    nodes,
    seed: 1,
    checks: false,
    traceCapacity: 0,
    stateMachine: 'count',
    network: { minLatency: 0, maxLatency: 0 },
    compactEvery: 20_000,
  });
  const leader = c.waitForLeader();
  if (leader === 0) throw new Error('no leader');
  const node = c.node(leader);
  const core = node.core!;
  const started = performance.now();
  const base = node.applied;
  while (node.applied - base < entries) {
    for (let i = 0; i < BATCH; i++) core.propose(ENTRY);
    c.step();
  }
  const seconds = (performance.now() - started) / 1000;
  return { bench: 'commit', nodes, value: Math.round((node.applied - base) / seconds), unit: 'entries/s', seconds };
}

function scheduleSpeed(nodes: number, seeds: number): Measurement[] {
  let steps = 0;
  const started = performance.now();
  for (let seed = 1; seed <= seeds; seed++) steps += runSeed(seed, { nodes }).steps;
  const seconds = (performance.now() - started) / 1000;
  return [
    { bench: 'schedule', nodes, value: Math.round(steps / seconds), unit: 'steps/s', seconds },
    { bench: 'schedule', nodes, value: Math.round(seeds / seconds), unit: 'seeds/s', seconds },
  ];
}

function main(): void {
  const results: Measurement[] = [];
  const record = (m: Measurement): void => {
    results.push(m);
    console.log(JSON.stringify(m));
  };
  commitThroughput(3, 20_000); // warm up the JIT
  record(commitThroughput(3, 2_000_000));
  record(commitThroughput(5, 2_000_000));
  for (const m of scheduleSpeed(5, 300)) record(m);
  for (const m of scheduleSpeed(3, 300)) record(m);

  const rows = results.map((m) => [m.bench, String(m.nodes), m.value.toLocaleString('en-US'), m.unit, m.seconds.toFixed(2)]);
  console.log('');
  console.log(renderTable(['bench', 'nodes', 'value', 'unit', 'seconds'], rows, { align: ['left', 'left', 'right'], rule: false }));
}

new Command('bench:core')
  .description('how fast the core commits on a zero-latency simulated network, and how fast the simulator runs its fault schedules')
  .action(main)
  .parse();
