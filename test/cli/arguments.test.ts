// Times on the command line: a bare number stays what the option has always taken (milliseconds
// for --timeout, --delay, --heartbeat; seconds for check's --duration), and a unit is welcome on all.
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { duration, milliseconds } from '../../src/cli/arguments.js';

describe('milliseconds', () => {
  const timeout = milliseconds('--timeout');

  it('takes a bare number as milliseconds, and ms, s, m and h units', () => {
    expect(['200', '500ms', '2s', '1.5s', '1m', '1h'].map(timeout)).toEqual([200, 500, 2000, 1500, 60_000, 3_600_000]);
  });

  it('refuses what is not a time, and a time out of range, saying what would do', () => {
    expect(() => timeout('soon')).toThrow(InvalidArgumentError);
    expect(() => timeout('soon')).toThrow('--timeout must be a time in milliseconds, or with a unit, got "soon" (e.g. 200, 500ms or 2s)');
    expect(() => timeout('0')).toThrow('--timeout must be from 1 ms, got "0"');
    expect(() => milliseconds('--delay', 0, 60_000)('2m')).toThrow('--delay must be from 0 ms to 60000 ms, got "2m"');
  });
});

describe('duration', () => {
  it('still takes a bare number as seconds', () => {
    expect(duration('--duration', '60s', 1000)('90')).toBe(90_000);
    expect(duration('--budget', '60s', 100)('500ms')).toBe(500);
  });
});
