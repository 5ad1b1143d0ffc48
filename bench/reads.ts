// Linearizable reads under concurrency on a real cluster, with the client library (src/client):
// `up N --detach` in a folder of its own (CliCluster), one put, then C readers, each a RaftClient of
// its own (its own connections, as C separate clients), get that key in a loop for S seconds. It
// prints reads per second and the ReadIndex rounds the nodes started meanwhile (the `readRounds` of
// their status) per read: every read that arrives while a round is in flight joins the next one, so
// with many readers a round serves many reads. The cluster is torn down at the end (down --purge).
//
//   npm run build && npx tsc -p bench && node dist-bench/bench/reads.js [--nodes 3] [--clients 64] [--seconds 5]
//
// A quick check, not the official row: the reads row against etcd is bench/cluster.ts's.
import { join } from 'node:path';
import { Command } from 'commander';
import { wholeNumber } from '../src/cli/arguments.js';
import { RaftClient, readSecretFile } from '../src/client/index.js';
import type { NodeStatus } from '../src/node/client-protocol.js';
import { CliCluster, teardownAll } from './cli-cluster.js';
import { cpuSeconds, percentile, round } from './stats.js';

interface Options {
  nodes: number;
  clients: number;
  seconds: number;
}

const progress = (text: string): void => void process.stderr.write(`bench:reads: ${text}\n`);

async function main(o: Options): Promise<void> {
  const cli = new CliCluster('reads-bench');
  progress(`starting a cluster of ${o.nodes} (up ${o.nodes} --detach)`);
  const status = await cli.up(o.nodes);
  const options = {
    nodes: status.nodes.map((n) => ({ id: n.id, address: n.address })),
    clusterId: status.clusterId,
    secret: readSecretFile(join(cli.folder, 'secret')),
  };
  const clients = Array.from({ length: o.clients }, () => new RaftClient(options));
  try {
    await clients[0]!.put('k', 'v');
    // Every client finds the leader (a first get, redirected if need be) before the clock starts.
    await Promise.all(clients.map((c) => c.get('k')));
    // Summed over every node: a node counts the rounds it started while it led, so a change of
    // leader during the run loses none.
    const rounds = async (): Promise<number | null> => {
      let sum = 0;
      for (const n of status.nodes) {
        const s: Partial<NodeStatus> = await clients[0]!.status(n.id);
        if (s.readRounds === undefined) return null; // a node from before the status had it
        sum += s.readRounds;
      }
      return sum;
    };
    const rounds0 = await rounds();
    const cpu0 = nodesCpuSeconds(status.nodes);
    progress(`${o.clients} readers for ${o.seconds} s`);
    let reads = 0;
    const latencies: number[] = [];
    const end = performance.now() + o.seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < end) {
          const start = performance.now();
          await c.get('k');
          latencies.push(performance.now() - start);
          reads++;
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    const rounds1 = await rounds();
    const cpu1 = nodesCpuSeconds(status.nodes);
    const started = rounds0 === null || rounds1 === null ? null : rounds1 - rounds0;
    const heartbeatMs = status.timing.heartbeatMs;
    const row = {
      nodes: o.nodes,
      clients: o.clients,
      seconds: round(elapsed, 2),
      reads,
      readsPerSecond: Math.round(reads / elapsed),
      latencyMs: { p50: round(percentile(latencies, 50), 2), p99: round(percentile(latencies, 99), 2), max: round(latencies.at(-1)!, 1) },
      readRounds: started,
      roundsPerRead: started === null ? null : round(started / reads, 4),
      readsPerRound: started === null || started === 0 ? null : round(reads / started, 1),
      periodicHeartbeats: Math.round((elapsed * 1000) / heartbeatMs),
      // User and system CPU time of the node processes over the run, per read.
      nodeCpuUsPerRead: cpu0 === null || cpu1 === null ? null : round(((cpu1 - cpu0) * 1e6) / reads, 1),
    };
    process.stdout.write(`${JSON.stringify(row)}\n`);
  } finally {
    for (const c of clients) c.close();
    await cli.teardown();
  }
}

/** User and system CPU seconds of the node processes so far (Linux); null when unknown. */
function nodesCpuSeconds(nodes: ReadonlyArray<{ process: { pid: number | null } }>): number | null {
  let sum = 0;
  for (const n of nodes) {
    const s = cpuSeconds(n.process.pid ?? undefined);
    if (s === null) return null;
    sum += s;
  }
  return sum;
}

const program = new Command('reads')
  .description('linearizable reads per second and ReadIndex rounds per read at C concurrent readers')
  .option('--nodes <n>', 'cluster size', wholeNumber('--nodes', '3', 1), 3)
  .option('--clients <n>', 'concurrent readers, one RaftClient each', wholeNumber('--clients', '64', 1), 64)
  .option('--seconds <n>', 'how long the readers read', wholeNumber('--seconds', '5', 1), 5)
  .action(async (o: Options) => {
    try {
      await main(o);
    } catch (err) {
      await teardownAll();
      throw err;
    }
  });
await program.parseAsync();
