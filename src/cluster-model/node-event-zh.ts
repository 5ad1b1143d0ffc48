// A node's own events in Chinese: its lifecycle (started, stopping, recovering, refusals, a fatal
// error) and its answers to the supervisor's commands, worded from the fields their lines carry
// (src/node/event-stream.ts, src/node/control.ts). A reason the node gives as text (an error
// message, a storage detail) is a value here and stays as it was given.
import type { ControlCommand } from '../node/control.js';
import type { FatalCode, NodeLifecycleEvent } from '../node/event-stream.js';
import { FATAL_CODES } from '../node/event-stream.js';
import { among, count, flag, list, optional, readRow, record, text, type FieldTable } from './field-table.js';
import type { ClusterEvent } from './model.js';

const FIELDS: FieldTable<NodeLifecycleEvent, 'type'> = {
  started: {
    address: text,
    clusterId: text,
    unsafeNoFsync: flag,
    insecureNoAuth: flag,
    tls: flag,
    recovered: record({ entries: count, snapshotIndex: count, term: count }),
    switches: record({ preVote: flag, checkQuorum: flag, bugs: list(text) }),
  },
  'storage-repaired': { detail: text },
  'entry-refused': { index: count, term: count, code: text, reason: text },
  'snapshot-refused': { from: count, index: count, reason: text },
  recovering: { untilIndex: count, aboveTerm: count, lostData: flag, found: record({ term: count, lastIndex: count }) },
  stopping: { reason: text },
  fatal: { code: among(FATAL_CODES), reason: text },
};

const FATAL_ZH: Record<FatalCode, string> = {
  'port-in-use': '端口被占用',
  address: '地址不可用',
  'disk-full': '磁盘已满',
  permission: '权限不足',
  'data-dir': '数据目录损坏或属于别的节点',
  internal: '内部错误',
};

function lifecycleZh(me: string, e: NodeLifecycleEvent): string {
  switch (e.type) {
    case 'started': {
      const r = e.recovered;
      return (
        `${me} 在 ${e.address} 上监听${e.tls ? '（双向 TLS）' : ''}（任期 ${r.term}，磁盘上有 ${r.entries} 个条目${e.unsafeNoFsync ? '，不安全：fsync 已关闭' : ''}）` +
        (e.insecureNoAuth ? '；！！！不安全：没有集群密钥，任何能连到这个端口的进程都可以加入或写入集群！！！' : '') +
        (e.switches.preVote ? '' : '；PreVote 已关闭') +
        (e.switches.checkQuorum ? '' : '；CheckQuorum 已关闭') +
        e.switches.bugs.map((b) => `；！！！已知缺陷已开启：${b}！！！`).join('')
      );
    }
    case 'storage-repaired':
      return `${me} 修复了被崩溃打断的存储写入：${e.detail}`;
    case 'entry-refused':
      return `${me} 拒绝了已提交的条目 ${e.index}（任期 ${e.term}），${e.code}：${e.reason}；所有副本都同样拒绝它，它不改变任何东西`;
    case 'snapshot-refused':
      return `${me} 拒绝了来自 n${e.from} 截至条目 ${e.index} 的快照：${e.reason}`;
    case 'recovering': {
      const rule = `在追上条目 ${e.untilIndex} 且任期高于 ${e.aboveTerm} 之前，它不发起选举，只在这样的任期中投票给日志达到该条目的候选人`;
      return e.lostData
        ? `${me} 丢失了数据：它的数据目录中只有任期 ${e.found.term} 和截至 ${e.found.lastIndex} 的条目；${rule}`
        : `${me} 仍在从数据丢失中恢复：${rule}`;
    }
    case 'stopping':
      return `${me} 停止：${e.reason}`;
    case 'fatal':
      return `${me} 因错误退出（${FATAL_ZH[e.code]}）：${e.reason}`;
  }
}

/** What each command the supervisor sends a node does, as its answer says when done. */
const ANSWER_ZH: Record<ControlCommand['op'], (me: string, index: number | undefined) => string> = {
  faults: (me) => `${me} 设置了网络故障`,
  heal: (me) => `${me} 的网络已修复`,
  campaign: (me) => `${me} 立即发起选举`,
  transfer: (me) => `${me} 开始移交领导权`,
  'add-peer': (me) => `${me} 得知了一个新节点的地址`,
  'remove-peer': (me) => `${me} 忘记了一个已移除的节点`,
  'conf-change': (me, index) => `${me} 提议了成员变更${index === undefined ? '' : `，条目 ${index}`}`,
  tick: (me) => `${me} 调整了 tick 的长度`,
};

function isCommandOp(op: unknown): op is ControlCommand['op'] {
  return typeof op === 'string' && Object.hasOwn(ANSWER_ZH, op);
}

/** A node's lifecycle event or command answer in Chinese, or null when it is not one or its fields are not all there. */
export function nodeEventZh(e: ClusterEvent): string | null {
  if (e.node === null || e.data === undefined) return null;
  const me = `n${e.node}`;
  if (e.kind === 'node') {
    const read = readRow(e.data, 'type', e.type, FIELDS) as NodeLifecycleEvent | null;
    return read === null ? null : lifecycleZh(me, read);
  }
  if (e.kind === 'control' && e.data.ok === true && isCommandOp(e.data.op)) {
    const index = optional(count)(e.data, 'index');
    return ANSWER_ZH[e.data.op](me, typeof index === 'number' ? index : undefined);
  }
  return null;
}
