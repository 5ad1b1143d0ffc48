// Text longer than its box, in one place: lines of styled pieces, wrapped by display width before
// they are drawn (so no line ever wraps in the terminal), shown a window at a time with a line
// saying what is above and below and which keys scroll. The help, the exercise text and the last
// results are drawn with it.
import { Box, Text } from 'ink';
import { columns, wrapColumns } from './text-width.js';
import type { Colour } from './view.js';

export interface Seg {
  text: string;
  colour?: Colour | undefined;
  bold?: boolean | undefined;
  dim?: boolean | undefined;
}

export type Line = readonly Seg[];

export type Style = Omit<Seg, 'text'>;

/** A text wrapped to `width` columns; `lead` (a mark, a key) starts the first line and the others are indented under the text. */
export function wrapped(text: string, width: number, style: Style = {}, lead: Seg | null = null): Line[] {
  const indent = lead === null ? 0 : columns(lead.text);
  return wrapColumns(text, width - indent).map((t, i) => [
    ...(lead === null ? [] : [i === 0 ? lead : { text: ' '.repeat(indent) }]),
    { ...style, text: t },
  ]);
}

/** Two columns of lines side by side: the left one padded to `leftWidth`, then a gap. */
export function sideBySide(left: readonly Line[], right: readonly Line[], leftWidth: number, gap: number): Line[] {
  const out: Line[] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i] ?? [];
    const used = l.reduce((n, s) => n + columns(s.text), 0);
    out.push([...l, { text: ' '.repeat(Math.max(0, leftWidth - used) + gap) }, ...(right[i] ?? [])]);
  }
  return out;
}

/** How far the text can scroll in a box of `rows` lines: a line of the box tells what is hidden when it does not all fit. */
export function scrollMax(lineCount: number, rows: number): number {
  return lineCount <= rows ? 0 : lineCount - Math.max(1, rows - 1);
}

export function TextView({
  lines,
  rows,
  width,
  scroll,
  moreLabel,
}: {
  lines: readonly Line[];
  rows: number;
  width: number;
  /** Lines scrolled down from the top (more than there are is the last page). */
  scroll: number;
  /** What the indicator says, given the lines above and below: "↑ 3 · 12 more ↓ (PgUp PgDn)". */
  moreLabel: (above: number, below: number) => string;
}) {
  const fits = lines.length <= rows;
  const from = Math.min(Math.max(0, scroll), scrollMax(lines.length, rows));
  const shown = fits ? lines : lines.slice(from, from + Math.max(1, rows - 1));
  return (
    <Box flexDirection="column" width={width} height={rows} flexShrink={0}>
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate">
          {line.length === 0
            ? ' '
            : line.map((s, j) => (
                <Text key={j} color={s.colour} bold={s.bold} dimColor={s.dim}>
                  {s.text}
                </Text>
              ))}
        </Text>
      ))}
      {fits ? null : (
        <Text wrap="truncate" color="yellow">
          {moreLabel(from, lines.length - from - shown.length)}
        </Text>
      )}
    </Box>
  );
}
