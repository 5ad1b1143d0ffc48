// The exercise panel: the goal, the steps with a check mark once the cluster's events show them
// done, what a fault of the learner's did to the current step and how to put it right, the
// prediction to make (and later its answer), the hint on request, and the explanation at the end.
// A strip of three lines on narrow screens (H opens the whole text in place of the table), a column
// at the side on wide ones; the whole text is wrapped and scrolls (PgUp PgDn while H has it open),
// so no line of it is ever cut or drawn over another.
import { Box, Text } from 'ink';
import type { ExercisePanelView } from '../exercises/types.js';
import type { Labels } from './labels.js';
import { TextView, wrapped, type Line } from './text-view.js';

/** The exercise's whole text at `width` columns. */
export function exerciseLines(view: ExercisePanelView, labels: Labels, width: number): Line[] {
  const doneCount = view.steps.filter((s) => s.done).length;
  const marks = view.steps.map((s) => (s.done ? '✔' : s.current ? '▸' : '○')).join('');
  const para = (text: string | null, colour: 'yellow' | 'cyan' | 'green'): Line[] =>
    text === null ? [] : [[], ...wrapped(text, width, { colour })];
  return [
    ...wrapped(`${labels.exercise} ${view.number} · ${view.title} ${doneCount}/${view.steps.length}`, width, {
      colour: 'magenta',
      bold: true,
    }),
    ...wrapped(view.goal, width, { dim: true }),
    // Once all is done the explanation needs the room: the steps become their marks.
    ...(view.explanation !== null
      ? wrapped(`${marks} ${labels.done}`, width, { colour: 'green' })
      : view.steps.flatMap((s) =>
          wrapped(
            s.text,
            width,
            { colour: s.done ? 'green' : undefined, bold: s.current, dim: !s.done && !s.current },
            { text: s.done ? '✔ ' : s.current ? '▸ ' : '○ ', colour: s.done ? 'green' : undefined, bold: s.current },
          ),
        )),
    // A fault of the learner's took the step off its path: what happened, and how to put it right.
    ...(view.detour === null
      ? []
      : [
          ...view.detour.what.flatMap((w) => wrapped(`⚠ ${labels.offPath}: ${w}`, width, { colour: 'yellow', bold: true })),
          ...wrapped(`${labels.fix}: ${view.detour.fix.join('; ')}`, width, { colour: 'yellow' }),
        ]),
    ...(view.trigger === null ? [] : wrapped(`[X: ${view.trigger.label}]`, width, { colour: 'magenta' })),
    ...para(view.prediction === null ? null : `? ${labels.prediction}: ${view.prediction}`, 'yellow'),
    ...para(view.answer === null ? null : `${labels.answer}: ${view.answer}`, 'cyan'),
    ...para(view.hint === null ? null : `${labels.hint}: ${view.hint}`, 'cyan'),
    ...para(view.explanation, 'green'),
  ];
}

/** The border and padding around the whole text. */
export const PANEL_FRAME = { cols: 4, rows: 2 };

/** The whole text in a frame, scrolled `scroll` lines. */
export function ExercisePanel({
  view,
  width,
  rows,
  scroll,
  open,
  labels,
}: {
  view: ExercisePanelView;
  width: number;
  rows: number;
  scroll: number;
  /** H has it open: the page keys scroll it (else they scroll the events, and the panel says how to scroll it). */
  open: boolean;
  labels: Labels;
}) {
  const inner = width - PANEL_FRAME.cols;
  return (
    <Box flexDirection="column" width={width} height={rows} borderStyle="single" borderColor="magenta" paddingX={1} flexShrink={0}>
      <TextView
        lines={exerciseLines(view, labels, inner)}
        rows={rows - PANEL_FRAME.rows}
        width={inner}
        scroll={scroll}
        moreLabel={open ? labels.scrollMore : labels.scrollMoreClosed}
      />
    </Box>
  );
}

/** The strip of three lines above the events on a narrow screen: one line each, whatever the text (H shows it whole). */
export function ExerciseStrip({ view, width, labels }: { view: ExercisePanelView; width: number; labels: Labels }) {
  const current = view.steps.find((s) => s.current);
  const doneCount = view.steps.filter((s) => s.done).length;
  const marks = view.steps.map((s) => (s.done ? '✔' : s.current ? '▸' : '○')).join('');
  const detour = view.detour;
  const third =
    (detour === null ? null : `${labels.fix}: ${detour.fix.join('; ')}`) ??
    view.explanation ??
    (view.hint !== null
      ? `${labels.hint}: ${view.hint}`
      : view.answer !== null
        ? `${labels.answer}: ${view.answer}`
        : view.prediction !== null
          ? `${labels.prediction}: ${view.prediction}`
          : view.goal);
  return (
    <Box flexDirection="column" width={width} height={3} flexShrink={0}>
      <Text wrap="truncate" color="magenta" bold>
        {labels.exercise} {view.number} · {view.title} <Text color="green">{marks}</Text> {doneCount}/{view.steps.length}
      </Text>
      <Text wrap="truncate">
        {detour !== null ? (
          <Text color="yellow" bold>
            ⚠ {detour.what[0]}
          </Text>
        ) : current === undefined ? (
          <Text color="green" bold>
            ✔ {labels.done}
          </Text>
        ) : (
          <Text bold>▸ {current.text}</Text>
        )}
        {view.trigger === null ? null : <Text color="magenta"> [X: {view.trigger.label}]</Text>}
      </Text>
      <Text
        wrap="truncate"
        dimColor={detour === null && view.explanation === null && view.hint === null}
        color={detour === null ? undefined : 'yellow'}
      >
        <Text color="cyan">[H {labels.more}] </Text>
        {third}
      </Text>
    </Box>
  );
}
