// Hostile input for the property-based fuzzers (decoders.test.ts, and test/e2e/fuzz-node.system.test.ts
// against a live node): the valid messages and requests of docs/PROTOCOL.md, mutated (a field
// replaced by a wrong type, a huge number or a deeply nested value; a field dropped or added; the
// text cut short or spliced), and plain random text and bytes.
//
// Seeded: FUZZ_SEED picks the seed (a fixed one by default, so every run is the same), and a
// failure names the seed and path to replay it with (FUZZ_SEED=<seed> FUZZ_PATH=<path>).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261203);

/** fast-check's parameters: the seed (and replay path) from the environment. */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  const path = process.env.FUZZ_PATH;
  return { seed: FUZZ_SEED, numRuns, ...(path === undefined ? {} : { path }), endOnFailure: true };
}

/**
 * fc.assert, with the way to replay a failure at the top of its message: fast-check's own report
 * (seed, path, counterexample) follows. Synchronous properties only: fc.assert then throws rather
 * than returns a promise, so the catch below sees every failure.
 */
export function fuzz(property: fc.IProperty<unknown>, numRuns: number): void {
  try {
    fc.assert(property, fuzzParameters(numRuns));
  } catch (err) {
    const text = (err as Error).message;
    const path = /path: "([^"]*)"/.exec(text)?.[1];
    const seed = /seed: (-?\d+)/.exec(text)?.[1] ?? FUZZ_SEED;
    // Counterexamples can be 100,000 brackets long: each line of the report is cut short.
    const report = text
      .split('\n')
      .map((line) => (line.length > 400 ? `${line.slice(0, 400)}... (${line.length} characters)` : line))
      .join('\n');
    // `report` is fast-check's error cut to size: as the cause, that error would be printed again uncut.
    // eslint-disable-next-line preserve-caught-error -- see above
    throw new Error(`fuzz failure: replay with FUZZ_SEED=${seed}${path === undefined ? '' : ` FUZZ_PATH=${path}`}\n${report}`);
  }
}

const doc = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');
const blocks = (lang: string): Array<Record<string, unknown>> =>
  [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);

/** Every peer message example of PROTOCOL.md (section 2). */
export const PEER_MESSAGES = blocks('json').filter((e) => e.type !== 'hello' && e.type !== 'error');
/** Every client request example of PROTOCOL.md (section 3). */
export const CLIENT_REQUESTS = blocks('jsonc').filter((e) => 'type' in e && !('ok' in e));

/** Stands for a value that only exists as text: JSON.stringify could not write it. */
const DEEP = '\u0000deep\u0000';
const deepText = (depth: number, open: string, close: string): string => open.repeat(depth) + close.repeat(depth);

/** Values that have broken decoders: huge and inexact numbers, wrong types, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    2 ** 53 - 1,
    2 ** 53,
    2 ** 48 + 1,
    1e308,
    -1,
    -0,
    0.5,
    Number.MAX_VALUE,
    null,
    true,
    '',
    '__proto__',
    'constructor',
    {},
    [],
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }),
  // Nested deep enough to break a recursive walker (a few thousand levels), and just around the limit.
  fc.constantFrom(60, 64, 65, 70, 5000, 100_000).map((depth) => `${DEEP}${depth}`),
);

type Json = Record<string, unknown> | unknown[];

/** `base` with one to three mutations at random places of its tree. */
function mutated(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  const mutation = fc.tuple(
    fc.nat(),
    fc.constantFrom('replace', 'drop', 'add'),
    hostileValue,
    fc.constantFrom('extra', '__proto__', 'type', 'term', 'id'),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => {
    const copy = JSON.parse(JSON.stringify(base)) as Json;
    for (const [pick, kind, value, key] of mutations) {
      const places: Array<[Json, string | number]> = [];
      const walk = (node: Json): void => {
        for (const [k, v] of Object.entries(node)) {
          places.push([node, Array.isArray(node) ? Number(k) : k]);
          if (typeof v === 'object' && v !== null) walk(v as Json);
        }
      };
      walk(copy);
      const [parent, at] = places[pick % places.length] ?? [copy, 'type'];
      const p = parent as Record<string | number, unknown>;
      if (kind === 'replace') p[at] = value;
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- dropping a field picked at random is the mutation
      else if (kind === 'drop') delete p[at];
      else Object.defineProperty(p, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  });
}

/** JSON text of `value`, with the deep stand-ins written out as nested arrays or objects. */
export function toText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000deep\\u0000(\d+)"/g, (_, depth: string) =>
    Number(depth) % 2 === 0 ? deepText(Number(depth), '[', ']') : `${'{"a":'.repeat(Number(depth))}1${'}'.repeat(Number(depth))}`,
  );
}

/** Text cut short at a random place, or with random text spliced in: valid prefixes of real input. */
const damaged = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(
      text,
      fc.nat(),
      fc.nat(),
      fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('[', '{', '"', '\\', '}', ']', deepText(10_000, '[', ''))),
    )
    .map(([t, cut, from, splice]) => {
      const at = cut % (t.length + 1);
      return from % 2 === 0 ? t.slice(0, at) : t.slice(0, at) + splice + t.slice(at);
    });

/** Bodies for frames after the hello on a peer connection (or a client's, with `bases` its requests). */
export function bodies(bases: ReadonlyArray<Record<string, unknown>>): fc.Arbitrary<string> {
  const valid = fc.constantFrom(...bases);
  const mutatedText = valid.chain(mutated).map(toText);
  return fc.oneof(
    { weight: 4, arbitrary: mutatedText },
    { weight: 2, arbitrary: damaged(mutatedText) },
    { weight: 1, arbitrary: hostileValue.map(toText) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
}

/** A frame: a 4-byte big-endian length, then the body. Written by hand, not with the code under test. */
export function frame(body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes.length);
  return Buffer.concat([header, bytes]);
}
