// The one way to parse JSON that came from outside the process: frames on a node's port, lines on a
// node's stdin or a supervisor's view of a node's stdout, control-API messages, and the data of
// log entries and snapshots. JSON.parse itself copes with any nesting, but a deeply nested value
// kills whatever walks it recursively afterwards (JSON.stringify, a validator, an error message
// that shows the value): about 5,000 levels exhaust V8's stack, and a RangeError from a socket's
// data handler ends the process. So the nesting is measured first, in one linear pass that never
// recurses, and anything deeper than MAX_JSON_DEPTH is refused before it is parsed.

/**
 * How deep a JSON value from outside may nest: an object or array counts one level, and a scalar
 * at the top level is depth 0. The deepest legitimate message (a peer's append carrying a config
 * entry: message, entries, entry, membership, voters) is 5 deep; 64 is far above that and far
 * below what could exhaust a stack.
 */
export const MAX_JSON_DEPTH = 64;

export type ParsedJson =
  | { ok: true; value: unknown }
  /** `problem` is one sentence built from the input alone (never from the engine's messages). */
  | { ok: false; cause: 'too-deep' | 'not-json'; problem: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * Whether `text` nests objects and arrays deeper than `maxDepth`, counting brackets outside
 * strings. Text that is not JSON at all gets some answer; JSON.parse refuses it afterwards anyway.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i + 1);
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/**
 * The index of the quote that ends the string whose content starts at `from` (text.length if none):
 * a bracket inside a string is data, and an escaped quote does not end it. Jumps from quote to quote
 * with indexOf, which is much faster than a loop over each character of long strings (entry data).
 */
function stringEnd(text: string, from: number): number {
  for (let at = from; ;) {
    const quote = text.indexOf('"', at);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (quote - backslashes - 1 >= from && text.charCodeAt(quote - backslashes - 1) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/**
 * Parses `text` (described as `what` in the problem, e.g. "the frame body") if it is JSON nested at
 * most `maxDepth` deep. Never throws. Size limits belong to whoever reads the text (a frame's
 * length prefix, a line's length, a WebSocket's maxPayload): by the time it is a string, it is here.
 */
export function parseUntrustedJson(text: string, what: string, maxDepth = MAX_JSON_DEPTH): ParsedJson {
  if (nestsDeeperThan(text, maxDepth))
    return { ok: false, cause: 'too-deep', problem: `${what} nests objects or arrays deeper than ${maxDepth} levels` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, cause: 'not-json', problem: `${what} is not valid JSON` };
  }
}
