// One sentence for each message step mode holds (HeldMessage.text), in English and Chinese, from
// its type (the core's message types, src/raft/types.ts) and its fields (HeldMessage.detail): what
// the learner decides to deliver or drop.
import type { NodeId } from '../raft/types.js';
import type { HeldMessage } from './model.js';

type Held = Pick<HeldMessage, 'from' | 'to' | 'type' | 'term' | 'detail'>;

const num = (d: HeldMessage['detail'], key: string): number => {
  const v = d[key];
  return typeof v === 'number' ? v : 0;
};

const n = (id: NodeId): string => `n${id}`;

/** "entries 5-7 (term 3)", "entry 5 (term 3)", or "no entries". */
function entries(d: HeldMessage['detail']): string {
  const count = num(d, 'entries');
  if (count === 0) return 'no entries';
  const [first, last] = [num(d, 'firstIndex'), num(d, 'lastIndex')];
  return `${first === last ? `entry ${first}` : `entries ${first}-${last}`} (term ${num(d, 'lastTerm')})`;
}

/** The English sentence for a held message, e.g. "n1 asks n3 for a pre-vote in term 2 (its last entry 4, term 1)". */
export function heldText(m: Held): string {
  const { from, to, term, detail: d } = m;
  const last = `its last entry ${num(d, 'lastLogIndex')}, term ${num(d, 'lastLogTerm')}`;
  switch (m.type) {
    case 'pre-vote':
      return `${n(from)} asks ${n(to)} for a pre-vote in term ${term} (${last})`;
    case 'vote':
      return `${n(from)} asks ${n(to)} for its vote in term ${term} (${last})${d.transfer === true ? ', a leadership transfer' : ''}`;
    case 'pre-vote-response':
    case 'vote-response': {
      const what = m.type === 'vote-response' ? 'its vote' : 'a pre-vote';
      return d.granted === true
        ? `${n(from)} grants ${n(to)} ${what} in term ${term}`
        : `${n(from)} refuses ${n(to)} ${what} in term ${term}${typeof d.reason === 'string' ? ` (${d.reason.replaceAll('-', ' ')})` : ''}`;
    }
    case 'append':
      return `${n(from)} sends ${n(to)} ${entries(d)} after ${num(d, 'prevLogIndex')}/${num(d, 'prevLogTerm')}, commit ${num(d, 'leaderCommit')} (term ${term})`;
    case 'append-response':
      return d.success === true
        ? `${n(from)} tells ${n(to)} it holds the log up to ${num(d, 'index')} (term ${term})`
        : `${n(from)} tells ${n(to)} its log does not match at ${num(d, 'index')}: its entry there has term ${num(d, 'conflictTerm')}, from index ${num(d, 'conflictIndex')} (term ${term})`;
    case 'heartbeat':
      return `${n(from)} sends ${n(to)} a heartbeat in term ${term}, commit ${num(d, 'commit')}${d.read === true ? ', confirming a read' : ''}`;
    case 'heartbeat-response':
      return `${n(from)} answers ${n(to)}'s heartbeat in term ${term}${d.read === true ? ', confirming a read' : ''}`;
    case 'snapshot':
      return `${n(from)} sends ${n(to)} its snapshot up to entry ${num(d, 'index')} (term ${num(d, 'snapshotTerm')}) in term ${term}`;
    case 'timeout-now':
      return `${n(from)} tells ${n(to)} to start an election now (a leadership transfer, term ${term})`;
    default:
      return `${n(from)} sends ${n(to)} a ${m.type} message in term ${term}`;
  }
}

/** "条目 5-7（任期 3）". */
function entriesZh(d: HeldMessage['detail']): string {
  const count = num(d, 'entries');
  if (count === 0) return '空的条目列表';
  const [first, last] = [num(d, 'firstIndex'), num(d, 'lastIndex')];
  return `条目 ${first === last ? first : `${first}-${last}`}（任期 ${num(d, 'lastTerm')}）`;
}

const REASON_ZH: Record<string, string> = {
  'stale-term': '任期过旧',
  'already-voted': '已投给别人',
  'log-not-up-to-date': '日志不够新',
  'leader-alive': '领导者仍然活跃',
  recovering: '正在恢复丢失的数据',
};

/** The same sentence in Chinese. */
export function heldTextZh(m: Held): string {
  const { from, to, term, detail: d } = m;
  const last = `它的最后条目 ${num(d, 'lastLogIndex')}，任期 ${num(d, 'lastLogTerm')}`;
  switch (m.type) {
    case 'pre-vote':
      return `${n(from)} 请求 ${n(to)} 在任期 ${term} 预投票（${last}）`;
    case 'vote':
      return `${n(from)} 请求 ${n(to)} 在任期 ${term} 投票（${last}）${d.transfer === true ? '，领导权移交' : ''}`;
    case 'pre-vote-response':
    case 'vote-response': {
      const what = m.type === 'vote-response' ? '投票' : '预投票';
      if (d.granted === true) return `${n(from)} 在任期 ${term} 同意${what}给 ${n(to)}`;
      const why = typeof d.reason === 'string' ? `（${REASON_ZH[d.reason] ?? d.reason}）` : '';
      return `${n(from)} 在任期 ${term} 拒绝${what}给 ${n(to)}${why}`;
    }
    case 'append':
      return `${n(from)} 向 ${n(to)} 发送${entriesZh(d)}，接在 ${num(d, 'prevLogIndex')}/${num(d, 'prevLogTerm')} 之后，提交到 ${num(d, 'leaderCommit')}（任期 ${term}）`;
    case 'append-response':
      return d.success === true
        ? `${n(from)} 告诉 ${n(to)} 它的日志已到 ${num(d, 'index')}（任期 ${term}）`
        : `${n(from)} 告诉 ${n(to)} 它的日志在 ${num(d, 'index')} 处不匹配：那里的条目任期为 ${num(d, 'conflictTerm')}，从索引 ${num(d, 'conflictIndex')} 开始（任期 ${term}）`;
    case 'heartbeat':
      return `${n(from)} 在任期 ${term} 向 ${n(to)} 发送心跳，提交到 ${num(d, 'commit')}${d.read === true ? '，确认一次读' : ''}`;
    case 'heartbeat-response':
      return `${n(from)} 在任期 ${term} 回应 ${n(to)} 的心跳${d.read === true ? '，确认一次读' : ''}`;
    case 'snapshot':
      return `${n(from)} 在任期 ${term} 向 ${n(to)} 发送到条目 ${num(d, 'index')} 的快照（任期 ${num(d, 'snapshotTerm')}）`;
    case 'timeout-now':
      return `${n(from)} 让 ${n(to)} 立即发起选举（领导权移交，任期 ${term}）`;
    default:
      return `${n(from)} 在任期 ${term} 向 ${n(to)} 发送一条 ${m.type} 消息`;
  }
}
