// The core's events in Chinese: the same facts as describeEvent's English sentences (events.ts),
// worded from the event's fields, with full-width punctuation. Ids, indexes and terms stay as they
// are ("n3", "5-7"), so a sentence still names what the dashboard shows.
import type { AppendRejection, ProposalRefusal, RaftEvent, RoleChangeCause } from './events.js';
import type { ConfChangeType, NodeId, Role, VoteRefusal } from './types.js';

const ROLE_ZH: Record<Role, string> = {
  follower: '跟随者',
  'pre-candidate': '预候选人',
  candidate: '候选人',
  leader: '领导者',
};

const REFUSAL_ZH: Record<VoteRefusal, string> = {
  'stale-term': '对方的任期落后',
  'already-voted': '它在本任期已经投过票',
  'log-not-up-to-date': '它自己的日志更新',
  'leader-alive': '它最近刚收到过领导者的消息',
  recovering: '它丢失过数据，追上之前不投票',
};

const CAUSE_ZH: Record<RoleChangeCause, string> = {
  'election-timeout': '它的选举计时器到期',
  'pre-vote-won': '多数节点愿意投票给它',
  'won-election': '它赢得了选举',
  'higher-term': '它看到了更高的任期',
  'leader-found': '它收到了本任期领导者的消息',
  'check-quorum': '它在一个选举超时内没有收到多数节点的回应',
  removed: '它已被移出集群',
  transfer: '领导者把领导权移交给了它',
  'campaign-requested': '它被要求立即发起选举',
  'election-lost': '多数节点拒绝为它投票',
};

const PROPOSAL_ZH: Record<ProposalRefusal, string> = {
  'not-leader': '它不是领导者',
  'transfer-in-progress': '正在移交领导权',
  'config-change-pending': '上一个成员变更还没有提交',
  'learner-not-caught-up': '学习者还没有追上日志',
  'invalid-change': '无效的成员变更',
};

const CHANGE_ZH: Record<ConfChangeType, string> = { 'add-learner': '添加学习者', promote: '提升为投票者', remove: '移除' };

const REJECTIONS: Record<AppendRejection, true> = { 'missing-entries': true, 'term-mismatch': true, 'overwrites-committed': true };

/** The values of each enumerated field that the sentences have words for: what a reader of an event line accepts. */
export const EVENT_WORDS = {
  roles: Object.keys(ROLE_ZH) as Role[],
  causes: Object.keys(CAUSE_ZH) as RoleChangeCause[],
  refusals: Object.keys(REFUSAL_ZH) as VoteRefusal[],
  proposals: Object.keys(PROPOSAL_ZH) as ProposalRefusal[],
  changes: Object.keys(CHANGE_ZH) as ConfChangeType[],
  rejections: Object.keys(REJECTIONS) as AppendRejection[],
};

const name = (id: NodeId): string => (id === 0 ? '无人' : `n${id}`);

/** "条目 5" or "条目 5-7". */
const entries = (from: number, to: number): string => (from === to ? `条目 ${from}` : `条目 ${from}-${to}`);

