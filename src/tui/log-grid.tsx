// The logs side by side: one row per node, one cell per index showing the entry's term, coloured
// by term; committed entries solid, uncommitted dim. The columns follow the tail unless scrolled
// back. Cells a truncation just removed are marked in red for a moment, so the eye catches it.
import { Box, Text } from 'ink';
import type { Labels } from './labels.js';
import type { Truncation } from './store.js';
import { members } from '../cluster-model/index.js';
import { gridRow, gridWindow, termColour, type Cell, type Model } from './view.js';

interface Piece {
  text: string;
  colour?: string;
  background?: string;
  dim?: boolean;
  bold?: boolean;
}

/** The cell as text and style; without colour, "3" is committed and "3'" is not. */
function piece(c: Cell, w: number, colour: boolean): Piece {
  if (c.truncated !== null)
    return { text: `✗${c.truncated}`.padStart(w - 1).padEnd(w), background: colour ? 'red' : undefined, colour: 'white', bold: true };
  if (c.term === -1) return { text: '▒'.repeat(w - 1) + ' ', dim: true };
  if (c.term === 0) return { text: ' '.repeat(w - 1) + ' ' };
  const label = String(c.term).padStart(w - 1);
  if (c.committed) return colour ? { text: `${label} `, background: termColour(c.term), colour: 'black' } : { text: `${label} ` };
  return colour ? { text: `${label} `, colour: termColour(c.term), dim: true } : { text: `${label}'` };
}

/** Adjacent cells of one style become one Text: fewer elements for ink to lay out. */
function merge(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out.at(-1);
    if (last !== undefined && last.colour === p.colour && last.background === p.background && last.dim === p.dim && last.bold === p.bold)
      last.text += p.text;
    else out.push({ ...p });
  }
  return out;
}

/** Index labels every few columns, where they fit. */
function ruler(first: number, last: number, w: number): string {
  let line = '';
  for (let i = first; i <= last; i++) {
    const at = (i - first) * w;
    if (line.length > at) continue;
    if (i === first || i % 5 === 0) line = line.padEnd(at) + String(i);
  }
  return line;
}

export function LogGrid({
  model,
  truncations,
  selected,
  back,
  labels,
  width,
  colour,
}: {
  model: Model;
  truncations: readonly Truncation[];
  selected: number;
  back: number;
  labels: Labels;
  width: number;
  colour: boolean;
}) {
  const nodes = members(model);
  const maxTerm = Math.max(1, ...nodes.map((n) => n.raft?.term ?? 0), ...truncations.flatMap((t) => t.terms));
  const w = Math.max(2, String(maxTerm).length + 1) + (truncations.length > 0 ? 1 : 0);
  const prefix = 5;
  const count = Math.max(1, Math.floor((width - prefix) / w));
  const { first, last } = gridWindow(model, count, back);
  return (
    <Box flexDirection="column" width={width}>
      <Text dimColor wrap="truncate">
        {labels.logTitle}
        {back > 0 ? <Text color="yellow"> · {labels.logBack}</Text> : null}
      </Text>
      <Text dimColor wrap="truncate">
        {' '.repeat(prefix)}
        {ruler(first, last, w)}
      </Text>
      {nodes.map((n) => (
        <Box key={n.id} width={width}>
          <Box width={prefix} flexShrink={0}>
            <Text bold={n.id === selected} color={n.id === selected ? 'cyan' : undefined}>
              n{n.id}
            </Text>
          </Box>
          <Text wrap="truncate">
            {merge(gridRow(n, first, last, truncations).map((c) => piece(c, w, colour))).map((p, i) => (
              <Text key={i} color={p.colour} backgroundColor={p.background} dimColor={p.dim} bold={p.bold}>
                {p.text}
              </Text>
            ))}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
