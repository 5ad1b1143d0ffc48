// Parsers for the values typed on the command line. Each throws commander's InvalidArgumentError
// with what a good value looks like, so a typo is a usage error (exit 2) that shows the fix.
import { InvalidArgumentError } from 'commander';
import { MAX_TERM_OR_INDEX } from '../raft/types.js';
import { ClusterError, checkClusterName } from '../cluster-model/index.js';
import { MAX_NODES } from '../supervisor/index.js';

/** A bound past any count a person types (a log index's 2^48) is no bound worth naming. */
const UNBOUNDED = 2 ** 32;

function whole(text: string, what: string, example: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(
      `${what} must be a whole number ${max >= UNBOUNDED ? `${min} or more` : `from ${min} to ${max}`}, got "${text}" (e.g. ${example})`,
    );
  return n;
}

export function nodeId(text: string): number {
  return whole(text.replace(/^n/, ''), 'a node id', '3', 1);
}

/** For `<id...>`: commander hands each value with the list so far. */
export function nodeIds(text: string, previous: number[] | undefined): number[] {
  const id = nodeId(text);
  if (previous?.includes(id)) throw new InvalidArgumentError(`n${id} is listed twice`);
  return [...(previous ?? []), id];
}

export function nodeCount(text: string): number {
  return whole(text, 'the number of nodes', '5', 1, MAX_NODES);
}

/** For a count with limits: "--clients must be a whole number from 1 to 64". */
export function wholeNumber(what: string, example: string, min: number, max?: number) {
  return (text: string): number => whole(text, what, example, min, max);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A length of time typed as a number and an optional unit ("200", "2s", "1.5m"), in ms; a bare number is in `bare`. */
function time(text: string, bare: 'ms' | 's'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  return m === null ? NaN : Math.round(Number(m[1]) * DURATION_UNITS[m[2] ?? bare]!);
}

/** "200" (milliseconds), "500ms", "2s", "1m": a time in milliseconds, for the options that take one. */
export function milliseconds(what: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  const example = '200, 500ms or 2s';
  return (text: string): number => {
    const ms = time(text, 'ms');
    if (!Number.isSafeInteger(ms))
      throw new InvalidArgumentError(`${what} must be a time in milliseconds, or with a unit, got "${text}" (e.g. ${example})`);
    if (ms < min || ms > max)
      throw new InvalidArgumentError(
        `${what} must be from ${min} ms${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max} ms`}, got "${text}" (e.g. ${example})`,
      );
    return ms;
  };
}

/** "60s", "2m", "500ms", "1.5s" (a bare number is seconds): a length of time, in milliseconds. */
export function duration(what: string, example: string, minMs: number, maxMs = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const ms = time(text, 's');
    if (!Number.isFinite(ms))
      throw new InvalidArgumentError(`${what} must be a duration such as 60s, 2m or 500ms, got "${text}" (e.g. ${example})`);
    if (ms < minMs || ms > maxMs)
      throw new InvalidArgumentError(
        `${what} must be from ${minMs / 1000} s${maxMs === Number.MAX_SAFE_INTEGER ? '' : ` to ${maxMs / 1000} s`}, got "${text}" (e.g. ${example})`,
      );
    return ms;
  };
}

/** A log index, within the range nodes take (MAX_TERM_OR_INDEX). */
export function indexArg(what: string) {
  return (text: string): number => whole(text, what, '1', 0, MAX_TERM_OR_INDEX);
}

export function port(text: string): number {
  return whole(text, '--base-port', '7001', 1024, 65535);
}

/** "150-300": an election timeout range in milliseconds. */
export function msRange(text: string): { min: number; max: number } {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (m === null)
    throw new InvalidArgumentError(`--election-timeout must be a range of milliseconds min-max, got "${text}" (e.g. 150-300)`);
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < 1 || max < min) throw new InvalidArgumentError(`--election-timeout needs 1 <= min <= max, got "${text}" (e.g. 150-300)`);
  return { min, max };
}

/** "0.3" or "30%": the share of messages a link drops. */
export function probability(text: string): number {
  const percent = text.trim().endsWith('%');
  const n = Number(percent ? text.trim().slice(0, -1) : text);
  const p = percent ? n / 100 : n;
  if (text.trim() === '' || !Number.isFinite(p) || p < 0 || p > 1)
    throw new InvalidArgumentError(`--drop must be a probability from 0 to 1 or a percentage, got "${text}" (e.g. 0.3 or 30%)`);
  return p;
}

export function clusterName(text: string): string {
  try {
    return checkClusterName(text);
  } catch (err) {
    if (err instanceof ClusterError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

const PARTITION_HELP =
  'a partition spec is groups of node ids, the groups separated by spaces and the ids in a group by commas (e.g. `partition 1,2 3,4,5`; nodes left out form one more group)';

/**
 * For `partition <groups...>`: each argument holds one group or several ("1,2 3,4,5" quoted, or
 * "1,2|3,4,5"); commander hands each with the groups so far.
 */
export function partitionGroups(text: string, previous: number[][] | undefined): number[][] {
  const groups = [...(previous ?? [])];
  const parts = text.trim().split(/[\s|]+/);
  for (const part of parts) {
    if (!/^\d+(,\d+)*$/.test(part)) throw new InvalidArgumentError(`malformed partition spec "${text}": ${PARTITION_HELP}`);
    const group = part.split(',').map(Number);
    for (const id of group) {
      if (id < 1) throw new InvalidArgumentError(`malformed partition spec "${text}": node ids start at 1; ${PARTITION_HELP}`);
      if (groups.some((g) => g.includes(id)) || group.indexOf(id) !== group.lastIndexOf(id))
        throw new InvalidArgumentError(`malformed partition spec "${text}": n${id} is listed twice; ${PARTITION_HELP}`);
    }
    groups.push(group);
  }
  return groups;
}
