// The story: what happened and why, one sentence a line with its time, newest at the bottom.
import { Box, Text } from 'ink';
import type { ClusterEvent } from '../cluster-model/index.js';
import { clock } from '../cluster-model/event-line.js';
import type { Labels } from './labels.js';
import { clipColumns, columns } from './text-width.js';

/** Columns before the sentence: time, node, glyph. */
const PREFIX = 13 + 4 + 2;

/** `dim`: no news, e.g. a vote told after its term's leader was (live-model.ts). */
function style(e: ClusterEvent): { glyph: string; colour?: string; bold?: boolean; dim?: boolean } {
  if (e.type === 'safety-violation') return { glyph: '✘', colour: 'red', bold: true };
  if (e.type === 'role-change') {
    const to = e.data?.to;
    if (to === 'leader') return { glyph: '★', colour: 'green', bold: true };
    if (to === 'candidate' || to === 'pre-candidate') return { glyph: '◆', colour: 'yellow' };
    return { glyph: '·' };
  }
  if (e.type === 'election-won') return { glyph: '★', colour: 'green' };
  if (e.type === 'truncate') return { glyph: '✗', colour: 'red' };
  if (e.type === 'commit') return { glyph: '✔', colour: 'blue' };
  if (e.type === 'election-timeout') return { glyph: '⏰', colour: 'yellow' };
  if (e.type === 'vote-cast' || e.type === 'vote-received')
    return { glyph: e.data?.granted === false ? '✗' : '✓', colour: 'magenta', dim: e.data?.leaderOfTerm !== undefined };
  if (e.node === null)
    return e.data?.ok === false || e.type === 'crashed' || e.type === 'start-failed'
      ? { glyph: '✗', colour: 'red' }
      : { glyph: '▸', colour: 'cyan' };
  return { glyph: ' ' };
}

export function EventList({
  title,
  lines,
  rows,
  width,
  labels,
  frozen,
  filter,
  hiddenBelow,
  tickMs,
}: {
  /** The panel strip the title line starts with (panels.tsx). */
  title: React.ReactNode;
  lines: readonly ClusterEvent[];
  rows: number;
  width: number;
  labels: Labels;
  frozen: boolean;
  filter: number | null;
  hiddenBelow: number;
  /** The cluster's tick length, for the core's tick counts in sentences worded here. */
  tickMs?: number;
}) {
  return (
    <Box flexDirection="column" width={width} height={rows + 1}>
      <Text dimColor wrap="truncate">
        {title}
        {filter !== null ? (
          <Text color="cyan">
            {' '}
            · {labels.filtered} n{filter}
          </Text>
        ) : null}
        {frozen ? (
          <Text color="yellow" bold>
            {' '}
            · {labels.frozen}
          </Text>
        ) : null}
        {hiddenBelow > 0 ? <Text color="yellow"> · {hiddenBelow} ↓</Text> : null}
      </Text>
      {lines.map((e, i) => {
        const s = style(e);
        return (
          // Keyed by position: at a thousand events a second every line is new each frame anyway.
          <Text key={i} wrap="truncate">
            <Text dimColor>{clock(e.ts)} </Text>
            <Text bold>{(e.node === null ? '--' : `n${e.node}`).padEnd(4)}</Text>
            <Text color={s.colour} bold={s.bold} dimColor={s.dim}>
              {/* The sentence cut to fit before styling (ink's own truncation of a styled line costs far more), by display width: a wide glyph (⏰) or CJK must not push the line past the screen. */}
              {s.glyph} {clipColumns(labels.eventText(e, tickMs), width - PREFIX - (columns(s.glyph) - 1))}
            </Text>
          </Text>
        );
      })}
    </Box>
  );
}
