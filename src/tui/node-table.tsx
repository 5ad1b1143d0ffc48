// One row per node: process state, role (colour and glyph), term, vote, known leader, last log
// index and term, commit and applied index, the election timer bar (the leader's row shows its
// heartbeat), partition group and faulty links. The columns a width has room for are chosen by
// tableColumns (table-columns.ts); without room for the links column, the faults are told on a
// line under the table, so a link fault is never out of sight. A field the engine does not report
// (etcd: the log, the timer) reads "n/a", and a line under the table says what is not exposed.
import { Box, Text } from 'ink';
import { members, type NodeModel } from '../cluster-model/index.js';
import { reports, type StateField } from '../cluster-model/engine.js';
import type { Labels } from './labels.js';
import { tableColumns, type ColumnId, type TableColumns } from './table-columns.js';
import { columns } from './text-width.js';
import {
  PROCESS_COLOUR,
  PROCESS_GLYPH,
  ROLE_COLOUR,
  ROLE_GLYPH,
  bar,
  groupLabel,
  isLearner,
  linkFaults,
  linkSummary,
  timerView,
  type Model,
} from './view.js';

function Cell({
  w,
  children,
  colour,
  bold,
  dim,
}: {
  w: number;
  children: React.ReactNode;
  colour?: string | undefined;
  bold?: boolean | undefined;
  dim?: boolean | undefined;
}) {
  return (
    <Box width={w} flexShrink={0}>
      <Text wrap="truncate" color={colour} bold={bold} dimColor={dim}>
        {children}
      </Text>
    </Box>
  );
}

/** The state fields a column shows: a column whose fields the engine does not report reads "n/a". */
const FIELDS_OF: Partial<Record<ColumnId, readonly StateField[]>> = { vote: ['vote'], last: ['lastIndex', 'lastTerm'], timer: ['timer'] };

/** The cell of column `id` for node `n`. */
function cell(id: ColumnId, w: number, n: NodeModel, model: Model, selected: boolean, labels: Labels, cols: TableColumns, now: number) {
  const r = n.raft;
  const stale = n.process.state !== 'running' && n.process.state !== 'paused'; // what a stopped node last reported, drawn dim
  if (r !== null && FIELDS_OF[id]?.some((f) => !reports(model.engine, f)) === true)
    return (
      <Cell key={id} w={w} dim>
        {labels.notExposed}
      </Cell>
    );
  switch (id) {
    case 'sel':
      return (
        <Cell key={id} w={w} bold colour="cyan">
          {selected ? '▸' : ' '}
        </Cell>
      );
    case 'id':
      return (
        <Cell key={id} w={w} bold={selected}>
          n{n.id}
        </Cell>
      );
    case 'process':
      return (
        <Cell key={id} w={w} colour={PROCESS_COLOUR[n.process.state]}>
          {PROCESS_GLYPH[n.process.state]}
          {cols.processWords ? ` ${labels.process[n.process.state]}` : ''}
        </Cell>
      );
    case 'role': {
      // A role lives in memory only: a node that is not running has none (its term, vote and log are on disk).
      const role = r === null || stale ? '' : isLearner(n) ? labels.learner : labels.roles[r.role];
      const glyph = r === null || stale ? '-' : isLearner(n) ? '○' : ROLE_GLYPH[r.role];
      return (
        <Cell key={id} w={w} colour={stale ? 'gray' : r === null ? undefined : ROLE_COLOUR[r.role]} bold={r?.role === 'leader' && !stale}>
          {glyph} {role}
        </Cell>
      );
    }
    case 'term':
    case 'vote':
    case 'leader':
    case 'last':
    case 'commit':
    case 'applied': {
      const text =
        r === null
          ? ''
          : id === 'term'
            ? `T${r.term}`
            : id === 'vote'
              ? r.vote === 0
                ? '-'
                : `n${r.vote}`
              : id === 'leader'
                ? r.leader === 0
                  ? '-'
                  : `n${r.leader}`
                : id === 'last'
                  ? `${r.lastIndex}/${r.lastTerm}`
                  : String(id === 'commit' ? r.commit : r.applied);
      return (
        <Cell key={id} w={w} dim={stale}>
          {text}
        </Cell>
      );
    }
    case 'timer': {
      const t = timerView(n, now, model.timing.heartbeatMs, model.step?.on === true);
      const colour = t.kind === 'heartbeat' ? 'green' : t.left < 0.25 ? 'red' : t.left < 0.5 ? 'yellow' : 'cyan';
      return (
        <Box key={id} width={w} flexShrink={0}>
          {t.kind === 'none' ? (
            <Text dimColor wrap="truncate">
              {t.text}
            </Text>
          ) : (
            <Text wrap="truncate">
              <Text color={colour}>{bar(t.left, cols.timerBar)}</Text> <Text dimColor>{t.text}</Text>
            </Text>
          )}
        </Box>
      );
    }
    case 'group':
      return (
        <Cell key={id} w={w} colour="yellow" bold>
          {groupLabel(model, n.id)}
        </Cell>
      );
    case 'links':
      return (
        <Cell key={id} w={w} colour="red">
          {linkFaults(model, n.id)}
        </Cell>
      );
  }
}

