// The `?` overlay: every key with its whole description (and, where there is room, the command
// that does the same from another terminal), then a legend of every glyph and abbreviation the
// screen uses. One column, wrapped and scrolled; on a wide screen the legend stands beside the keys.
import type { ActionOp } from '../cluster-model/index.js';
import { BINDINGS, offered, type Binding } from './keymap.js';
import type { Labels } from './labels.js';
import { sideBySide, wrapped, type Line } from './text-view.js';
import { columns, padColumns } from './text-width.js';

const KEYS_WIDTH = 12;
const LEGEND_KEYS_WIDTH = 17;
const CLI_WIDTH = 40;
/** A column this wide has room for the commands too. */
const CLI_FROM = 110;
/** A screen this wide shows the legend beside the keys. */
const TWO_COLUMNS_FROM = 150;
const LEGEND_WIDTH = 60;

/** A key's lines; `unoffered`: the cluster's engine cannot do what it sends, said after its help, dimmed. */
function keyLines(b: Binding, width: number, labels: Labels, unoffered: string | null): Line[] {
  const cli = width >= CLI_FROM;
  const help = labels.keys[b.id]?.help ?? b.help;
  const lines = wrapped(
    unoffered === null ? help : `${help} (${unoffered})`,
    width - (cli ? CLI_WIDTH : 0),
    unoffered === null ? {} : { dim: true },
    {
      text: padColumns(b.keys, KEYS_WIDTH),
      colour: unoffered === null ? 'cyan' : 'gray',
      bold: true,
    },
  );
  if (!cli || b.cli === '') return lines;
  const [first, ...rest] = lines;
  const used = first!.reduce((n, s) => n + columns(s.text), 0);
  return [[...first!, { text: ' '.repeat(Math.max(1, width - CLI_WIDTH - used)) }, { text: b.cli, dim: true }], ...rest];
}

function legendLines(width: number, labels: Labels, notExposed: boolean): Line[] {
  const legend = notExposed ? [...labels.legend, labels.notExposedLegend] : labels.legend;
  return [
    [{ text: labels.legendTitle, bold: true }],
    ...legend.flatMap(([glyphs, what]) => wrapped(what, width, {}, { text: padColumns(glyphs, LEGEND_KEYS_WIDTH), bold: true })),
  ];
}

/** The keys the help lists: live, every one (the replay's say so); in a replay its own keys first, then those that work there too. */
function listed(exercise: boolean, replay: boolean): Binding[] {
  const shown = BINDINGS.filter((b) => exercise || b.exercise !== true);
  if (!replay) return shown;
  return [...shown.filter((b) => b.replay === 'only'), ...shown.filter((b) => b.replay === 'too')];
}

/**
 * The help's lines at `width` columns; `notExposed`: the legend tells the "n/a" of fields the engine
 * does not report; `replay`: the dashboard shows a replay; `unsupported`: the actions the cluster's
 * engine cannot do, whose keys are listed dimmed with the reason.
 */
export function helpLines(
  labels: Labels,
  exercise: boolean,
  width: number,
  notExposed = false,
  replay = false,
  unsupported: ReadonlySet<ActionOp> = new Set(),
): Line[] {
  const title: Line = [{ text: labels.helpTitle, bold: true }];
  const keys = (w: number): Line[] =>
    listed(exercise, replay).flatMap((b) => keyLines(b, w, labels, offered(b, unsupported) ? null : labels.notOffered));
  if (width < TWO_COLUMNS_FROM) return [title, ...keys(width), [], ...legendLines(width, labels, notExposed)];
  const left = width - LEGEND_WIDTH - 2;
  return [title, ...sideBySide(keys(left), legendLines(LEGEND_WIDTH, labels, notExposed), left, 2)];
}
