// How long to wait before the next connection attempt to a peer that cannot be reached: capped
// exponential backoff with jitter, so a restarting peer is not hammered and the nodes of a cluster
// that lost a peer at the same moment do not retry in lockstep.

export interface BackoffOptions {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** The ceiling never grows past this. */
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (0 for the first): a ceiling of `baseMs * 2^attempt`,
 * capped at `maxMs`, then "equal jitter": half the ceiling plus a random part of the other half.
 * Never 0, so a peer that refuses at once is not retried in a hot loop.
 */
export function reconnectDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  // 2^attempt overflows to Infinity long before attempt reaches Number.MAX_VALUE; min() caps it.
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
