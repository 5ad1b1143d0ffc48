// How many terminal columns a text takes: CJK characters (full-width punctuation included) take
// two. The footer fits its keys by it, the header decides what to leave out by it, and text cut to
// a column's width is cut by it.

/** The columns one code point takes. */
const width = (ch: string): number => (ch.codePointAt(0)! >= 0x2e80 ? 2 : 1);

// eslint-disable-next-line @typescript-eslint/no-misused-spread -- width is a property of each code point (East Asian Width, UAX #11), so the text is taken code point by code point
export const columns = (text: string): number => [...text].reduce((n, ch) => n + width(ch), 0);

/**
 * The text cut to at most `max` columns, ending in "…" when cut. Cut here rather than by ink: ink's
 * truncation of a line of wide characters can take one column more than its box, which runs it
 * into the next column.
 */
export function fit(text: string, max: number): string {
  if (columns(text) <= max) return text;
  if (max < 1) return '';
  let out = '';
  let used = 0;
  for (const ch of text) {
    if (used + width(ch) > max - 1) break;
    out += ch;
    used += width(ch);
  }
  return `${out}…`;
}
