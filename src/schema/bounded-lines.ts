// Newline-delimited input from another process (a node's stdin control channel, a node's stdout as
// the supervisor reads it), cut into lines with a cap on each line's length. node:readline keeps
// an unfinished line in memory however long it grows, so one endless line would take all of it;
// here a line over the cap is dropped as it arrives (only its length is remembered) and reported
// once it ends, and the lines after it are read as usual.
import type { Readable } from 'node:stream';

/** The default cap on one line: far above any control command, event or state line. */
export const MAX_LINE_BYTES = 1024 * 1024;

export interface LineHandlers {
  line(text: string): void;
  /** A line of `bytes` bytes (without its newline) was longer than the cap and was dropped. */
  tooLong(bytes: number): void;
  /** The input ended or closed (an unfinished last line is handled first); called once. */
  end?(): void;
}

const NEWLINE = 0x0a;

/** Reads `input` line by line (\n or \r\n), calling `on.line` for each line of at most `maxBytes`. */
export function readBoundedLines(input: Readable, on: LineHandlers, maxBytes = MAX_LINE_BYTES): void {
  let parts: Buffer[] = [];
  let held = 0;
  /** Bytes of the current line dropped so far, or -1 while it is within the cap. */
  let dropped = -1;

  const finish = (): void => {
    if (dropped >= 0) {
      const bytes = dropped;
      dropped = -1;
      on.tooLong(bytes);
      return;
    }
    let text = Buffer.concat(parts, held).toString('utf8');
    parts = [];
    held = 0;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    on.line(text);
  };
  const add = (piece: Buffer): void => {
    if (dropped >= 0) {
      dropped += piece.length;
    } else if (held + piece.length > maxBytes) {
      dropped = held + piece.length;
      parts = [];
      held = 0;
    } else if (piece.length > 0) {
      parts.push(piece);
      held += piece.length;
    }
  };

  input.on('data', (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (let nl = bytes.indexOf(NEWLINE); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
      add(bytes.subarray(start, nl));
      finish();
      start = nl + 1;
    }
    add(bytes.subarray(start));
  });
  let ended = false;
  const ending = (): void => {
    if (ended) return;
    ended = true;
    if (held > 0 || dropped >= 0) finish();
    on.end?.();
  };
  input.on('end', ending);
  // A stream destroyed without an end (the other process vanished) ends the input all the same.
  input.on('close', ending);
}
