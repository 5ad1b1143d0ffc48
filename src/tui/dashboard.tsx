// The whole frame, drawn from a snapshot and the UI state: pure, so tests render it with a model
// of their choosing.
import { Box, Text } from 'ink';
import { EventList } from './event-list.js';
import type { ExercisePanelView } from '../exercises/types.js';
import { ExercisePanel } from './exercise-panel.js';
import { Footer } from './footer.js';
import { Header } from './header.js';
import { Help } from './help.js';
import type { UiState } from './keys.js';
import type { Labels } from './labels.js';
import { layout, type Size } from './layout.js';
import { LogGrid } from './log-grid.js';
import { NodeTable } from './node-table.js';
import { PartitionEditor } from './partition-editor.js';
import type { Snapshot } from './store.js';
import { members } from '../cluster-model/index.js';
import { visibleEvents } from './view.js';

export interface DashboardProps {
  snap: Snapshot;
  ui: UiState;
  size: Size;
  labels: Labels;
  /** Whether the terminal shows colour (without it, cells and roles carry marks instead). */
  colour: boolean;
  /** Attached to a cluster started elsewhere. */
  attached: boolean;
  exercise: ExercisePanelView | null;
}

export function Dashboard({ snap, ui, size, labels, colour, attached, exercise }: DashboardProps) {
  const { model } = snap;
  const nodes = members(model).length;
  const l = layout(size, nodes, exercise !== null);
  if (l.tooSmall !== null)
    return (
      <Box flexDirection="column">
        <Text color="yellow" bold wrap="truncate">
          {labels.tooSmall} ({size.cols}x{size.rows}):
        </Text>
        <Text wrap="truncate">
          {labels.needs} {l.tooSmall.cols}x{l.tooSmall.rows} for {nodes} nodes. q quits.
        </Text>
      </Box>
    );
  const w = l.mainWidth;
  const middleRows = (l.grid ? nodes + 2 : 0) + l.eventRows + 1;
  const events = visibleEvents(snap.events, snap.eventCount, {
    rows: l.eventRows,
    back: ui.eventsBack,
    filter: ui.filter,
    frozenAt: ui.frozenAt,
  });
  let middle: React.ReactNode;
  if (ui.mode.kind === 'partition')
    middle = <PartitionEditor model={model} groups={ui.mode.groups} selected={ui.selected} width={w} rows={middleRows} labels={labels} />;
  else
    middle = (
      <>
        {l.grid ? (
          <LogGrid
            model={model}
            truncations={snap.truncations}
            selected={ui.selected}
            back={ui.logBack}
            labels={labels}
            width={w}
            colour={colour}
          />
        ) : null}
        <EventList
          lines={events.lines}
          rows={l.eventRows}
          width={w}
          labels={labels}
          frozen={ui.frozenAt !== null}
          filter={ui.filter}
          hiddenBelow={events.hiddenBelow}
          tickMs={snap.model.timing.tickMs}
        />
      </>
    );
  // The help (and the whole exercise text) takes the node table's rows too: all of it fits on 80x24.
  const helpRows = middleRows + nodes + 1 + (exercise !== null && l.exercise !== null && !l.exercise.side ? l.exercise.rows : 0);
  const main =
    ui.mode.kind === 'help' ? (
      <Help width={w} rows={helpRows} labels={labels} exercise={exercise !== null} />
    ) : exercise !== null && l.exercise !== null && !l.exercise.side && ui.hint ? (
      // On a narrow screen the panel is a strip; H opens it whole in place of the rest.
      <ExercisePanel view={exercise} width={w} rows={helpRows} side labels={labels} />
    ) : (
      <Box flexDirection="column" width={w}>
        <NodeTable model={model} selected={ui.selected} labels={labels} width={w} now={snap.now} />
        {exercise !== null && l.exercise !== null && !l.exercise.side ? (
          <ExercisePanel view={exercise} width={w} rows={l.exercise.rows} side={false} labels={labels} />
        ) : null}
        {middle}
      </Box>
    );
  return (
    <Box flexDirection="column" width={size.cols}>
      <Header model={model} labels={labels} width={size.cols} attached={attached} />
      {exercise !== null && l.exercise?.side === true ? (
        <Box width={size.cols}>
          {main}
          <Box width={1} />
          <ExercisePanel view={exercise} width={l.exercise.width} rows={l.exercise.rows} side labels={labels} />
        </Box>
      ) : (
        main
      )}
      <Footer
        flash={snap.flash}
        now={snap.now}
        mode={ui.mode}
        width={size.cols}
        exercise={exercise !== null}
        trigger={exercise?.trigger != null}
        gone={snap.gone}
        labels={labels}
      />
    </Box>
  );
}
