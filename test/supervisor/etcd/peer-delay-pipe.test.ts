// A stream passed on late: in order whatever the delays, bounded, and ended once all is through.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pipeWithDelay } from '../../../src/supervisor/etcd/peer-delay-pipe.js';
import type { Timers } from '../../../src/transport/timers.js';

/** Timers the test fires one by one. */
class HeldTimers implements Timers {
  readonly pending = new Map<number, () => void>();
  private next = 1;
  setTimeout(callback: () => void): unknown {
    this.pending.set(this.next, callback);
    return this.next++;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fire(handle: number): void {
    const callback = this.pending.get(handle);
    this.pending.delete(handle);
    callback?.();
  }
}

function setup(
  delays: number[],
  maxHeldBytes = 1024,
): { source: PassThrough; received: string[]; timers: HeldTimers; ended: () => boolean; drop: () => void } {
  const source = new PassThrough();
  const sink = new PassThrough();
  const received: string[] = [];
  let ended = false;
  sink.on('data', (c: Buffer) => received.push(c.toString()));
  sink.on('end', () => (ended = true));
  const timers = new HeldTimers();
  const drop = pipeWithDelay(source, sink, { delayMs: () => delays.shift() ?? 0, timers, maxHeldBytes });
  return { source, received, timers, ended: () => ended, drop };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('pipeWithDelay', () => {
  it('keeps the order when a later chunk has a shorter delay', async () => {
    const { source, received, timers } = setup([100, 0, 10]);
    source.write('a');
    source.write('b');
    source.write('c');
    await tick();
    timers.fire(2); // c's timer (10 ms) first: it waits behind a
    await tick();
    expect(received).toEqual([]);
    timers.fire(1);
    await tick();
    expect(received.join('')).toBe('abc');
  });

  it('pauses the source while more than its bound is held, and resumes when it is passed on', async () => {
    const { source, timers } = setup([50, 50], 4);
    source.write('12345');
    await tick();
    expect(source.isPaused()).toBe(true);
    timers.fire(1);
    await tick();
    expect(source.isPaused()).toBe(false);
  });

  it('ends the sink only after the held chunks are through, and drops them when cut', async () => {
    const { source, received, timers, ended } = setup([50]);
    source.end('late');
    await tick();
    expect(ended()).toBe(false);
    timers.fire(1);
    await tick();
    expect(received).toEqual(['late']);
    expect(ended()).toBe(true);

    const cut = setup([50]);
    cut.source.write('never');
    await tick();
    cut.drop();
    expect(cut.timers.pending.size).toBe(0);
  });
});
