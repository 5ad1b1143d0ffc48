// The per-peer send queue: bounded in frames and in bytes, dropping the oldest to make room.
import { describe, expect, it } from 'vitest';
import { FrameQueue } from '../../src/transport/frame-queue.js';

const frame = (n: number, size = 10): Buffer => Buffer.alloc(size, n);

describe('FrameQueue', () => {
  it('is first in, first out', () => {
    const q = new FrameQueue(10, 1000);
    for (let i = 0; i < 5; i++) q.push(frame(i));
    expect([q.shift(), q.shift()].map((b) => b![0])).toEqual([0, 1]);
    expect(q.length).toBe(3);
    expect(q.bytes).toBe(30);
  });

  it('drops the oldest frames when full by count, and says how many', () => {
    const q = new FrameQueue(3, 1000);
    expect([1, 2, 3].map((i) => q.push(frame(i)))).toEqual([0, 0, 0]);
    expect(q.push(frame(4))).toBe(1);
    const left: number[] = [];
    for (let b = q.shift(); b; b = q.shift()) left.push(b[0]!);
    expect(left).toEqual([2, 3, 4]);
  });

  it('drops as many of the oldest as it takes when full by bytes', () => {
    const q = new FrameQueue(100, 100);
    for (let i = 1; i <= 5; i++) q.push(frame(i, 20));
    expect(q.push(frame(6, 50))).toBe(3);
    expect(q.bytes).toBe(90);
    expect(q.shift()![0]).toBe(4);
  });

  it('drops a frame larger than the whole queue instead of emptying the queue for it', () => {
    const q = new FrameQueue(10, 100);
    q.push(frame(1, 50));
    expect(q.push(frame(2, 101))).toBe(1);
    expect(q.length).toBe(1);
  });

  it('never holds more than its bounds across a long run of pushes and shifts', () => {
    const q = new FrameQueue(64, 4096);
    let pushed = 0;
    let dropped = 0;
    let shifted = 0;
    let over = 0;
    for (let i = 0; i < 100_000; i++) {
      dropped += q.push(frame(i % 256, 1 + (i % 97)));
      pushed++;
      if (i % 3 === 0 && q.shift()) shifted++;
      if (q.length > 64 || q.bytes > 4096) over++;
    }
    expect(over).toBe(0);
    expect(dropped).toBeGreaterThan(0);
    expect(pushed).toBe(dropped + shifted + q.length);
  });
});