const HEADING: Record<ColumnId, (l: Labels) => string> = {
  sel: () => '',
  id: (l) => l.colNode,
  process: (l) => l.colProcess,
  role: (l) => l.colRole,
  term: (l) => l.colTerm,
  vote: (l) => l.colVote,
  leader: (l) => l.colLeader,
  last: (l) => l.colLast,
  commit: (l) => l.colCommit,
  applied: (l) => l.colApplied,
  timer: (l) => l.colTimer,
  group: (l) => l.colGroup,
  links: (l) => l.colLinks,
};

/** Whether raft-console watches the cluster from outside (dashboard --etcd): a member may be unreachable. */
function attachedElsewhere(model: Model): boolean {
  return model.engine.kind === 'etcd' && model.engine.remote;
}

/** Whether the nodes keep their log entries to themselves (etcd): no log grid, and a note under the table instead. */
export function hidesLog(model: Model): boolean {
  return !reports(model.engine, 'runs');
}

/** The line under the table that says what the engine does not expose, the longest that fits `width` (null: it exposes everything). */
function engineNote(model: Model, labels: Labels, width: number): string | null {
  if (!hidesLog(model)) return null;
  return labels.etcdNote.find((t) => columns(t) <= width) ?? labels.etcdNote.at(-1)!;
}

/** The line under the table that tells the link faults when the table has no links column, or one too narrow for them (null: no such line). */
export function linksLine(model: Model, width: number): string | null {
  const column = tableColumns(width, attachedElsewhere(model)).columns.find((c) => c.id === 'links');
  if (column !== undefined && members(model).every((n) => columns(linkFaults(model, n.id)) <= column.width)) return null;
  return linkSummary(model);
}

export function NodeTable({
  model,
  selected,
  labels,
  width,
  now,
}: {
  model: Model;
  selected: number;
  labels: Labels;
  width: number;
  now: number;
}) {
  const cols = tableColumns(width, attachedElsewhere(model));
  const faults = linksLine(model, width);
  const note = engineNote(model, labels, width);
  return (
    <Box flexDirection="column" width={width}>
      <Box width={width}>
        {cols.columns.map((c) => (
          <Cell key={c.id} w={c.width} dim>
            {c.id === 'process' && !cols.processWords ? '' : HEADING[c.id](labels)}
          </Cell>
        ))}
      </Box>
      {members(model).map((n) => (
        <Box key={n.id} width={width}>
          {cols.columns.map((c) => cell(c.id, c.width, n, model, n.id === selected, labels, cols, now))}
        </Box>
      ))}
      {faults === null ? null : (
        <Text wrap="truncate" color="red">
          {labels.colLinks}: {faults}
        </Text>
      )}
      {note === null ? null : (
        <Text wrap="truncate" dimColor>
          {note}
        </Text>
      )}
    </Box>
  );
}
