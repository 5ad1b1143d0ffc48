// What `dashboard --etcd` saw change between two looks at a cluster it does not run. There are no
// log lines from a remote etcd, so these events are not the members' own account: they are
// derived from successive observations (member list and statuses) and say so ("observed"). Each
// carries its facts as fields beside the English sentence, so a viewer words it in Chinese from
// them (observedEventZh), like every other event.
import type { NodeId } from '../raft/types.js';
import { validate, type JsonObject } from '../schema/json-shape.js';
import { count, flag, node, nodes, readRow, text, type FieldTable } from './field-table.js';
import type { ClusterEvent } from './model.js';

export type ObservedEvent =
  /** The first look: the members found, how many answer. */
  | { type: 'observed-attached'; endpoint: string; members: number; answering: number; version: string }
  /** A member names itself leader of `term`, and no leader was seen before (or it leads again in a new term). */
  | { type: 'observed-leader'; node: NodeId; term: number }
  /** The member seen leading is not the one seen before. */
  | { type: 'observed-leader-change'; node: NodeId; from: NodeId; term: number }
  /** No answering member names itself leader any more; `was` led `term`. */
  | { type: 'observed-no-leader'; was: NodeId; term: number }
  /** A member that answered (or was never reached) does not answer: `cause` is the reason, for people. */
  | { type: 'observed-silent'; node: NodeId; cause: string; first: boolean }
  /** `first`: it had never answered (a member that was added, then started). */
  | { type: 'observed-answers'; node: NodeId; first: boolean }
  /** A member appeared in the member list. */
  | { type: 'observed-joined'; node: NodeId; name: string; memberId: string; learner: boolean }
  | { type: 'observed-promoted'; node: NodeId; name: string; memberId: string }
  | { type: 'observed-removed'; node: NodeId; name: string; memberId: string }
  /** An alarm a member reports in its status (e.g. "NOSPACE"). */
  | { type: 'observed-alarm'; node: NodeId; alarm: string }
  /** Two members named themselves leader of the same term: Raft's Election Safety broken. */
  | { type: 'observed-two-leaders'; nodes: NodeId[]; term: number };

const FIELDS: FieldTable<ObservedEvent, 'type'> = {
  'observed-attached': { endpoint: text, members: count, answering: count, version: text },
  'observed-leader': { node, term: count },
  'observed-leader-change': { node, from: node, term: count },
  'observed-no-leader': { was: node, term: count },
  'observed-silent': { node, cause: text, first: flag },
  'observed-answers': { node, first: flag },
  'observed-joined': { node, name: text, memberId: text, learner: flag },
  'observed-promoted': { node, name: text, memberId: text },
  'observed-removed': { node, name: text, memberId: text },
  'observed-alarm': { node, alarm: text },
  'observed-two-leaders': { nodes, term: count },
};

/** Which node an event is about, for the event line's `node` (null: the cluster). */
function nodeOf(e: ObservedEvent): NodeId | null {
  switch (e.type) {
    case 'observed-attached':
      return null;
    case 'observed-no-leader':
      return e.was;
    case 'observed-two-leaders':
      return e.nodes[0] ?? null;
    default:
      return e.node;
  }
}

/** The kind of line it is: the Raft story (who leads), a member's reachability, or the membership. */
function kindOf(e: ObservedEvent): string {
  switch (e.type) {
    case 'observed-leader':
    case 'observed-leader-change':
    case 'observed-no-leader':
    case 'observed-two-leaders':
      return 'raft';
    case 'observed-silent':
    case 'observed-answers':
    case 'observed-alarm':
      return 'node';
    default:
      return 'supervisor';
  }
}

function member(name: string, memberId: string): string {
  return name === '' ? memberId : `${name}, ${memberId}`;
}

