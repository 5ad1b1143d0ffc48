// The timer functions the transport schedules with (hello timeouts, reconnect backoff, link delay,
// lingering closes). Injected so a test can hold a timer back or fire it at once instead of
// waiting on the wall clock.

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
