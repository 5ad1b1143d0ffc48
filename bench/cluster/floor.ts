// How far a 1-client write is from this machine's limit: the chain of loopback round trips and
// fsyncs any write must wait for, measured here in the same run as the rows.
//
//   fsync  append a small record (the size of one put's log record) to a file in the folder the
//          nodes keep their data in, then fdatasync it, as the nodes do (FileHandle.datasync, on
//          libuv's thread pool); one at a time.
//   rtt    a small frame to an echo server in another Node process over 127.0.0.1 TCP (no Nagle)
//          and back, one at a time: the nodes and the load generator are separate processes too.
//
// The model (floorModel) turns the two medians into the floor of a write's latency.
import { spawn } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { exited, trackChild } from '../children.js';
import { percentile, round } from '../stats.js';

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  minMs: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50), 3),
    p99Ms: round(percentile(sorted, 99), 3),
    minMs: round(sorted[0] ?? NaN, 3),
  };
}

/** `samples` appends of `bytes` to a fresh file in `dir`, each followed by fdatasync; the file is removed. */
export async function measureFsync(dir: string, samples = 200, bytes = 256): Promise<LatencySummary> {
  const path = join(dir, `fsync-probe-${process.pid}.log`);
  const file = await open(path, 'a');
  const record = Buffer.alloc(bytes, 0x61);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await file.write(record);
      await file.datasync();
      times.push(performance.now() - t0);
    }
  } finally {
    await file.close();
    await rm(path, { force: true });
  }
  return summarize(times);
}

/** Echoes every byte back; prints its port on stdout. Runs as its own process. */
const ECHO_SERVER = `
const net = require('node:net');
const server = net.createServer({ noDelay: true }, (s) => s.on('data', (d) => s.write(d)));
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

/** `samples` round trips of a `bytes`-byte frame to an echo server in another process, one at a time. */
export async function measureLoopbackRtt(samples = 2000, bytes = 128): Promise<LatencySummary> {
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  trackChild(child);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let text = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (s: string) => {
        text += s;
        if (text.includes('\n')) resolve(Number(text.trim()));
      });
      child.once('exit', (code) => reject(new Error(`the echo server exited (code ${code})`)));
    });
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const frame = Buffer.alloc(bytes, 0x62);
    frame.writeUInt32BE(bytes - 4, 0);
    const times: number[] = [];
    try {
      for (let i = 0; i < samples; i++) {
        const t0 = performance.now();
        await new Promise<void>((resolve, reject) => {
          let got = 0;
          const onData = (d: Buffer): void => {
            got += d.length;
            if (got < bytes) return;
            socket.off('data', onData);
            socket.off('error', reject);
            resolve();
          };
          socket.on('data', onData);
          socket.once('error', reject);
          socket.write(frame);
        });
        times.push(performance.now() - t0);
      }
    } finally {
      socket.destroy();
    }
    // The first round trips pay for the JIT and the connection's warm-up: drop a tenth.
    return summarize(times.slice(Math.floor(samples / 10)));
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
}

export interface Floor {
  rttMs: number;
  fsyncMs: number;
  /**
   * The least a write can wait for, with the leader's fsync in parallel with the replication (etcd
   * does this; so may ours):
   *
   *   client -> leader                                              rtt/2
   *   max(leader fsync,                                             f
   *       leader -> follower + follower fsync + follower -> leader) rtt/2 + f + rtt/2
   *   leader -> client                                              rtt/2
   *
   *   = rtt + max(f, rtt + f) = 2 rtt + f
   *
   * with f the same on every node, and the majority's fastest follower no faster than the median
   * (with 5 nodes the leader waits for 2 followers: the same floor). Applying and answering are
   * taken as free.
   */
  floorMs: number;
  /** The writes/s one client could reach at the floor: 1000 / floorMs. */
  floorWritesPerSec: number;
  /**
   * Three fsyncs in series, for comparison: the leader fsyncs before it sends, the follower before
   * it answers, the leader fsyncs the new commit index before it answers the client:
   * rtt/2 + f + rtt/2 + f + rtt/2 + f + rtt/2 = 2 rtt + 3 f.
   */
  serialMs: number;
}

/** The floor of a write's latency from the loopback round trip and the fsync (medians, ms). */
export function floorModel(rttMs: number, fsyncMs: number): Floor {
  const oneWay = rttMs / 2;
  const floorMs = oneWay + Math.max(fsyncMs, oneWay + fsyncMs + oneWay) + oneWay;
  const serialMs = oneWay + fsyncMs + oneWay + fsyncMs + oneWay + fsyncMs + oneWay;
  return {
    rttMs,
    fsyncMs,
    floorMs: round(floorMs, 3),
    floorWritesPerSec: floorMs > 0 ? Math.round(1000 / floorMs) : Infinity,
    serialMs: round(serialMs, 3),
  };
}
