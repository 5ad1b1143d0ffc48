// The messages panel: what each directed link carried over the last few seconds, by kind of
// message, one row a link. The terminal's answer to RaftScope's message arrows: an election shows as
// a burst in the pre-vote and vote columns, a healthy leader as steady heartbeats and appends on
// its outgoing links only, a cut link as a quiet row.
import { Box, Text } from 'ink';
import { memberIds } from '../cluster-model/index.js';
import { PanelStrip, type PanelProps } from './panels.js';
import type { LinkTraffic, Traffic } from './traffic.js';
import { padColumns } from './text-width.js';
import type { Colour } from './view.js';

/** The columns, in the order a term unfolds: the election, then replication. */
export const MESSAGE_KINDS: ReadonlyArray<{ type: string; short: string; colour: Colour }> = [
  { type: 'pre-vote', short: 'pvote', colour: 'yellow' },
  { type: 'pre-vote-response', short: 'pv-r', colour: 'yellow' },
  { type: 'vote', short: 'vote', colour: 'magenta' },
  { type: 'vote-response', short: 'vt-r', colour: 'magenta' },
  { type: 'append', short: 'app', colour: 'cyan' },
  { type: 'append-response', short: 'app-r', colour: 'cyan' },
  { type: 'heartbeat', short: 'hb', colour: 'green' },
  { type: 'heartbeat-response', short: 'hb-r', colour: 'green' },
  { type: 'snapshot', short: 'snap', colour: 'blue' },
  { type: 'timeout-now', short: 'tnow', colour: 'red' },
];

const LINK_WIDTH = 8;
/** A column: a space, then five characters (a name of at most five, a count up to 99999). */
const CELL = 6;

export interface MessageRow {
  from: number;
  to: number;
  /** A count per MESSAGE_KINDS column (0: none), then the messages of any other type. */
  cells: number[];
  other: number;
}

/**
 * The rows to draw in `rows` lines: every directed link between members, those that carried
 * messages first; `hidden` counts the links left out (the last line says so).
 */
export function messageRows(ids: readonly number[], traffic: Traffic, rows: number): { rows: MessageRow[]; hidden: number } {
  const byLink = new Map<string, LinkTraffic>(traffic.links.map((l) => [`${l.from}>${l.to}`, l]));
  const all: MessageRow[] = [];
  for (const from of ids)
    for (const to of ids) {
      if (from === to) continue;
      const counts = byLink.get(`${from}>${to}`)?.counts ?? {};
      const cells = MESSAGE_KINDS.map((k) => counts[k.type] ?? 0);
      const known = cells.reduce((a, b) => a + b, 0);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      all.push({ from, to, cells, other: total - known });
    }
  const busy = (r: MessageRow): boolean => r.other > 0 || r.cells.some((c) => c > 0);
  const ordered = [...all.filter(busy), ...all.filter((r) => !busy(r))];
  if (ordered.length <= rows) return { rows: ordered, hidden: 0 };
  const shown = Math.max(0, rows - 1);
  return { rows: ordered.slice(0, shown), hidden: ordered.length - shown };
}

function cell(n: number): string {
  return (n === 0 ? '·' : n > 99_999 ? '99k+' : String(n)).padStart(CELL);
}

export function MessagesPanel({ snap, ui, width, rows, labels }: PanelProps) {
  const { traffic } = snap;
  const seconds = Math.max(1, Math.round(traffic.ms / 1000));
  const strip = (
    <Text wrap="truncate">
      <PanelStrip current={ui.panel} labels={labels} />
      {traffic.reported ? <Text dimColor> · {labels.messagesWindow(seconds)}</Text> : null}
    </Text>
  );
  if (!traffic.reported)
    return (
      <Box flexDirection="column" width={width} height={rows + 1}>
        {strip}
        <Text dimColor wrap="truncate">
          {labels.messagesNotReported}
        </Text>
      </Box>
    );
  const other = traffic.links.some((l) => Object.keys(l.counts).some((t) => !MESSAGE_KINDS.some((k) => k.type === t)));
  const table = messageRows(memberIds(snap.model), traffic, rows - 1);
  return (
    <Box flexDirection="column" width={width} height={rows + 1}>
      {strip}
      <Text dimColor wrap="truncate">
        {padColumns(labels.messagesLink, LINK_WIDTH)}
        {MESSAGE_KINDS.map((k) => ` ${k.short.padStart(CELL - 1)}`).join('')}
        {other ? ` ${labels.messagesOther}` : ''}
      </Text>
      {table.rows.map((r) => (
        <Text key={`${r.from}>${r.to}`} wrap="truncate">
          <Text bold>{`n${r.from}→n${r.to}`.padEnd(LINK_WIDTH)}</Text>
          {r.cells.map((n, i) =>
            n === 0 ? (
              <Text key={i} dimColor>
                {cell(0)}
              </Text>
            ) : (
              <Text key={i} color={MESSAGE_KINDS[i]!.colour}>
                {cell(n)}
              </Text>
            ),
          )}
          {other ? <Text dimColor={r.other === 0}>{cell(r.other)}</Text> : null}
        </Text>
      ))}
      {table.hidden > 0 ? (
        <Text dimColor wrap="truncate">
          {labels.messagesHidden(table.hidden)}
        </Text>
      ) : null}
    </Box>
  );
}