/** The English sentence. */
function observedText(e: ObservedEvent): string {
  switch (e.type) {
    case 'observed-attached':
      return `attached to etcd ${e.version} through ${e.endpoint}: ${e.members} member${e.members === 1 ? '' : 's'}, ${e.answering} answering (observed every few hundred ms: no log lines from a remote cluster)`;
    case 'observed-leader':
      return `n${e.node} leads term ${e.term} (observed)`;
    case 'observed-leader-change':
      return `the leader changed from n${e.from} to n${e.node} in term ${e.term} (observed)`;
    case 'observed-no-leader':
      return `no answering member leads (observed): n${e.was} led term ${e.term}`;
    case 'observed-silent':
      return e.first ? `n${e.node} does not answer: ${e.cause}` : `n${e.node} stopped answering: ${e.cause}`;
    case 'observed-answers':
      return e.first ? `n${e.node} answers` : `n${e.node} answers again`;
    case 'observed-joined':
      return `member n${e.node} (${member(e.name, e.memberId)}) joined as a ${e.learner ? 'learner' : 'voter'} (observed)`;
    case 'observed-promoted':
      return `member n${e.node} (${member(e.name, e.memberId)}) was promoted to voter (observed)`;
    case 'observed-removed':
      return `member n${e.node} (${member(e.name, e.memberId)}) was removed (observed)`;
    case 'observed-alarm':
      return `n${e.node} raises an alarm: ${e.alarm}`;
    case 'observed-two-leaders':
      return `n${e.nodes.join(' and n')} both named themselves leader of term ${e.term}: Election Safety is broken`;
  }
}

/** The Chinese sentence, from the same fields. */
function textZh(e: ObservedEvent): string {
  switch (e.type) {
    case 'observed-attached':
      return `已通过 ${e.endpoint} 连接到 etcd ${e.version}：${e.members} 个成员，${e.answering} 个有应答（每隔几百毫秒观察一次：远程集群没有日志行）`;
    case 'observed-leader':
      return `n${e.node} 是任期 ${e.term} 的领导者（观察到）`;
    case 'observed-leader-change':
      return `领导者在任期 ${e.term} 从 n${e.from} 换成了 n${e.node}（观察到）`;
    case 'observed-no-leader':
      return `有应答的成员中没有领导者（观察到）：n${e.was} 曾领导任期 ${e.term}`;
    case 'observed-silent':
      return e.first ? `n${e.node} 没有应答：${e.cause}` : `n${e.node} 不再应答：${e.cause}`;
    case 'observed-answers':
      return e.first ? `n${e.node} 开始应答` : `n${e.node} 重新应答了`;
    case 'observed-joined':
      return `成员 n${e.node}（${member(e.name, e.memberId)}）以${e.learner ? '学习者' : '投票者'}身份加入（观察到）`;
    case 'observed-promoted':
      return `成员 n${e.node}（${member(e.name, e.memberId)}）被提升为投票者（观察到）`;
    case 'observed-removed':
      return `成员 n${e.node}（${member(e.name, e.memberId)}）被移除（观察到）`;
    case 'observed-alarm':
      return `n${e.node} 发出警报：${e.alarm}`;
    case 'observed-two-leaders':
      return `n${e.nodes.join(' 和 n')} 都自称任期 ${e.term} 的领导者：选举安全性被破坏`;
  }
}

/** The event as a line of the cluster's story; `observed: true` in its data marks where it came from. */
export function observedLine(e: ObservedEvent, ts: number): ClusterEvent {
  const { type, ...fields } = e;
  return { ts, node: nodeOf(e), kind: kindOf(e), type, text: observedText(e), data: { observed: true, ...fields } };
}

/** An observed event read back from its line, or null when the line is not one (or its fields are not all there). */
export function readObservedEvent(line: ClusterEvent): ObservedEvent | null {
  if (line.data?.observed !== true) return null;
  const data: JsonObject = line.data;
  const read = validate(() => readRow(data, 'type', line.type, FIELDS));
  return read.ok && read.value !== null ? (read.value as unknown as ObservedEvent) : null;
}

/** The Chinese sentence of an observed event's line, or null when it is not one. */
export function observedEventZh(line: ClusterEvent): string | null {
  const e = readObservedEvent(line);
  return e === null ? null : textZh(e);
}
