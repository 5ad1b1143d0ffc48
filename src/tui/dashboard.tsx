// The whole frame, drawn from a snapshot and the UI state: pure, so tests render it with a model
// of their choosing.
import { Box, Text } from 'ink';
import type { ExercisePanelView } from '../exercises/types.js';
import { ExercisePanel, ExerciseStrip, PANEL_FRAME, exerciseLines } from './exercise-panel.js';
import { Footer, resultLines } from './footer.js';
import { Header } from './header.js';
import { helpLines } from './help.js';
import type { UiState } from './keys.js';
import type { Labels } from './labels.js';
import { layout, type Layout, type Size } from './layout.js';
import { LogGrid } from './log-grid.js';
import { NodeTable, hidesLog, linksLine } from './node-table.js';
import { PartitionEditor } from './partition-editor.js';
import { shownAt, type Snapshot } from './store.js';
import { TimeBar } from './time-bar.js';
import { TextView, type Line } from './text-view.js';
import { members, unsupportedOps } from '../cluster-model/index.js';
import { MessagesPanel } from './messages-panel.js';
import { ReadsPanel } from './reads-panel.js';
import { Events, type PanelProps } from './panels.js';
import { MembersPanel } from './members-panel.js';
import { StepPanel } from './step-panel.js';

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
  /** A live cluster is behind a replay (L goes back to it); false for a recording alone. */
  live?: boolean;
}

/** The frame's layout, the link-fault line and the engine's note under the table counted (the mouse reads it too). */
export function frameLayout(snap: Snapshot, size: Size, exercise: boolean): Layout {
  const nodes = members(snap.model).length;
  const note = hidesLog(snap.model);
  const timeBar = snap.replay != null;
  const first = layout(size, nodes, exercise, false, note, timeBar);
  if (first.tooSmall !== null) return first;
  return linksLine(snap.model, first.mainWidth) === null ? first : layout(size, nodes, exercise, true, note, timeBar);
}

/** A text shown in a scrolling view, and the rows it has. */
export interface OpenText {
  lines: Line[];
  rows: number;
}

/** The text that scrolls now, if any: the help, the results, or the exercise's whole text while H has it open. */
export function openText(snap: Snapshot, ui: UiState, size: Size, labels: Labels, exercise: ExercisePanelView | null): OpenText | null {
  const l = frameLayout(snap, size, exercise !== null);
  if (l.tooSmall !== null) return null;
  if (ui.mode.kind === 'help')
    return {
      lines: helpLines(
        labels,
        exercise !== null,
        l.mainWidth,
        hidesLog(snap.model),
        snap.replay != null,
        unsupportedOps(snap.model.engine),
      ),
      rows: l.overlayRows,
    };
  if (ui.mode.kind === 'results') return { lines: resultLines(snap.results, labels, l.mainWidth), rows: l.overlayRows };
  if (exercise === null || l.exercise === null || !ui.hint) return null;
  const box = l.exercise.side ? { width: l.exercise.width, rows: l.exercise.rows } : { width: l.mainWidth, rows: l.overlayRows };
  return { lines: exerciseLines(exercise, labels, box.width - PANEL_FRAME.cols), rows: box.rows - PANEL_FRAME.rows };
}

/** The lower area: the panel `ui.panel` names. */
function LowerPanel(props: PanelProps) {
  switch (props.ui.panel) {
    case 'events':
      // In step mode the story's place shows the messages in flight, the newest events under them.
      return props.snap.model.step?.on === true ? <StepPanel {...props} /> : <Events {...props} />;
    case 'messages':
      return <MessagesPanel {...props} />;
    case 'reads':
      return <ReadsPanel {...props} />;
    case 'members':
      return <MembersPanel {...props} />;
  }
}

export function Dashboard({ snap, ui, size, labels, colour, attached, exercise, live = true }: DashboardProps) {
  const { model } = snap;
  const nodes = members(model).length;
  const l = frameLayout(snap, size, exercise !== null);
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
        <LowerPanel snap={snap} ui={ui} width={w} rows={l.eventRows} labels={labels} colour={colour} />
      </>
    );
  const strip = exercise !== null && l.exercise !== null && !l.exercise.side;
  const text = openText(snap, ui, size, labels, exercise);
  // The help, the results and (on a narrow screen) the whole exercise text take the rows between
  // header and footer; everything else is behind them.
  const main =
    ui.mode.kind === 'help' || ui.mode.kind === 'results' ? (
      <TextView lines={text?.lines ?? []} rows={l.overlayRows} width={w} scroll={ui.textScroll} moreLabel={labels.scrollMore} />
    ) : strip && ui.hint ? (
      <ExercisePanel view={exercise} width={w} rows={l.overlayRows} scroll={ui.textScroll} open labels={labels} />
    ) : (
      <Box flexDirection="column" width={w}>
        <NodeTable model={model} selected={ui.selected} labels={labels} width={w} now={shownAt(snap)} />
        {strip ? <ExerciseStrip view={exercise} width={w} labels={labels} /> : null}
        {middle}
      </Box>
    );
  return (
    <Box flexDirection="column" width={size.cols}>
      <Header model={model} labels={labels} width={size.cols} attached={attached} replay={snap.replay != null} />
      {snap.replay == null ? null : <TimeBar view={snap.replay} kind={ui.markKind} width={size.cols} labels={labels} />}
      {exercise !== null && l.exercise?.side === true ? (
        <Box width={size.cols}>
          {main}
          <Box width={1} />
          <ExercisePanel
            view={exercise}
            width={l.exercise.width}
            rows={l.exercise.rows}
            scroll={ui.hint ? ui.textScroll : 0}
            open={ui.hint}
            labels={labels}
          />
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
        stepCommand={exercise?.command ?? null}
        stepMode={model.step?.on === true}
        gone={snap.gone}
        replay={snap.replay != null}
        live={live}
        unsupported={unsupportedOps(model.engine)}
        labels={labels}
      />
    </Box>
  );
}
