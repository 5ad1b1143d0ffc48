import { describe, expect, it } from 'vitest';
import { renderTable } from '../../bench/table.js';

describe('renderTable', () => {
  it('pads each column to its widest cell, with a rule under the header', () => {
    const text = renderTable(
      ['name', 'value'],
      [
        ['a', '1'],
        ['longer', '1,000'],
      ],
      { align: ['left', 'right'] },
    );
    expect(text.split('\n')).toEqual(['name    value', '------  -----', 'a           1', 'longer  1,000']);
  });

  it('left-aligns by default, trims trailing spaces and pads short rows', () => {
    const text = renderTable(['a', 'b', 'c'], [['x'], ['y', 'yy', 'z']], { rule: false });
    expect(text.split('\n')).toEqual(['a  b   c', 'x', 'y  yy  z']);
  });
});
