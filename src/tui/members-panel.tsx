// The members panel: a membership change step by step (dissertation 4.1, one server at a time). The
// configuration as the leader has it (a node uses its latest configuration entry, committed or not)
// and whether that entry is committed; each learner's catch-up from the leader's progress (its match
// index against the leader's last index: a learner is promoted only once it holds every committed
// entry, 4.2.1); then the story of the changes only: added, catching up, promoted, committed,
// a removed leader stepping down and who leads next (4.2.2).
import { Box, Text } from 'ink';
import type { ClusterEvent } from '../cluster-model/index.js';
import { latestMembership, leaderOf } from '../cluster-model/index.js';
import { clock } from '../cluster-model/event-line.js';
import type { Membership } from '../raft/types.js';
import { PanelStrip, type PanelProps } from './panels.js';
import { clipColumns } from './text-width.js';

/** Proposal refusals that belong to a membership change. */
const CHANGE_REFUSALS = new Set(['config-change-pending', 'learner-not-caught-up', 'invalid-change']);

/**
 * The events of the membership changes, oldest first: the supervisor's add, promote and remove
 * steps, the configuration entries (told once, by the first node that appended each), their
 * commits, refusals of a change, a removed leader stepping down and the elections after it.
 */
export function membershipSteps(events: readonly ClusterEvent[]): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  const told = new Set<string>();
  let removedLeader = false;
  for (const e of events) {
    if (e.kind === 'supervisor' && (e.type === 'add' || e.type === 'promote' || e.type === 'remove')) out.push(e);
    if (e.kind !== 'raft') continue;
    const d = e.data ?? {};
    if (e.type === 'membership' || e.type === 'config-committed') {
      const key = `${e.type} ${String(d.index)}`;
      if (!told.has(key)) out.push(e);
      told.add(key);
    } else if (e.type === 'proposal-refused' && CHANGE_REFUSALS.has(String(d.reason))) out.push(e);
    else if (e.type === 'role-change' && d.cause === 'removed') {
      out.push(e);
      removedLeader = true;
    } else if (e.type === 'election-won' && removedLeader) {
      out.push(e);
      removedLeader = false;
    }
  }
  return out;
}

const names = (ids: readonly number[], none: string): string => (ids.length === 0 ? none : ids.map((id) => `n${id}`).join(' '));

/** The configuration lines: whose it is, its entry and whether committed, voters, learners with their catch-up. */
function configLines(props: PanelProps): Array<{ text: string; colour?: string; bold?: boolean }> {
  const { snap, labels } = props;
  const w = labels.members;
  const leader = leaderOf(snap.model);
  const raft = leader?.raft ?? null;
  const m: Membership | null = raft?.membership ?? latestMembership(snap.model);
  const lines: Array<{ text: string; colour?: string; bold?: boolean }> = [];
  if (leader !== null && raft !== null) {
    const at = raft.configIndex;
    const state = at === undefined ? '' : at === 0 ? w.initial : at <= raft.commit ? w.committed(at) : w.pending(at);
    lines.push({
      text: `${w.configOf(leader.id, raft.term)}${state === '' ? '' : `${w.colon}${state}`}`,
      colour: at !== undefined && at > raft.commit ? 'yellow' : 'green',
      bold: true,
    });
  } else lines.push({ text: w.configNoLeader, colour: 'yellow' });
  if (m === null) return lines;
  lines.push({ text: `${w.voters}${w.colon}${names(m.voters, w.none)} · ${w.learners}${w.colon}${names(m.learners, w.none)}` });
  for (const id of m.learners) {
    const match = raft?.progress[id]?.match;
    if (raft === null || match === undefined) continue;
    lines.push(
      match >= raft.commit
        ? { text: `  ${w.caughtUp(id, match)}`, colour: 'green' }
        : { text: `  ${w.behind(id, match, raft.lastIndex)}`, colour: 'cyan' },
    );
  }
  return lines;
}

export function MembersPanel(props: PanelProps) {
  const { snap, ui, width, rows, labels, colour } = props;
  const head = configLines(props);
  const stepRows = Math.max(0, rows - head.length - 1);
  const steps = membershipSteps(snap.events).slice(-stepRows);
  const tickMs = snap.model.timing.tickMs;
  return (
    <Box flexDirection="column" width={width} height={rows + 1}>
      <Text wrap="truncate">
        <PanelStrip current={ui.panel} labels={labels} />
      </Text>
      {head.slice(0, rows).map((l, i) => (
        <Text key={`h${i}`} wrap="truncate" color={colour ? l.colour : undefined} bold={l.bold}>
          {clipColumns(l.text, width)}
        </Text>
      ))}
      {stepRows > 0 ? (
        <Text dimColor wrap="truncate">
          {clipColumns(steps.length === 0 ? labels.members.noSteps : labels.members.stepsTitle, width)}
        </Text>
      ) : null}
      {steps.map((e, i) => (
        <Text key={`s${i}`} wrap="truncate">
          <Text dimColor>{clock(e.ts)} </Text>
          <Text bold>{(e.node === null ? '--' : `n${e.node}`).padEnd(4)}</Text>
          {clipColumns(labels.eventText(e, tickMs), width - 17)}
        </Text>
      ))}
    </Box>
  );
}
