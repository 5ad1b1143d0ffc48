// A node's own events in Chinese: its lifecycle (started, stopping, recovering, refusals, snapshots
// saved, a fatal error) and its answers to the supervisor's commands, worded from the fields their
// lines carry (src/node/event-stream.ts, src/node/control.ts). A reason the node gives as text (an
// error message, a storage detail) is a value here and stays as it was given.
import type { ControlCommand } from '../node/control.js';
import type { FatalCode, NodeLifecycleEvent } from '../node/event-stream.js';
import { FATAL_CODES } from '../node/event-stream.js';
import { among, count, flag, list, optional, orNull, readRow, record, text, type FieldTable } from './field-table.js';
import type { ClusterEvent } from './model.js';
import type { TransportEvent } from '../transport/events.js';
import { ERROR_CODES } from '../transport/hello.js';

const FIELDS: FieldTable<NodeLifecycleEvent, 'type'> = {
  started: {
    address: text,
    clusterId: text,
    unsafeNoFsync: flag,
    insecureNoAuth: flag,
    tls: flag,
    recovered: record({ entries: count, snapshotIndex: count, term: count }),
    switches: record({ preVote: flag, checkQuorum: flag, bugs: list(text) }),
    startup: record({ loadedMs: count, listeningMs: count }),
  },
  'storage-repaired': { detail: text },
  'entry-refused': { index: count, term: count, code: text, reason: text },
  'snapshot-refused': { from: count, index: count, reason: text },
  'snapshot-saved': { index: count, term: count, bytes: count, serializeMs: count, durableMs: count, superseded: flag },
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
    case 'snapshot-saved':
      return e.superseded
        ? `${me} 丢弃了截至条目 ${e.index} 的快照（${e.bytes} 字节，序列化 ${e.serializeMs} 毫秒，写入 ${e.durableMs} 毫秒）：写入期间已保存了领导者截至更新条目的快照`
        : `${me} 保存了截至条目 ${e.index}（任期 ${e.term}）的快照：${e.bytes} 字节，序列化用了 ${e.serializeMs} 毫秒（期间写入等待），落盘用了 ${e.durableMs} 毫秒（期间写入照常进行）`;
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

const direction = among(['in', 'out']);

const TRANSPORT_FIELDS: FieldTable<TransportEvent, 'type'> = {
  listening: { host: text, port: count },
  'peer-connected': { peer: count, direction },
  'peer-disconnected': { peer: count, direction, reason: text, retryInMs: orNull(count) },
  'connect-failed': { peer: count, attempt: count, reason: text, retryInMs: count },
  'connection-rejected': { direction, remote: text, peer: orNull(count), code: among(ERROR_CODES), reason: text },
  'queue-overflow': { peer: count },
  'message-too-large': { peer: count, message: text, bytes: count, limit: count },
  'client-connected': { client: count, clientId: count, remote: text },
  'client-disconnected': { client: count, reason: text },
  'server-error': { reason: text },
};

/** A transport event in Chinese; a reason the operating system or the peer gave stays as it was given. */
function transportZh(me: string, e: TransportEvent): string {
  switch (e.type) {
    case 'listening':
      return `${me}：在 ${e.host}:${e.port} 上监听`;
    case 'peer-connected':
      return e.direction === 'out' ? `${me}：已连接到 n${e.peer}` : `${me}：n${e.peer} 连了进来`;
    case 'peer-disconnected':
      return e.retryInMs === null
        ? `${me}：n${e.peer} 的连接关闭了：${e.reason}`
        : `${me}：与 n${e.peer} 的连接断开：${e.reason}；${e.retryInMs} 毫秒后重连`;
    case 'connect-failed':
      return `${me}：无法连接 n${e.peer}（第 ${e.attempt} 次尝试）：${e.reason}；${e.retryInMs} 毫秒后重试`;
    case 'connection-rejected': {
      const who = e.peer === null ? e.remote : `n${e.peer}（${e.remote}）`;
      return `${me}：${e.direction === 'in' ? '拒绝了来自' : '关闭了到'} ${who} 的连接：${e.code}：${e.reason}`;
    }
    case 'queue-overflow':
      return `${me}：发往 n${e.peer} 的发送队列已满，正在丢弃最旧的消息（n${e.peer} 是否变慢或已停止？）`;
    case 'message-too-large':
      return `${me}：未发送：发给 n${e.peer} 的 ${e.message} 消息有 ${e.bytes} 字节，超过 ${e.limit} 字节的帧上限`;
    case 'client-connected':
      return `${me}：客户端 ${e.clientId} 从 ${e.remote} 连入（连接 ${e.client}）`;
    case 'client-disconnected':
      return `${me}：客户端连接 ${e.client} 关闭：${e.reason}`;
    case 'server-error':
      return `${me}：监听套接字报告了错误：${e.reason}`;
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
  step: (me) => `${me} 切换了单步模式`,
  deliver: (me) => `${me} 发出了暂扣的消息`,
  drop: (me) => `${me} 丢弃了暂扣的消息`,
  fire: (me) => `${me} 的计时器立即触发`,
  advance: (me) => `${me} 的时钟向前走了`,
};

function isCommandOp(op: unknown): op is ControlCommand['op'] {
  return typeof op === 'string' && Object.hasOwn(ANSWER_ZH, op);
}

/** A node's lifecycle event, transport event or command answer in Chinese, or null when it is not one or its fields are not all there. */
export function nodeEventZh(e: ClusterEvent): string | null {
  if (e.node === null || e.data === undefined) return null;
  const me = `n${e.node}`;
  if (e.kind === 'node') {
    const read = readRow(e.data, 'type', e.type, FIELDS) as NodeLifecycleEvent | null;
    return read === null ? null : lifecycleZh(me, read);
  }
  if (e.kind === 'transport') {
    const read = readRow(e.data, 'type', e.type, TRANSPORT_FIELDS) as TransportEvent | null;
    return read === null ? null : transportZh(me, read);
  }
  if (e.kind === 'control' && e.data.ok === true && isCommandOp(e.data.op)) {
    const index = optional(count)(e.data, 'index');
    return ANSWER_ZH[e.data.op](me, typeof index === 'number' ? index : undefined);
  }
  return null;
}
