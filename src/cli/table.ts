// Aligned columns for human output: widths are measured on the plain text, then each cell is
// coloured, so colour never shifts a column. Numbers are right-aligned.
import type { Paint, Style } from './colour.js';

export interface Cell {
  text: string;
  style?: Style;
}

export type Row = Array<Cell | string | number>;

const GAP = '  ';

// eslint-disable-next-line @typescript-eslint/no-misused-spread -- a column per code point is the measure meant here (length would count an astral character twice); the cells are ids, numbers, states and paths, and the one free text, an exercise's title, is the last column, which is never padded
const width = (s: string): number => [...s].length;

function cell(c: Cell | string | number): Cell & { right: boolean } {
  if (typeof c === 'number') return { text: String(c), right: true };
  if (typeof c === 'string') return { text: c, right: false };
  return { ...c, right: false };
}

/** The header line and one line per row. */
export function table(headers: readonly string[], rows: readonly Row[], paint: Paint): string[] {
  const cells = [headers.map((h) => ({ text: h, style: 'bold' as const, right: false })), ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => width(r[i]?.text ?? ''))));
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
