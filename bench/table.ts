// The benches' one plain-text table printer: a header, a rule, and rows of cells padded to their
// column's widest cell, two spaces between columns. Columns are left-aligned unless told otherwise
// (figures read best right-aligned).

export type Align = 'left' | 'right';

export interface TableOptions {
  /** One per column; missing ones are 'left'. */
  align?: readonly Align[];
  /** A rule of dashes under the header (default true). */
  rule?: boolean;
}

/** The table as lines joined with "\n", without a trailing newline. Short rows are padded with empty cells. */
export function renderTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): string {
  const columns = Math.max(head.length, ...rows.map((r) => r.length));
  const cell = (r: readonly string[], i: number): string => r[i] ?? '';
  const widths = Array.from({ length: columns }, (_, i) => Math.max(cell(head, i).length, ...rows.map((r) => cell(r, i).length)));
  const line = (r: readonly string[]): string =>
    widths
      .map((w, i) => (options.align?.[i] === 'right' ? cell(r, i).padStart(w) : cell(r, i).padEnd(w)))
      .join('  ')
      .trimEnd();
  const out = [line(head)];
  if (options.rule ?? true) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out.push(line(r));
  return out.join('\n');
}
