// A stream's bytes passed on late, as a network with a delay passes a TCP stream: every chunk
// waits its delay, none overtakes an earlier one (when the delay shrinks, a chunk waits for those
// before it), and what is held is bounded: past the bound the source is paused, as TCP's window
// would stop the sender. The delay is asked for each chunk, so a link's delay can change while the
// stream stays open.
import type { Readable, Writable } from 'node:stream';
import type { Timers } from '../../transport/timers.js';

export interface DelayPipeOptions {
  /** The delay for a chunk arriving now; 0 passes it on as soon as those before it have gone. */
  delayMs: () => number;
  timers: Timers;
  /** Bytes held before the source is paused. */
  maxHeldBytes: number;
  /** Called for each chunk held back. */
  onHeld?: () => void;
}

interface Held {
  chunk: Buffer;
  ready: boolean;
  handle: unknown;
}

/** Pipes `source` into `sink` through the delay; returns the function that drops what is held (the pipe is cut). */
export function pipeWithDelay(source: Readable, sink: Writable, options: DelayPipeOptions): () => void {
  const queue: Held[] = [];
  let heldBytes = 0;
  let draining = false;
  let ended = false;

  const throttle = (): void => {
    if (draining || heldBytes > options.maxHeldBytes) source.pause();
    else source.resume();
  };
  const write = (chunk: Buffer): void => {
    if (!sink.write(chunk)) draining = true;
  };
  const flush = (): void => {
    for (let head = queue[0]; head?.ready === true; head = queue[0]) {
      queue.shift();
      heldBytes -= head.chunk.length;
      write(head.chunk);
    }
    if (ended && queue.length === 0) sink.end();
    throttle();
  };

  sink.on('drain', () => {
    draining = false;
    throttle();
  });
  source.on('data', (chunk: Buffer) => {
    const delayMs = options.delayMs();
    if (delayMs <= 0 && queue.length === 0) write(chunk);
    else {
      const held: Held = { chunk, ready: delayMs <= 0, handle: null };
      if (!held.ready)
        held.handle = options.timers.setTimeout(() => {
          held.ready = true;
          flush();
        }, delayMs);
      queue.push(held);
      heldBytes += chunk.length;
      options.onHeld?.();
    }
    throttle();
  });
  source.on('end', () => {
    ended = true;
    if (queue.length === 0) sink.end();
  });
  return () => {
    for (const held of queue) if (held.handle !== null) options.timers.clearTimeout(held.handle);
    queue.length = 0;
    heldBytes = 0;
  };
}
