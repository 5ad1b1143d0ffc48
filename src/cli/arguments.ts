// Parsers for the values typed on the command line. Each throws commander's InvalidArgumentError
// with what a good value looks like, so a typo is a usage error (exit 2) that shows the fix. The
// parsers of the cluster commands, which the dashboard's command line takes too, live with their
// grammar (src/cluster-model/commands) and are shared from here.
import { InvalidArgumentError } from 'commander';
import { MAX_TERM_OR_INDEX } from '../raft/types.js';
// Modules, not the barrels: every command parses its arguments here, and starts faster so.
import { time, whole } from '../cluster-model/commands/arguments.js';
import { ClusterError } from '../cluster-model/errors.js';
import { checkClusterName } from '../cluster-model/folder.js';
import { MAX_NODES } from '../cluster-model/launcher.js';

export { milliseconds, nodeId, nodeIds, partitionGroups, probability } from '../cluster-model/commands/arguments.js';

export function nodeCount(text: string): number {
  return whole(text, 'the number of nodes', '5', 1, MAX_NODES);
}

/** For a count with limits: "--clients must be a whole number from 1 to 64". */
export function wholeNumber(what: string, example: string, min: number, max?: number) {
  return (text: string): number => whole(text, what, example, min, max);
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

export function clusterName(text: string): string {
  try {
    return checkClusterName(text);
  } catch (err) {
    if (err instanceof ClusterError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}
