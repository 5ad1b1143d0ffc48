// The node table's columns at every width the dashboard can be drawn at.
import { describe, expect, it } from 'vitest';
import { labelsFor } from '../../src/tui/labels.js';
import { tableColumns, type ColumnId } from '../../src/tui/table-columns.js';
import { columns } from '../../src/tui/text-width.js';
import { ROLE_GLYPH } from '../../src/tui/view.js';

const ids = (width: number): ColumnId[] => tableColumns(width).columns.map((c) => c.id);

describe('the node table at a width', () => {
  it('is never wider than the width, from 60 to 200 columns', () => {
    for (let width = 60; width <= 200; width++) {
      const total = tableColumns(width).columns.reduce((n, c) => n + c.width, 0);
      expect(total, `at ${width} columns`).toBeLessThanOrEqual(width);
    }
  });

  it('drops a column only when it has no room, and keeps it at every wider width', () => {
    for (let width = 60; width < 200; width++) {
      const wider = ids(width + 1);
      for (const id of ids(width)) expect(wider, `${id} at ${width} but not at ${width + 1}`).toContain(id);
    }
  });

  it('has every column but the links at 80x24, and the links where they fit', () => {
    expect(ids(80)).toEqual(['sel', 'id', 'process', 'role', 'term', 'vote', 'leader', 'last', 'commit', 'applied', 'timer', 'group']);
    expect(tableColumns(80).processWords).toBe(true);
    expect(ids(100)).toContain('links');
  });

  it('keeps the columns that say who leads in which term and how far it has committed, down to 60 columns', () => {
    for (const must of ['id', 'process', 'role', 'term', 'commit', 'timer'] as const) expect(ids(60)).toContain(must);
    // At 72 the process shows its glyph only, and nothing else gives way.
    expect(tableColumns(72).processWords).toBe(false);
    expect(ids(72)).toEqual(ids(80));
  });

  it('leaves a space after the longest role, glyph and word ("◆ candidate"), before the term, in English and Chinese', () => {
    const width = tableColumns(80).columns.find((c) => c.id === 'role')!.width;
    for (const lang of ['en', 'zh'] as const) {
      const labels = labelsFor(lang);
      const roles = Object.entries(labels.roles).map(([role, word]) => `${ROLE_GLYPH[role]!} ${word}`);
      for (const cell of [...roles, `○ ${labels.learner}`]) expect(columns(cell), `${cell} (${lang})`).toBeLessThan(width);
    }
  });

  it('gives what is left to the timer bar, then the links', () => {
    expect(tableColumns(100).timerBar).toBeGreaterThan(tableColumns(80).timerBar);
    const wide = tableColumns(200).columns.find((c) => c.id === 'links')!;
    expect(wide.width).toBeGreaterThan(tableColumns(100).columns.find((c) => c.id === 'links')!.width);
  });
});
