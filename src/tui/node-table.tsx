// One row per node: process state, role (colour and glyph), term, vote, known leader, last log
// index and term, commit and applied index, the election timer bar (the leader's row shows its
// heartbeat), partition group and faulty links.
import { Box, Text } from 'ink';
import { members, type NodeModel } from '../cluster-model/index.js';
import type { Labels } from './labels.js';
import {
  PROCESS_COLOUR,
  PROCESS_GLYPH,
  ROLE_COLOUR,
  ROLE_GLYPH,
  bar,
  groupLabel,
  isLearner,
  linkFaults,
  timerView,
  type Model,
} from './view.js';

/** Column widths; the links column takes what is left. */
const W = { sel: 2, id: 5, process: 10, role: 11, term: 5, vote: 5, leader: 5, last: 9, commit: 7, applied: 6, group: 4 };
/** The timer's text after its bar: "0.15s", "♥ 500ms". */
const TIMER_TEXT = 8;
const FIXED = Object.values(W).reduce((a, b) => a + b, 0);

/** The timer bar's width: what is left, keeping room for the links column on wider screens. */
function timerWidth(width: number): number {
  return Math.max(4, Math.min(24, width - FIXED - TIMER_TEXT - (width >= 100 ? 14 : 0)));
}

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

function Row({
  n,
  model,
  selected,
  labels,
  width,
  now,
}: {
  n: NodeModel;
  model: Model;
  selected: boolean;
  labels: Labels;
  width: number;
  now: number;
}) {
  const r = n.raft;
  const up = n.process.state === 'running' || n.process.state === 'paused';
  const stale = !up; // what a stopped node last reported, drawn dim
  // A role lives in memory only: a node that is not running has none (its term, vote and log are on disk).
  const role = r === null || stale ? '' : isLearner(n) ? labels.learner : labels.roles[r.role];
  const glyph = r === null || stale ? '-' : isLearner(n) ? '○' : ROLE_GLYPH[r.role];
  const tw = timerWidth(width);
  const t = timerView(n, now, model.timing.heartbeatMs);
  const timerColour = t.kind === 'heartbeat' ? 'green' : t.left < 0.25 ? 'red' : t.left < 0.5 ? 'yellow' : 'cyan';
  const links = linkFaults(model, n.id);
  return (
    <Box width={width}>
      <Cell w={W.sel} bold colour="cyan">
        {selected ? '▸' : ' '}
      </Cell>
      <Cell w={W.id} bold={selected}>
        n{n.id}
      </Cell>
      <Cell w={W.process} colour={PROCESS_COLOUR[n.process.state]}>
        {PROCESS_GLYPH[n.process.state]} {labels.process[n.process.state]}
      </Cell>
      <Cell w={W.role} colour={stale ? 'gray' : r === null ? undefined : ROLE_COLOUR[r.role]} bold={r?.role === 'leader' && !stale}>
        {glyph} {role}
      </Cell>
      <Cell w={W.term} dim={stale}>
        {r === null ? '' : `T${r.term}`}
      </Cell>
      <Cell w={W.vote} dim={stale}>
        {r === null || r.vote === 0 ? '-' : `n${r.vote}`}
      </Cell>
      <Cell w={W.leader} dim={stale}>
        {r === null || r.leader === 0 ? '-' : `n${r.leader}`}
      </Cell>
      <Cell w={W.last} dim={stale}>
        {r === null ? '' : `${r.lastIndex}/${r.lastTerm}`}
      </Cell>
      <Cell w={W.commit} dim={stale}>
        {r === null ? '' : r.commit}
      </Cell>
      <Cell w={W.applied} dim={stale}>
        {r === null ? '' : r.applied}
      </Cell>
      <Box width={tw + TIMER_TEXT} flexShrink={0}>
        {t.kind === 'none' ? (
          <Text dimColor wrap="truncate">
            {t.text}
          </Text>
        ) : (
          <Text wrap="truncate">
            <Text color={timerColour}>{bar(t.left, tw)}</Text> <Text dimColor>{t.text}</Text>
          </Text>
        )}
      </Box>
      <Cell w={W.group} colour="yellow" bold>
        {groupLabel(model, n.id)}
      </Cell>
      <Box flexGrow={1}>
        <Text wrap="truncate" color="red">
          {links}
        </Text>
      </Box>
    </Box>
  );
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
  const tw = timerWidth(width);
  return (
    <Box flexDirection="column" width={width}>
      <Box width={width}>
        <Cell w={W.sel}> </Cell>
        <Cell w={W.id} dim>
          {labels.colNode}
        </Cell>
        <Cell w={W.process} dim>
          {labels.colProcess}
        </Cell>
        <Cell w={W.role} dim>
          {labels.colRole}
        </Cell>
        <Cell w={W.term} dim>
          {labels.colTerm}
        </Cell>
        <Cell w={W.vote} dim>
          {labels.colVote}
        </Cell>
        <Cell w={W.leader} dim>
          {labels.colLeader}
        </Cell>
        <Cell w={W.last} dim>
          {labels.colLast}
        </Cell>
        <Cell w={W.commit} dim>
          {labels.colCommit}
        </Cell>
        <Cell w={W.applied} dim>
          {labels.colApplied}
        </Cell>
        <Cell w={tw + TIMER_TEXT} dim>
          {labels.colTimer}
        </Cell>
        <Cell w={W.group} dim>
          {labels.colGroup}
        </Cell>
        <Box flexGrow={1}>
          <Text dimColor wrap="truncate">
            {labels.colLinks}
          </Text>
        </Box>
      </Box>
      {members(model).map((n) => (
        <Row key={n.id} n={n} model={model} selected={n.id === selected} labels={labels} width={width} now={now} />
      ))}
    </Box>
  );
}
