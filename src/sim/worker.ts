// A worker thread of `sim`: runs the seeds it is sent and posts back their results.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerSetup } from './run.js';
import { runSeed } from './schedule.js';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (port === null) throw new Error('sim/worker.js runs as a worker thread');
port.on('message', (seeds: number[]) => {
  port.postMessage(seeds.map((seed) => runSeed(seed, { nodes: setup.nodes, bug: setup.bug })));
});
