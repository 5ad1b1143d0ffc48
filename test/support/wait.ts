// The one way a test waits for something it does not drive itself: a process, a socket, a render.
// It looks again at a short interval until the probe has an answer. The deadline only turns a hang
// into a failure that names what was awaited; passing never depends on it. Where the code under
// test offers an event to wait on, wait on that instead.
import { inspect } from 'node:util';

/** Well inside the tests' timeout (vitest.config.ts), so that a hang fails here, naming what it awaited. */
const TIMEOUT_MS = 20_000;

export interface WaitOptions {
  /** Give up after this long; 20 s by default. */
  timeoutMs?: number;
  /** The pause between looks: 5 ms by default; see COSTLY_PROBE. */
  intervalMs?: number;
}

/**
 * For a probe that costs something each time it looks: it starts a process (`raft-console status`,
 * `tmux capture-pane`) or sends requests to the nodes under test. It looks every 100 ms rather than
 * every few, so that looking adds little load to the machine it watches.
 */
export const COSTLY_PROBE: WaitOptions = { intervalMs: 100 };

/** What a probe threw: an Error as "Name: message", anything else as inspect shows it (String() would say "[object Object]"). */
function thrown(value: unknown): string {
  return value instanceof Error ? String(value) : inspect(value);
}

/** Time ran out: what was awaited, and the probe's last error if it threw. */
export class WaitTimeout extends Error {
  readonly code = 'wait-timeout';

  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastError: unknown,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : ` (last error: ${thrown(lastError)})`}`);
  }
}

/**
 * Resolves with the probe's first answer other than undefined or false. A probe that throws has no
 * answer yet (a node that is restarting refuses a status request): its last error goes in the
 * WaitTimeout. `what` may be a function, to describe the last state seen when time runs out.
 */
export async function waitFor<T>(
  what: string | (() => string),
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const answer = await probe();
      if (answer !== undefined && answer !== false) return answer;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new WaitTimeout(typeof what === 'string' ? what : what(), timeoutMs, lastError);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 5));
  }
}