/** The event as a Chinese sentence; `tickMs`, when known, turns tick counts into seconds, as in English. */
export function describeEventZh(node: NodeId, e: RaftEvent, tickMs?: number): string {
  const me = name(node);
  const within = (ticks: number): string => (tickMs === undefined ? `${ticks} 个 tick 内` : `${((ticks * tickMs) / 1000).toFixed(1)} 秒内`);
  const round = (r: 'pre-vote' | 'vote'): string => (r === 'pre-vote' ? '预投票' : '投票');
  switch (e.type) {
    case 'election-timeout':
      return e.leader === 0
        ? `${me} 在 ${within(e.ticks)}没有收到任何领导者的消息，发起选举`
        : `${me} 在 ${within(e.ticks)}没有收到 ${name(e.leader)} 的任何消息，发起选举`;
    case 'role-change':
      return `${me} 在任期 ${e.term} 成为${ROLE_ZH[e.to]}：${CAUSE_ZH[e.cause]}`;
    case 'campaign':
      return e.round === 'pre-vote'
        ? `${me} 询问 ${e.voters} 个投票者是否会在任期 ${e.term} 选它（预投票）`
        : `${me} 为任期 ${e.term} 发起选举${e.transfer ? '（领导权移交）' : ''}`;
    case 'vote-cast':
      return e.granted
        ? `${me} 在任期 ${e.term} ${e.round === 'pre-vote' ? '愿意投票给' : '投票给'} ${name(e.candidate)}`
        : `${me} 在任期 ${e.term} 拒绝 ${name(e.candidate)}${e.round === 'pre-vote' ? '（预投票）' : ''}：${REFUSAL_ZH[e.reason ?? 'stale-term']}`;
    case 'vote-received':
      return `${me} 收到 ${name(e.from)} 对任期 ${e.term} 的${round(e.round)}${e.granted ? '' : '拒绝'}（已得 ${e.grantedTotal} 票，需要 ${e.needed} 票）`;
    case 'election-won':
      return `${me} 以 ${e.voters} 票中的 ${e.votes} 票赢得任期 ${e.term}`;
    case 'election-lost':
      return `${me} 输掉了任期 ${e.term} 的${e.round === 'pre-vote' ? '预投票' : '选举'}：${e.voters} 个投票者中 ${e.rejections} 个拒绝`;
    case 'append-rejected':
      switch (e.reason) {
        case 'missing-entries':
          return `${me} 拒绝 ${name(e.leader)} 发来的条目：它在索引 ${e.prevLogIndex} 处还没有条目`;
        case 'term-mismatch':
          return `${me} 拒绝 ${name(e.leader)} 发来的条目：它的条目 ${e.prevLogIndex} 属于任期 ${e.conflictTerm}，而不是 ${e.prevLogTerm}`;
        case 'overwrites-committed':
          return `${me} 拒绝领导者 ${name(e.leader)} 发来的任期 ${e.prevLogTerm} 的条目 ${e.prevLogIndex}：它自己任期 ${e.conflictTerm} 的条目 ${e.prevLogIndex} 已提交，而领导者必须拥有每个已提交的条目`;
      }
      break;
    case 'truncate':
      return `${me} 删除与领导者 ${name(e.leader)} 冲突的${entries(e.from, e.to)}（任期 ${e.terms.join('、')}）`;
    case 'commit':
      return e.voters > 0
        ? `${entries(e.from, e.to)} 已提交：${e.voters} 个投票者中有 ${e.replicas} 个已存储`
        : `${me} 得知${entries(e.from, e.to)} 已提交`;
    case 'snapshot-sent':
      return `${me} 向 ${name(e.to)} 发送截至条目 ${e.index} 的快照：它落后于已压缩的日志`;
    case 'snapshot-installed':
      return `${me} 安装来自 ${name(e.from)} 的快照，截至条目 ${e.index}（任期 ${e.term}）`;
    case 'snapshot-taken':
      return `${me} 把日志压缩到条目 ${e.index}`;
    case 'membership':
      return `条目 ${e.index} 处的配置变更：${CHANGE_ZH[e.change.type]} ${name(e.change.node)}（投票者 ${e.membership.voters.map(name).join(' ') || '无'}）`;
    case 'config-committed':
      return `条目 ${e.index} 处的配置已提交：投票者 ${e.membership.voters.map(name).join(' ') || '无'}，学习者 ${e.membership.learners.map(name).join(' ') || '无'}`;
    case 'proposal-refused':
      return `${me} 拒绝一个提议：${PROPOSAL_ZH[e.reason]}${e.leader !== 0 ? `（领导者是 ${name(e.leader)}）` : ''}`;
    case 'transfer-started':
      return `${me} 在任期 ${e.term} 把领导权移交给 ${name(e.target)}`;
    case 'transfer-aborted':
      return `${me} 放弃把领导权移交给 ${name(e.target)}：它没有及时接任`;
    case 'stale-message':
      return `${me} 忽略 ${name(e.from)} 发来的旧任期 ${e.messageTerm} 的 ${e.message} 消息（它的任期是 ${e.term}）`;
    case 'follower-lost-data':
      return `${name(e.follower)} 不再有它确认过的直到 ${e.acknowledged} 的条目：它丢失了数据；${me} 重新向它发送日志`;
    case 'recovery-finished':
      return `${me} 在丢失数据后追上了条目 ${e.index}，可以重新投票（任期 ${e.term} 高于 ${e.aboveTerm}）`;
  }
}
