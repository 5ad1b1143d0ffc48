// Text measured, cut and wrapped by the columns a terminal gives it.
import { describe, expect, it } from 'vitest';
import { clipColumns, columns, padColumns, wrapColumns } from '../../src/tui/text-width.js';

describe('text width', () => {
  it('counts CJK characters and emoji-style symbols as two columns, other glyphs as one', () => {
    expect(columns('n1 ★ leader')).toBe(11);
    expect(columns('领导者')).toBe(6);
    expect(columns('⏰ ✔ ✗')).toBe(6);
  });

  it('wraps at spaces into lines no wider than the width, losing no word', () => {
    const text = 'pause or resume the node (SIGSTOP / SIGCONT): frozen as in a long GC pause';
    const lines = wrapColumns(text, 20);
    for (const l of lines) expect(columns(l), l).toBeLessThanOrEqual(20);
    expect(lines.join(' ')).toBe(text);
  });

  it('cuts a word longer than the line, and text without spaces (CJK) by width', () => {
    expect(wrapColumns('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    const zh = wrapColumns('暂停或恢复节点像一次很长的停顿', 10);
    for (const l of zh) expect(columns(l)).toBeLessThanOrEqual(10);
    expect(zh.join('')).toBe('暂停或恢复节点像一次很长的停顿');
  });

  it('fills a line with Chinese after a space instead of leaving a short line, and never starts a line with closing punctuation', () => {
    const text = '✔ 暂停了 n2（SIGSTOP）：像一次很长的垃圾回收停顿那样冻结；恢复之前它不回应任何消息';
    const lines = wrapColumns(text, 24);
    expect(lines[0]).toMatch(/^✔ 暂停了 n2（SIGSTOP）/);
    for (const l of lines) {
      expect(columns(l), l).toBeLessThanOrEqual(24);
      expect(l).not.toMatch(/^[，。：；、）]/);
      expect(l).not.toMatch(/[（“]$/);
    }
    expect(lines.join('')).toBe(text);
  });

  it('keeps the line breaks of the text', () => {
    expect(wrapColumns('a b\nc', 10)).toEqual(['a b', 'c']);
  });

  it('clips with an ellipsis and pads by width', () => {
    expect(clipColumns('abcdef', 4)).toBe('abc…');
    expect(clipColumns('abc', 4)).toBe('abc');
    expect(columns(clipColumns('领导者领导者', 5))).toBeLessThanOrEqual(5);
    expect(padColumns('组', 4)).toBe('组  ');
  });
});
