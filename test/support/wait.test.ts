// The one wait of the tests, on a fake clock: it answers with the probe's first answer, and a hang
// becomes a failure that names what it waited for and the probe's last error.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WaitTimeout, waitFor } from './wait.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('waitFor', () => {
  it('resolves with the first answer other than undefined or false, looking again meanwhile', async () => {
    const answers = [undefined, false, new Error('not yet'), { leader: 2 }, { leader: 3 }];
    let looks = 0;
    const waited = waitFor('a leader', async () => {
      const answer = answers[looks++];
      if (answer instanceof Error) throw answer;
      return answer;
    });
    await vi.runAllTimersAsync();
    expect(await waited).toEqual({ leader: 2 });
    expect(looks).toBe(4);
  });

  it('gives up after its deadline, naming what it waited for and the last error', async () => {
    let looks = 0;
    // It looks at 0 ms, every 100 ms up to 1000, and once more past the deadline: 12 looks.
    const failed = expect(
      waitFor(
        () => `a leader (${looks} looks)`,
        () => {
          looks++;
          throw new Error('connection refused');
        },
        { timeoutMs: 1000, intervalMs: 100 },
      ),
    ).rejects.toThrow(new WaitTimeout('a leader (12 looks)', 1000, new Error('connection refused')));
    await vi.runAllTimersAsync();
    await failed;
  });
});
