// The cumulative distribution plot of Figure 16, drawn in text: x is milliseconds on a log axis (the
// measured times span 20 ms to over 10 s, as the paper's top graph does), y the fraction of trials
// done by then, one symbol per series. A pure function of its input, for the unit test.

export interface CdfSeries {
  label: string;
  /** The measured times, in milliseconds, in any order. */
  values: readonly number[];
  /** Trials in all, failed ones included: a series whose trials did not all finish ends below 100%. */
  total: number;
}

export interface CdfOptions {
  /** Characters per line, y labels included. */
  width: number;
  /** Lines of the plot area, 0% to 100%. */
  height: number;
  /** ANSI colours, one per series, for a terminal. */
  color: boolean;
}

export const SYMBOLS = ['*', 'o', '+', 'x', '#', '@', '%'];
const COLORS = [31, 32, 33, 34, 35, 36, 91];
/** "100% |" */
const LEFT = 6;

/** 1, 2, 5, 10, 20, 50... */
function niceSteps(from: number, to: number): number[] {
  const out: number[] = [];
  for (let p = Math.floor(Math.log10(from)) - 1; p <= Math.ceil(Math.log10(to)) + 1; p++) for (const m of [1, 2, 5]) out.push(m * 10 ** p);
  return out;
}

/** The axis: from the nice value at or below the smallest time to the one at or above the largest. */
export function logAxis(values: readonly number[]): { from: number; to: number } {
  const lo = Math.max(1, Math.min(...values));
  const hi = Math.max(lo, ...values);
  const steps = niceSteps(lo, hi);
  const from = steps.filter((s) => s <= lo).at(-1)!;
  const to = steps.find((s) => s >= hi && s > from)!;
  return { from, to };
}

export function renderCdf(series: readonly CdfSeries[], o: CdfOptions): string {
  const all = series.flatMap((s) => s.values);
  if (all.length === 0) return '(no finished trials to plot)';
  const { from, to } = logAxis(all);
  const cols = o.width - LEFT;
  const span = Math.log(to / from);
  /** Where column c ends, in milliseconds. */
  const edge = (c: number): number => from * Math.exp((span * (c + 1)) / cols);
  const column = (ms: number): number => Math.min(cols - 1, Math.max(0, Math.floor((cols * Math.log(ms / from)) / span)));
  const rowOf = (fraction: number): number => Math.round((1 - fraction) * (o.height - 1));
  const paint = (i: number, text: string): string => (o.color ? `\x1b[${COLORS[i % COLORS.length]}m${text}\x1b[0m` : text);
  const symbol = (i: number): string => SYMBOLS[i % SYMBOLS.length]!;
  const grid: string[][] = Array.from({ length: o.height }, () => Array<string>(cols).fill(' '));

  series.forEach((s, i) => {
    const mark = paint(i, symbol(i));
    const sorted = [...s.values].sort((a, b) => a - b);
    let done = 0;
    let previous = o.height - 1;
    // The line ends at the slowest trial, as the figure's do: drawn on, the finished lines would
    // overwrite each other along the top.
    const last = sorted.length === 0 ? -1 : column(sorted.at(-1)!);
    for (let c = 0; c <= last; c++) {
      while (done < sorted.length && sorted[done]! <= edge(c)) done++;
      if (done === 0) continue;
      // The rise since the previous column is drawn too: a CDF is a line, not scattered dots.
      const row = rowOf(done / s.total);
      for (let r = row; r <= previous; r++) grid[r]![c] = mark;
      previous = row;
    }
  });

  // Labels at 0, 25, 50, 75 and 100%.
  const yLabels = new Map([0, 25, 50, 75, 100].map((p) => [rowOf(p / 100), `${p}%`]));
  const lines = grid.map((cells, r) => `${(yLabels.get(r) ?? '').padStart(LEFT - 2)} |${cells.join('')}`.trimEnd());

  // The x axis: a mark and a label at each 1-2-5 value in range whose label fits after the last.
  const axis = Array<string>(cols).fill('-');
  const labels = Array<string>(cols).fill(' ');
  let free = 0;
  for (const t of niceSteps(from, to).filter((v) => v >= from && v <= to)) {
    const c = t === to ? cols - 1 : column(t);
    const text = t >= 1000 ? `${t / 1000}s` : `${t}`;
    const at = Math.max(0, Math.min(c - Math.floor(text.length / 2), cols - text.length));
    if (at < free) continue;
    axis[c] = '+';
    for (let k = 0; k < text.length; k++) labels[at + k] = text[k]!;
    free = at + text.length + 1;
  }
  lines.push(`${' '.repeat(LEFT - 1)}+${axis.join('')}`);
  lines.push(`${'ms'.padStart(LEFT - 2)}  ${labels.join('').trimEnd()}`);
  // The legend, as many entries a line as fit in the width.
  let line = '';
  let length = 0;
  series.forEach((s, i) => {
    const text = `${s.label} (${s.values.length}/${s.total})`;
    if (length > 0 && LEFT + length + 5 + text.length > o.width) {
      lines.push(`${' '.repeat(LEFT)}${line}`);
      line = '';
      length = 0;
    }
    line += `${length > 0 ? '   ' : ''}${paint(i, symbol(i))} ${text}`;
    length += (length > 0 ? 3 : 0) + 2 + text.length;
  });
  lines.push(`${' '.repeat(LEFT)}${line}`);
  return lines.join('\n');
}
