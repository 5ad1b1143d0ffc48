// The JSON files the project keeps: written whole and private, read back through a validator, and a
// damaged file handed to its owner to name the fix (or to count as missing).
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { object, uint } from '../../src/schema/json-shape.js';
import { readJsonOrNull, writeJsonAtomic, type JsonFileDamage } from '../../src/storage/json-file.js';

const folder = (): Promise<string> => mkdtemp(join(tmpdir(), 'raft-console-json-'));

const readPort = (value: unknown): { port: number } => ({ port: uint(object(value, 'the file'), 'port') });

/** Reads `path`, recording what `damaged` was handed and throwing it back. */
function damageOf(path: string): JsonFileDamage {
  let seen: JsonFileDamage | null = null;
  expect(() =>
    readJsonOrNull(path, readPort, (d) => {
      seen = d;
      return new Error('damaged');
    }),
  ).toThrow('damaged');
  return seen!;
}

describe('writeJsonAtomic and readJsonOrNull', () => {
  it('read back what was written, readable by the user only', async () => {
    const path = join(await folder(), 'a.json');
    await writeJsonAtomic(path, { port: 7001 });
    expect(readJsonOrNull(path, readPort, () => null)).toEqual({ port: 7001 });
    expect(await readFile(path, 'utf8')).toBe('{\n  "port": 7001\n}\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('keep the file private even when a temporary file left over had another mode', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'a.json.tmp'), 'left over', { mode: 0o644 });
    await writeJsonAtomic(join(dir, 'a.json'), { port: 1 });
    expect((await stat(join(dir, 'a.json'))).mode & 0o777).toBe(0o600);
  });

  it('a missing file reads as null', async () => {
    expect(readJsonOrNull(join(await folder(), 'none.json'), readPort, () => new Error('not called'))).toBeNull();
  });

  it('a file that is not JSON is damaged, and says so', async () => {
    const path = join(await folder(), 'a.json');
    await writeFile(path, '{"port": 70');
    expect(damageOf(path)).toEqual({ code: 'not-json', problem: 'a.json is not valid JSON' });
  });

  it('JSON of another shape is damaged, naming the field', async () => {
    const path = join(await folder(), 'a.json');
    await writeFile(path, '{"port": "7001"}');
    expect(damageOf(path)).toEqual({ code: 'invalid', problem: 'port must be a non-negative integer, got "7001"' });
  });

  it('a damaged file its owner can do without reads as null', async () => {
    const path = join(await folder(), 'a.json');
    await writeFile(path, 'half a fi');
    expect(readJsonOrNull(path, readPort, () => null)).toBeNull();
  });

  it('any other failure to read is thrown as it is', async () => {
    const path = join(await folder(), 'a.json');
    await mkdir(path);
    expect(() => readJsonOrNull(path, readPort, () => null)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });
});
