// A cluster's events and actions' results in Chinese, for a viewer that speaks it (the dashboard,
// the exercises, the CLI with --lang zh). Each is worded from its structured fields: a core event
// from the RaftEvent its line carries, a supervisor event or a result from its outcome or problem.
// A node's own events and answers are worded from theirs (node-event-zh.ts), an etcd member's from
// its log lines' (member-log-zh.ts). What has no such fields (a line from an older node, a
// transport event, a failed command's answer) keeps the sentence it came with; nothing is made by
// rewriting an English sentence.
import { describeEventZh } from '../raft/events-zh.js';
import { observedEventZh } from './etcd-observed-events.js';
import { readClusterProblem, type ClusterProblem } from './errors.js';
import type { ActionResult } from './control-protocol.js';
import type { ClusterEvent } from './model.js';
import { memberLogZh } from './member-log-zh.js';
import { nodeEventZh } from './node-event-zh.js';
import { outcomeZh, problemZh } from './outcome-zh.js';
import { readOutcome } from './outcome.js';
import { readRaftEvent } from './raft-event-reader.js';
import { validate } from '../schema/json-shape.js';

/** A refusal in Chinese; one without words of its own keeps its sentence after "失败：". */
function refusalZh(problem: ClusterProblem | null, text: string): string {
  return (problem === null ? null : problemZh(problem)) ?? `失败：${text}`;
}

/** The event's sentence in Chinese; `tickMs` turns the core's tick counts into seconds. */
export function eventTextZh(e: ClusterEvent, tickMs?: number): string {
  const observed = observedEventZh(e);
  if (observed !== null) return observed;
  const raft = readRaftEvent(e);
  if (raft !== null && e.node !== null) return describeEventZh(e.node, raft, tickMs);
  const own = nodeEventZh(e) ?? memberLogZh(e);
  if (own !== null) return own;
  if (e.data === undefined) return e.text;
  const outcome = readOutcome(e.data);
  if (outcome !== null) return outcomeZh(outcome);
  if (e.data.ok === false && e.data.problem !== undefined) {
    const problem = validate(() => readClusterProblem(e.data!, 'problem'));
    return refusalZh(problem.ok ? problem.value : null, e.text);
  }
  return e.text;
}

/** An action's result in Chinese. */
export function resultTextZh(r: ActionResult): string {
  if (r.ok) return r.outcome === undefined ? r.text : outcomeZh(r.outcome);
  return refusalZh(r.problem ?? null, r.text);
}
