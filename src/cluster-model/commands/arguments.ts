// Parsers for the values a cluster command takes (node ids, times, shares, partition groups), shared
// by the CLI and the dashboard's command line. Each throws commander's InvalidArgumentError with what
// a good value looks like, so a typo is a usage error that shows the fix.
import { InvalidArgumentError } from 'commander';
import { HELD_ID } from '../model.js';

/** A bound past any count a person types (a log index's 2^48) is no bound worth naming. */
const UNBOUNDED = 2 ** 32;

/** A whole number from `min` to `max`, or an error naming `what` with an `example`. */
export function whole(text: string, what: string, example: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
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

/** For `step deliver|drop <ids...>`: a held message's id ("1.4": its sender and number), once each. */
export function heldIds(text: string, previous: string[] | undefined): string[] {
  if (!HELD_ID.test(text))
    throw new InvalidArgumentError(
      `a held message's id is its sender and number, e.g. 1.4, got "${text}" (the step panel and \`raft-console step list\` show them)`,
    );
  if (previous?.includes(text)) throw new InvalidArgumentError(`${text} is listed twice`);
  return [...(previous ?? []), text];
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A length of time typed as a number and an optional unit ("200", "2s", "1.5m"), in ms; a bare number is in `bare`. */
export function time(text: string, bare: 'ms' | 's'): number {
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

/** "0.3" or "30%": the share of messages a link drops. */
export function probability(text: string): number {
  const percent = text.trim().endsWith('%');
  const n = Number(percent ? text.trim().slice(0, -1) : text);
  const p = percent ? n / 100 : n;
  if (text.trim() === '' || !Number.isFinite(p) || p < 0 || p > 1)
    throw new InvalidArgumentError(`--drop must be a probability from 0 to 1 or a percentage, got "${text}" (e.g. 0.3 or 30%)`);
  return p;
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
