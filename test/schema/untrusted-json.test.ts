// The one parser of JSON from outside: nesting is measured before parsing, in a pass that never
// recurses, and a refusal is a result, never a throw.
import { describe, expect, it } from 'vitest';
import { show } from '../../src/schema/json-shape.js';
import { MAX_JSON_DEPTH, nestsDeeperThan, parseUntrustedJson } from '../../src/schema/untrusted-json.js';

const arrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const objects = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

describe('parseUntrustedJson', () => {
  it('parses JSON nested up to the limit', () => {
    expect(parseUntrustedJson(arrays(MAX_JSON_DEPTH), 'it')).toMatchObject({ ok: true });
    expect(parseUntrustedJson(objects(MAX_JSON_DEPTH), 'it')).toMatchObject({ ok: true });
    expect(parseUntrustedJson('"just a string"', 'it')).toEqual({ ok: true, value: 'just a string' });
  });

  it('refuses JSON nested one level deeper, however deep, without throwing', () => {
    for (const text of [arrays(MAX_JSON_DEPTH + 1), objects(MAX_JSON_DEPTH + 1), arrays(100_000), objects(100_000), '['.repeat(1_000_000)])
      expect(parseUntrustedJson(text, 'the frame body')).toEqual({
        ok: false,
        cause: 'too-deep',
        problem: `the frame body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`,
      });
  });

  it('counts brackets only outside strings, escaped quotes included', () => {
    const inString = JSON.stringify({ text: arrays(1000), quoted: '"[[[\\"{{{', tail: '\\' });
    expect(nestsDeeperThan(inString, 1)).toBe(false);
    expect(parseUntrustedJson(inString, 'it')).toMatchObject({ ok: true });
    expect(nestsDeeperThan('[[["\\"]"]]]', 3)).toBe(false);
    expect(nestsDeeperThan('[[["\\"]"]]]', 2)).toBe(true);
  });

  it('refuses text that is not JSON with a problem built from the input alone', () => {
    expect(parseUntrustedJson('{"a":', 'the entry data')).toEqual({
      ok: false,
      cause: 'not-json',
      problem: 'the entry data is not valid JSON',
    });
    expect(parseUntrustedJson('', 'x')).toMatchObject({ ok: false, cause: 'not-json' });
  });
});

describe('show', () => {
  it('never throws, even on a value too deep for JSON.stringify', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(show(deep)).toBe('an array too deep to show');
    expect(show({ a: deep })).toBe('an object too deep to show');
    expect(show('x'.repeat(100))).toMatch(/^"x+\.\.\.$/);
  });
});
