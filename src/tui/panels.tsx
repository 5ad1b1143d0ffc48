// The dashboard's lower area: one panel at a time under the node table and the log grid, `Tab`
// cycling through them (dashboard.tsx picks the one to draw). The events panel is the story; the
// others look at the same cluster from another side: the messages on each link, the reads and who
// answered them, the membership. Every panel starts with the strip that names them all.
import { Text } from 'ink';
import { EventList } from './event-list.js';
import type { UiState } from './keys.js';
import type { Labels } from './labels.js';
import type { Snapshot } from './store.js';
import { visibleEvents } from './view.js';

export type PanelId = 'events' | 'messages' | 'reads' | 'members';

/** The order `Tab` goes through the panels. */
export const PANELS: readonly PanelId[] = ['events', 'messages', 'reads', 'members'];

export function nextPanel(p: PanelId): PanelId {
  return PANELS[(PANELS.indexOf(p) + 1) % PANELS.length]!;
}

/**
 * What every panel is drawn from: `rows` are the lines it has under the strip line that names
 * the panels (PanelStrip, drawn by LowerPanel), `width` its columns.
 */
export interface PanelProps {
  snap: Snapshot;
  ui: UiState;
  width: number;
  rows: number;
  labels: Labels;
  colour: boolean;
}

/** The panels' names with the shown one marked (bracketed, so it reads without colour too). */
export function PanelStrip({ current, labels }: { current: PanelId; labels: Labels }) {
  return (
    <>
      {PANELS.map((p, i) => (
        <Text key={p}>
          {i === 0 ? '' : ' '}
          {p === current ? (
            <Text bold color="cyan">
              [{labels.panelNames[p]}]
            </Text>
          ) : (
            <Text dimColor>{labels.panelNames[p]}</Text>
          )}
        </Text>
      ))}
      <Text dimColor> (Tab)</Text>
    </>
  );
}

/** The story (event-list.tsx) as a panel. */
export function Events({ snap, ui, width, rows, labels }: PanelProps) {
  const events = visibleEvents(snap.events, snap.eventCount, { rows, back: ui.eventsBack, filter: ui.filter, frozenAt: ui.frozenAt });
  return (
    <EventList
      title={<PanelStrip current="events" labels={labels} />}
      lines={events.lines}
      rows={rows}
      width={width}
      labels={labels}
      frozen={ui.frozenAt !== null}
      filter={ui.filter}
      hiddenBelow={events.hiddenBelow}
      tickMs={snap.model.timing.tickMs}
    />
  );
}
