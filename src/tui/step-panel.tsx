// Step mode's panel, in the events' place: the Raft messages held in flight, one sentence each, the
// selected one's fields in full, and the last events below them, so the learner sees what each
// delivery caused (a vote granted, a new leader) and the messages it made (marked new).
import { Box, Text } from 'ink';
import type { HeldMessage } from '../cluster-model/index.js';
import { clock } from '../cluster-model/event-line.js';
import { selectedHeld } from './keys.js';
import type { PanelProps } from './panels.js';
import { clipColumns } from './text-width.js';

/** How many of the newest events at least stand under the list (what the last key caused). */
const EVENT_LINES = 3;

/** The window of the list that keeps the selected message in sight: its first index. */
export function listStart(count: number, selected: number, rows: number): number {
  if (count <= rows || selected < 0) return 0;
  return Math.max(0, Math.min(count - rows, selected - Math.floor(rows / 2)));
}

/** A held message's fields, for the line under the list: "lastIndex 4 · lastTerm 1". */
export function detailText(h: HeldMessage): string {
  return [
    `id ${h.id}`,
    `${h.type} n${h.from}→n${h.to}`,
    `term ${h.term}`,
    ...Object.entries(h.detail).map(([k, v]) => `${k} ${String(v)}`),
  ].join(' · ');
}

export function StepPanel({ snap, ui, width, rows, labels }: PanelProps) {
  const held = snap.model.step?.held ?? [];
  const at = selectedHeld(
    held.map((h) => h.id),
    ui.heldSel,
  );
  const fresh = new Set(snap.heldNew);
  // The list takes what it needs (with the selected one's fields under it), the newest events the
  // rest, and at least a few of them.
  const need = held.length === 0 ? 1 : held.length + 1;
  const events = snap.events.slice(-Math.max(Math.min(EVENT_LINES, Math.max(0, rows - 3)), rows - need));
  const listRows = Math.max(1, rows - events.length - (held.length > 0 ? 1 : 0));
  const start = listStart(held.length, at, listRows - (held.length > listRows ? 1 : 0));
  const shown = held.slice(start, start + listRows - (held.length > listRows ? 1 : 0));
  const hidden = held.length - shown.length;
  return (
    <Box flexDirection="column" width={width} height={rows + 1}>
      <Text wrap="truncate">
        <Text inverse bold color="yellow">
          {` ${labels.stepMode} `}
        </Text>
        <Text bold> {labels.stepHeld(held.length)}</Text>
        <Text dimColor> · {labels.stepKeysHint}</Text>
      </Text>
      {held.length === 0 ? (
        <Text dimColor wrap="truncate">
          {labels.stepNone}
        </Text>
      ) : null}
      {shown.map((h, i) => {
        const sel = start + i === at;
        const isNew = fresh.has(h.id);
        const head = `${sel ? '▸' : ' '}${isNew ? '+' : ' '}${h.id.padEnd(5)} `;
        return (
          <Text key={h.id} wrap="truncate" inverse={sel}>
            <Text bold={sel}>{head}</Text>
            <Text color={isNew ? 'yellow' : undefined}>{clipColumns(labels.heldText(h), width - head.length)}</Text>
          </Text>
        );
      })}
      {hidden > 0 ? (
        <Text dimColor wrap="truncate">
          {labels.stepMore(hidden)}
        </Text>
      ) : null}
      {at >= 0 ? (
        <Text dimColor wrap="truncate">
          {'  '}
          {detailText(held[at]!)}
        </Text>
      ) : null}
      {events.map((e, i) => (
        <Text key={`e${i}`} dimColor={i < events.length - 1} wrap="truncate">
          {clock(e.ts)} {clipColumns(labels.eventText(e, snap.model.timing.tickMs), width - 14)}
        </Text>
      ))}
    </Box>
  );
}
