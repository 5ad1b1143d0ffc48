// The exercise panel: the goal, the steps with a check mark once the cluster's events show them
// done, the prediction to make (and later its answer), the hint on request, and the explanation
// at the end. A strip of three lines on narrow screens, a column at the side on wide ones.
import { Box, Text } from 'ink';
import type { ExercisePanelView } from '../exercises/types.js';
import type { Labels } from './labels.js';

/** A paragraph of the side panel, a blank line above it. */
function Para({ colour, children }: { colour: string; children: React.ReactNode }) {
  return (
    <Box flexShrink={0} marginTop={1}>
      <Text wrap="wrap" color={colour}>
        {children}
      </Text>
    </Box>
  );
}

export function ExercisePanel({
  view,
  width,
  rows,
  side,
  labels,
}: {
  view: ExercisePanelView;
  width: number;
  rows: number;
  side: boolean;
  labels: Labels;
}) {
  const current = view.steps.find((s) => s.current);
  const doneCount = view.steps.filter((s) => s.done).length;
  const marks = view.steps.map((s) => (s.done ? '✔' : s.current ? '▸' : '○')).join('');
  const trigger = view.trigger === null ? null : <Text color="magenta"> [X: {view.trigger.label}]</Text>;
  if (!side) {
    const third =
      view.explanation ??
      (view.hint !== null
        ? `${labels.hint}: ${view.hint}`
        : view.answer !== null
          ? `${labels.answer}: ${view.answer}`
          : view.prediction !== null
            ? `${labels.prediction}: ${view.prediction}`
            : view.goal);
    // One line each, whatever the text: a line that wrapped would push the frame past the screen.
    return (
      <Box flexDirection="column" width={width} height={rows}>
        <Box height={1} overflow="hidden">
          <Text wrap="truncate" color="magenta" bold>
            {labels.exercise} {view.number} · {view.title} <Text color="green">{marks}</Text> {doneCount}/{view.steps.length}
          </Text>
        </Box>
        <Box height={1} overflow="hidden">
          <Text wrap="truncate">
            {current === undefined ? (
              <Text color="green" bold>
                ✔ {labels.done}
              </Text>
            ) : (
              <Text bold>▸ {current.text}</Text>
            )}
            {trigger}
          </Text>
        </Box>
        <Box height={1} overflow="hidden">
          <Text wrap="truncate" dimColor={view.explanation === null && view.hint === null}>
            <Text color="cyan">[H {labels.more}] </Text>
            {third}
          </Text>
        </Box>
      </Box>
    );
  }
  // Every line keeps its height; what does not fit is cut at the bottom (the explanation comes last).
  return (
    <Box flexDirection="column" width={width} height={rows} borderStyle="single" borderColor="magenta" paddingX={1} overflow="hidden">
      <Text color="magenta" bold wrap="wrap">
        {labels.exercise} {view.number} · {view.title}{' '}
        <Text color="green">
          {doneCount}/{view.steps.length}
        </Text>
      </Text>
      <Box flexShrink={0}>
        <Text wrap="wrap" dimColor>
          {view.goal}
        </Text>
      </Box>
      {view.explanation !== null ? (
        <Text color="green">
          {marks} {labels.done}
        </Text>
      ) : null}
      {/* Once all is done the explanation needs the room: the steps become their marks. */}
      {view.explanation === null &&
        view.steps.map((s, i) => (
          <Box key={i} flexShrink={0}>
            <Text wrap="wrap" color={s.done ? 'green' : undefined} bold={s.current} dimColor={!s.done && !s.current}>
              {s.done ? '✔' : s.current ? '▸' : '○'} {s.text}
            </Text>
          </Box>
        ))}
      {trigger}
      {view.prediction !== null ? (
        <Para colour="yellow">
          ? {labels.prediction}: {view.prediction}
        </Para>
      ) : null}
      {view.answer !== null ? (
        <Para colour="cyan">
          {labels.answer}: {view.answer}
        </Para>
      ) : null}
      {view.hint !== null ? (
        <Para colour="cyan">
          {labels.hint}: {view.hint}
        </Para>
      ) : null}
      {view.explanation !== null ? <Para colour="green">{view.explanation}</Para> : null}
    </Box>
  );
}
