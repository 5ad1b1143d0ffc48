// Aligned columns for human output: widths are measured on the plain text, in terminal columns (a
// CJK character takes two), then each cell is coloured, so colour never shifts a column. Numbers are
// right-aligned. A table too wide for the terminal leaves out its least wanted columns.
import { columns as width } from '../tui/text-width.js';
import type { Paint, Style } from './colour.js';

export interface Cell {
  text: string;
  style?: Style;
}

export type Row = Array<Cell | string | number>;

const GAP = '  ';

function cell(c: Cell | string | number): Cell & { right: boolean } {
  if (typeof c === 'number') return { text: String(c), right: true };
  if (typeof c === 'string') return { text: c, right: false };
  return { ...c, right: false };
}

function widthsOf(cells: ReadonlyArray<ReadonlyArray<{ text: string }>>, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.max(...cells.map((r) => width(r[i]?.text ?? ''))));
}

/**
 * The columns to show in `maxWidth` terminal columns: every one if they fit, else without the
 * columns named in `dropFirst`, in that order, until they fit (or none is left to drop).
 */
export function fitColumns(
  headers: readonly string[],
  rows: readonly Row[],
  maxWidth: number,
  dropFirst: readonly string[],
): { headers: string[]; rows: Row[] } {
  const cells = [headers.map((h) => ({ text: h })), ...rows.map((r) => r.map(cell))];
  const widths = widthsOf(cells, headers.length);
  const kept = new Set(headers.keys());
  const total = (): number => [...kept].reduce((sum, i) => sum + widths[i]!, 0) + GAP.length * (kept.size - 1);
  for (const name of dropFirst) {
    if (total() <= maxWidth) break;
    kept.delete(headers.indexOf(name));
  }
  const pick = <T>(r: readonly T[]): T[] => r.filter((_, i) => kept.has(i));
  return { headers: pick(headers), rows: rows.map(pick) };
}

/** The header line and one line per row. */
export function table(headers: readonly string[], rows: readonly Row[], paint: Paint): string[] {
  const cells = [headers.map((h) => ({ text: h, style: 'bold' as const, right: false })), ...rows.map((r) => r.map(cell))];
  const widths = widthsOf(cells, headers.length);
  const last = headers.length - 1;
  return cells.map((r) =>
    r
      .map((c, i) => {
        const pad = ' '.repeat(widths[i]! - width(c.text));
        const text = c.right ? pad + c.text : i === last ? c.text : c.text + pad;
        return paint(c.style, text);
      })
      .join(GAP),
  );
}
