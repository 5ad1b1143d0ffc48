// The reorder window puts events that arrive out of order back in time order, holding each no longer
// than its window, on a clock the test drives.
import { describe, expect, it } from 'vitest';
import { ReorderWindow } from '../../src/supervisor/reorder.js';

const at = (ts: number, name: string): { ts: number; name: string } => ({ ts, name });

describe('the reorder window', () => {
  it('releases lines that arrived out of order in time order once they are old enough', () => {
    const w = new ReorderWindow<{ ts: number; name: string }>(75);
    // n4 became leader at .815; n5's lines about its earlier votes arrive after it on another pipe.
    w.push(at(1815, 'n4 becomes leader'));
    w.push(at(1810, 'n5 votes for n4'));
    w.push(at(1805, 'n5 would vote for n4'));
    expect(w.release(1870)).toEqual([]);
    expect(w.nextDue()).toBe(1880);
    expect(w.release(1885).map((e) => e.name)).toEqual(['n5 would vote for n4', 'n5 votes for n4']);
    expect(w.release(1890).map((e) => e.name)).toEqual(['n4 becomes leader']);
    expect(w.nextDue()).toBeNull();
  });

  it('keeps the arrival order of lines with the same time', () => {
    const w = new ReorderWindow<{ ts: number; name: string }>(50);
    for (const name of ['a', 'b', 'c']) w.push(at(100, name));
    w.push(at(99, 'first'));
    expect(w.release(150).map((e) => e.name)).toEqual(['first', 'a', 'b', 'c']);
  });

  it('releases a line that arrives later than its window at the next release, and drains everything on demand', () => {
    const w = new ReorderWindow<{ ts: number; name: string }>(50);
    w.push(at(1000, 'on time'));
    expect(w.release(1050).map((e) => e.name)).toEqual(['on time']);
    w.push(at(900, 'from a stalled node'));
    w.push(at(1040, 'recent'));
    expect(w.release(1060).map((e) => e.name)).toEqual(['from a stalled node']);
    expect(w.drain().map((e) => e.name)).toEqual(['recent']);
    expect(w.release(10_000)).toEqual([]);
  });
});
