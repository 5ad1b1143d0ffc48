// The events an etcd member's log lines tell (src/etcd/log-events.ts) in Chinese, where they are not
// raft-console's own: a role change, a vote or a tally with every member known is a RaftEvent and
// is worded by describeEventZh; these are the rest (a leader followed or lost, a member change, a
// peer's reachability, a slow disk), worded from their fields. A member raft-console does not know
// is named by its hex id, in Chinese as in English; an error message etcd gave stays as it was.
import { MEMBER_CHANGES, type EtcdEvent, type MemberChange, type MemberRef } from '../etcd/log-events.js';
import { isHexId } from '../etcd/ids.js';
import { fail, isNodeId, show } from '../schema/json-shape.js';
import { among, count, list, optional, readRow, text, type FieldReader, type FieldTable } from './field-table.js';
import type { ClusterEvent } from './model.js';

/** A node id, or a member's hex id when raft-console does not know it. */
const member: FieldReader = (o, key) => {
  const v = o[key];
  if (isNodeId(v) || (typeof v === 'string' && isHexId(v))) return v;
  return fail(`${key} must be a node id or a member id in hex, got ${show(v)}`);
};
const memberOrNone: FieldReader = (o, key) => (o[key] === 0 ? 0 : member(o, key));
/** Milliseconds, with fractions (etcd measures in microseconds). */
const ms: FieldReader = (o, key) => {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${key} must be a duration in milliseconds, got ${show(v)}`);
  return v;
};

const FIELDS: FieldTable<EtcdEvent, 'type'> = {
  'election-timeout': { term: count, leader: memberOrNone },
  'election-won': { term: count },
  'leader-known': { leader: member, term: count, previous: optional(member) },
  'leader-lost': { leader: member, term: count },
  'member-change': { change: among(MEMBER_CHANGES), member, voters: list(member), learners: list(member) },
  'transfer-finished': { from: member, to: member, tookMs: ms },
  'peer-connected': { peer: member },
  'peer-disconnected': { peer: member, reason: text },
  'heartbeat-late': { to: member, lateMs: ms, intervalMs: ms },
  'slow-fdatasync': { tookMs: ms, expectedMs: ms },
  'slow-apply': { tookMs: ms, expectedMs: ms },
  removed: {},
};

const CHANGE_ZH: Record<MemberChange, string> = { add: '添加投票者', 'add-learner': '添加学习者', promote: '提升为投票者', remove: '移除' };

const name = (m: MemberRef): string => (typeof m === 'number' ? `n${m}` : m);

function sentence(node: number, e: EtcdEvent): string {
  const me = `n${node}`;
  switch (e.type) {
    case 'election-timeout':
      return e.leader === 0
        ? `${me} 在一个选举超时内没有收到任何领导者的消息，发起选举`
        : `${me} 在一个选举超时内没有收到 ${name(e.leader)} 的任何消息，发起选举`;
    case 'election-won':
      return `${me} 赢得任期 ${e.term}`;
    case 'leader-known':
      return e.previous === undefined || e.previous === e.leader
        ? `${me} 跟随任期 ${e.term} 的领导者 ${name(e.leader)}`
        : `${me} 跟随任期 ${e.term} 的新领导者 ${name(e.leader)}（之前是 ${name(e.previous)}）`;
    case 'leader-lost':
      return e.leader === node ? `${me} 不再是领导者（任期 ${e.term}）` : `${me} 失去了领导者 ${name(e.leader)}（任期 ${e.term}）`;
    case 'member-change':
      return `配置变更：${CHANGE_ZH[e.change]} ${name(e.member)}（投票者 ${e.voters.map(name).join(' ') || '无'}）`;
    case 'transfer-finished':
      return `领导权在 ${e.tookMs} 毫秒内从 ${name(e.from)} 移交给了 ${name(e.to)}`;
    case 'peer-connected':
      return `${me}：${name(e.peer)} 可以连通了`;
    case 'peer-disconnected':
      return `${me}：与 ${name(e.peer)} 的连接断开：${e.reason}`;
    case 'heartbeat-late':
      return `${me} 向 ${name(e.to)} 发送心跳晚了 ${e.lateMs} 毫秒（每 ${e.intervalMs} 毫秒一次）：它是否过载，或者磁盘太慢？`;
    case 'slow-fdatasync':
      return `${me}：一次日志的 fdatasync 用了 ${e.tookMs} 毫秒（应在 ${e.expectedMs} 毫秒以内）`;
    case 'slow-apply':
      return `${me}：应用一个请求用了 ${e.tookMs} 毫秒（应在 ${e.expectedMs} 毫秒以内）`;
    case 'removed':
      return `${me} 已被移出集群并停止；必须删除它的数据目录，它才能重新加入`;
  }
}

/** An etcd member's event in Chinese, or null when it is not one or its fields are not all there. */
export function memberLogZh(e: ClusterEvent): string | null {
  if (e.node === null || e.data?.engine !== 'etcd') return null;
  // Every field of the row was read by the table, which is typed over EtcdEvent.
  const read = readRow(e.data, 'type', e.type, FIELDS) as EtcdEvent | null;
  return read === null ? null : sentence(e.node, read);
}
