// How many terminal columns a text takes (CJK characters take two), and text cut or wrapped to a
// number of columns by that measure: the footer fits its keys by it, the header decides what to
// leave out by it, and the overlays wrap their text by it.

/** Symbols below the CJK ranges that terminals draw two columns wide (emoji presentation, e.g. ⏰ ⚡ ✅ ❌ ⭐). */
const WIDE_SYMBOLS: ReadonlyArray<readonly [number, number]> = [
  [0x231a, 0x231b],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
];

/** The columns one code point takes (East Asian Width, UAX #11): CJK and the wide symbols take two. */
function cellWidth(ch: string): number {
  const c = ch.codePointAt(0)!;
  if (c >= 0x2e80) return 2;
  return c >= 0x231a && WIDE_SYMBOLS.some(([lo, hi]) => c >= lo && c <= hi) ? 2 : 1;
}

// eslint-disable-next-line @typescript-eslint/no-misused-spread -- width is a property of each code point, so the text is taken code point by code point
export const columns = (text: string): number => [...text].reduce((n, ch) => n + cellWidth(ch), 0);

/** The text cut to `width` columns, ending in "…" when it was cut. */
export function clipColumns(text: string, width: number): string {
  if (columns(text) <= width) return text;
  let out = '';
  let used = 0;
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code point by code point, as above
  for (const ch of [...text]) {
    if (used + cellWidth(ch) > width - 1) break;
    out += ch;
    used += cellWidth(ch);
  }
  return width > 0 ? `${out}…` : '';
}

/** The end of the text in `width` columns, starting with "…" when its start was cut (a line being typed). */
export function tailColumns(text: string, width: number): string {
  if (columns(text) <= width) return text;
  let out = '';
  let used = 0;
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code point by code point, as above
  for (const ch of [...text].reverse()) {
    if (used + cellWidth(ch) > width - 1) break;
    out = ch + out;
    used += cellWidth(ch);
  }
  return width > 0 ? `…${out}` : '';
}

/**
 * Where a line may break: after a space, and between CJK characters (which have no spaces between
 * words), except before the punctuation that closes a phrase and after the one that opens it (a line
 * must not start with ，。：） nor end with （“).
 */
const BREAKS =
  /(?<= )|(?<=[\u2e80-\u{10ffff}])(?<![（「『“‘])(?=[^，。：；、）」』”’！？…])|(?<=[^ （「『“‘])(?=[\u2e80-\u{10ffff}](?<![，。：；、）」』”’！？…]))/u;

/**
 * The text in lines of at most `width` columns, broken at spaces where it can be, and inside a
 * word (or between CJK characters, which have no spaces) where it cannot. Line breaks in the text
 * are kept.
 */
export function wrapColumns(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let used = 0;
    for (const word of paragraph.split(BREAKS)) {
      const size = columns(word);
      if (used + columns(word.trimEnd()) <= w) {
        line += word;
        used += size;
        continue;
      }
      if (line.trim() !== '') out.push(line.trimEnd());
      line = '';
      used = 0;
      // A word longer than the line is cut where the line ends.
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code point by code point, as above
      for (const ch of [...word]) {
        if (used + cellWidth(ch) > w && ch !== ' ') {
          out.push(line.trimEnd());
          line = '';
          used = 0;
        }
        line += ch;
        used += cellWidth(ch);
      }
    }
    out.push(line.trimEnd());
  }
  return out;
}

/** The text padded with spaces to `width` columns (a text already as wide is left as it is). */
export function padColumns(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - columns(text)));
}
