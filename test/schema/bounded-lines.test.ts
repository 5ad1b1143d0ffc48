// Lines from another process, with a cap per line: a line over it is dropped as it streams in and
// reported once it ends; the lines around it are read as usual, whatever the chunking.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBoundedLines } from '../../src/schema/bounded-lines.js';

function read(chunks: Array<string | Buffer>, maxBytes: number): Promise<string[]> {
  const input = new PassThrough();
  const seen: string[] = [];
  const done = new Promise<string[]>((resolve) =>
    readBoundedLines(input, { line: (l) => seen.push(l), tooLong: (n) => seen.push(`<dropped ${n}>`), end: () => resolve(seen) }, maxBytes),
  );
  for (const c of chunks) input.write(c);
  input.end();
  return done;
}

describe('readBoundedLines', () => {
  it('cuts lines across chunk boundaries, with \\n or \\r\\n, and keeps an unfinished last line', async () => {
    expect(await read(['a', 'b\nc', 'd\r\n\ne', 'f'], 100)).toEqual(['ab', 'cd', '', 'ef']);
  });

  it('drops a line over the cap, reports its length, and reads on', async () => {
    expect(await read(['ok\n', 'x'.repeat(6), 'x'.repeat(6), 'x\nafter\n'], 10)).toEqual(['ok', '<dropped 13>', 'after']);
    expect(await read(['x'.repeat(11)], 10)).toEqual(['<dropped 11>']);
    expect(await read(['x'.repeat(10), '\n'], 10)).toEqual(['x'.repeat(10)]);
  });

  it('keeps multi-byte characters split between chunks whole', async () => {
    const bytes = Buffer.from('é€\n', 'utf8');
    expect(await read([bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4)], 100)).toEqual(['é€']);
  });
});
