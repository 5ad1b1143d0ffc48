// Actions' outcomes and refusals, and the supervisor's own events, in Chinese: the same facts as
// the supervisor's English sentences, worded from their codes and fields (outcome.ts, errors.ts),
// with full-width punctuation. Values stay as they are: ids, indexes, addresses, paths, commands.
import { majorityOf } from '../raft/membership.js';
import type { NodeId } from '../raft/types.js';
import type { ClusterProblem } from './errors.js';
import type { LinkFaultModel, ProcessState, SafetyVerdict, Timing } from './model.js';
import type { LeaderLoss, Outcome, Placed } from './outcome.js';
import { megabytes } from './replay-format.js';

const ids = (list: readonly NodeId[]): string => list.map((id) => `n${id}`).join('、');
const they = (list: readonly NodeId[]): string => (list.length === 1 ? '它' : '它们');

const PROPERTY_ZH: Record<Extract<SafetyVerdict, { ok: false }>['property'], string> = {
  'Election Safety': '选举安全',
  'Log Matching': '日志匹配',
  'Leader Completeness': '领导者完整性',
  'State Machine Safety': '状态机安全',
};

const STATE_ZH: Record<ProcessState, string> = {
  starting: '正在启动',
  running: '正在运行',
  paused: '已暂停',
  stopped: '已停止',
  killed: '已被杀死',
  crashed: '已崩溃',
  unreachable: '无法连接',
};

/** "选举超时 150-300 毫秒，心跳每 50 毫秒，tick 10 毫秒（normal）", as describeTiming says it in English. */
export function timingZh(t: Timing): string {
  return `选举超时 ${t.electionTimeoutMs.min}-${t.electionTimeoutMs.max} 毫秒，心跳每 ${t.heartbeatMs} 毫秒，tick ${t.tickMs} 毫秒（${t.preset}）`;
}

function lossZh(loss: LeaderLoss | null): string {
  if (loss === null) return '';
  const { leader, left, voters, electionMs: t } = loss;
  return loss.elects
    ? `；n${leader} 原是领导者：剩下的 ${left} 个投票者是 ${voters} 个中的多数，会在 ${t.min}-${t.max} 毫秒内收不到消息后选出新的领导者`
    : `；n${leader} 原是领导者，${voters} 个投票者中只剩 ${left} 个在运行：不足多数，在足够多的节点回来之前没有新的领导者，也无法提交`;
}

function linkZh(l: LinkFaultModel): string {
  const what = l.blocked
    ? ['切断']
    : [l.delayMs > 0 ? `延迟 ${l.delayMs} 毫秒` : '', l.loss > 0 ? `丢包 ${+(l.loss * 100).toFixed(1)}%` : ''].filter((w) => w !== '');
  return `n${l.from} -> n${l.to} ${what.length === 0 ? '正常' : what.join('，')}`;
}

const group = (g: readonly NodeId[]): string => `{${g.join(',')}}`;

const moved = (movedTo: string | null): string => (movedTo === null ? '它原本没有数据目录' : `它的旧数据目录保存在 ${movedTo}`);

const quoteZh = (text: string): string => `“${text}”`;
const placedZh = (at: Placed): string => `：在条目 ${at.index}、任期 ${at.term} 提交，领导者 ${at.leader}`;

const voterCount = (voters: number): string => `现在有 ${voters} 个投票者，多数为 ${majorityOf(voters)}`;

/** What was done, or what the supervisor tells, as a Chinese sentence. */
export function outcomeZh(o: Outcome): string {
  switch (o.code) {
    case 'killed':
      return `杀死了 ${ids(o.nodes)}（SIGKILL）：相当于崩溃；${they(o.nodes)}的磁盘保留已确认的内容${lossZh(o.leader)}`;
    case 'stopped':
      return `停止了 ${ids(o.nodes)}（SIGTERM）：${they(o.nodes)}完成写入后正常关闭${lossZh(o.leader)}`;
    case 'restarted':
      return `以原编号和数据重启了 ${ids(o.nodes)}${o.stoppedFirst.length > 0 ? `（先停止了 ${ids(o.stoppedFirst)}）` : ''}：${they(o.nodes)}重放日志并从领导者那里追上进度`;
    case 'paused':
      return `暂停了 ${ids(o.nodes)}（SIGSTOP）：像一次很长的垃圾回收停顿那样冻结；恢复之前${they(o.nodes)}不回应任何消息${lossZh(o.leader)}`;
    case 'resumed':
      return `恢复了 ${ids(o.nodes)}（SIGCONT）：${they(o.nodes)}继续运行，不知道过去了多久，并从收到的第一条消息得知当前任期`;
    case 'partitioned':
      return (
        `网络已分区：${o.groups.map(group).join(' | ')}；` +
        (o.majority.length === 0
          ? '没有任何一组拥有多数投票者：修复之前什么也无法提交'
          : `只有 ${group(o.majority)} 拥有多数投票者：它可以选出领导者并提交`) +
        (o.cutLeader === 0
          ? ''
          : o.checkQuorum
            ? `；领导者 n${o.cutLeader} 被困在少数派中，一旦得不到多数回应就会下台`
            : `；领导者 n${o.cutLeader} 被困在少数派中，且 CheckQuorum 已关闭，它会一直以为自己是领导者，直到得知更高的任期：它收下的写入都无法提交`)
      );
    case 'link':
      return `链路 ${o.links.map(linkZh).join('；')}${o.oneWay ? '（单向）' : ''}`;
    case 'healed':
      return o.mended === 0 ? '网络没有故障：无需修复' : `网络已修复：所有链路恢复传递（修复了 ${o.mended} 条故障链路）`;
    case 'campaign':
      return `n${o.node} 立即发起选举，就像它的选举计时器到期了一样`;
    case 'transferred':
      return `n${o.from} 把领导权移交给了 n${o.to}：n${o.to} 领导任期 ${o.term}`;
    case 'transferring':
      return `n${o.from} 正在把领导权移交给 n${o.to}，后者还没有接任（领导者在一个选举超时后放弃）`;
    case 'speed':
      return `速度 ${o.timing.preset}：${timingZh(o.timing)}`;
    case 'added':
      return `添加了 n${o.node}，地址 127.0.0.1:${o.port}：以学习者加入，追上日志，提升为投票者（条目 ${o.index}）；${voterCount(o.voters)}`;
    case 'added-learner':
      return `添加了 n${o.node}，地址 127.0.0.1:${o.port}，身份是学习者（条目 ${o.index}）：它接收日志但不投票；它追上进度后，\`raft-console promote ${o.node}\` 会把它提升为投票者`;
    case 'promoted':
      return `把 n${o.node} 提升为投票者（条目 ${o.index}）；${voterCount(o.voters)}`;
    case 'removed': {
      const note =
        o.index === 0
          ? `n${o.node} 不在配置中`
          : `变更在条目 ${o.index} 提交${o.wasLeader ? `；n${o.node} 在此之前一直是领导者，并已移交领导权` : ''}`;
      return `移除了 n${o.node}：${note}；n${o.node} 已停止；${voterCount(o.voters)}`;
    }
    case 'replaced':
      return `替换了 n${o.node}：${moved(o.movedTo)}；它从空开始，用 ${(o.tookMs / 1000).toFixed(1)} 秒追上了条目 ${o.untilIndex}；任期超过 ${o.aboveTerm} 后它会重新投票`;
    case 'down':
      return `停止了集群 ${o.name}（${o.nodes} 个节点）${o.purged ? `并删除了 ${o.folder}` : `；数据保留在 ${o.folder}：\`raft-console up${o.name === 'default' ? '' : ` --name ${o.name}`}\` 可以再次启动它`}`;
    case 'submitted':
      return `已提交 ${quoteZh(o.entry)}${placedZh(o.at)}`;
    case 'put':
      return `${o.key} = ${quoteZh(o.value)}（${o.previous === null ? '新键' : `原为 ${quoteZh(o.previous)}`}）${placedZh(o.at)}`;
    case 'read':
      return o.value === null
        ? `${o.key} 未设置（在提交索引 ${o.index} 读取）`
        : `${o.key} = ${quoteZh(o.value)}（在提交索引 ${o.index} 读取）`;
    case 'deleted':
      return o.existed ? `删除了 ${o.key}${placedZh(o.at)}` : `${o.key} 本未设置：没有删除任何内容${placedZh(o.at)}`;
    case 'cas':
      return o.swapped
        ? `${o.key}：${quoteZh(o.expected)} -> ${quoteZh(o.value)}${placedZh(o.at)}`
        : `${o.key} 没有改变：它的值是 ${o.current === null ? '（未设置）' : quoteZh(o.current)}，不是 ${quoteZh(o.expected)}${placedZh(o.at)}`;
    case 'adding':
      return `正在添加 n${o.node}，地址 127.0.0.1:${o.port}：每个节点先得知它的地址，然后它以空状态启动，等待被加入`;
    case 'learner':
      return `n${o.node} 以学习者身份加入（条目 ${o.index}）：它接收日志但不投票`;
    case 'catching-up':
      return `n${o.node} 正在追赶：已提交的 ${o.of ?? '?'} 个条目中它已有 ${o.holds} 个`;
    case 'removing':
      return `正在移除 n${o.node}（条目 ${o.index}）：变更提交后它会被停止`;
    case 'replacing':
      return `正在替换 n${o.node}：${moved(o.movedTo)}；它以空状态启动，追上条目 ${o.untilIndex} 之后才会重新投票`;
    case 'up':
      return (
        `${o.created ? '创建' : '启动'}了集群 ${o.name}：节点 ${ids(o.nodes)}` +
        `${o.failed > 0 ? `（${o.failed} 个没有启动）` : ''}；${timingZh(o.timing)}${o.fsync ? '' : '；不安全：fsync 已关闭'}`
      );
    case 'shutdown':
      return `监督进程停止${o.nodes > 0 ? `，${o.nodes} 个节点随之停止` : ''}`;
    case 'crashed': {
      const how = o.signal ?? `退出码 ${o.exitCode}`;
      return `n${o.node} 崩溃了（${how}）${o.cause === null ? '' : `：${o.cause}`}`;
    }
    case 'start-failed':
      return `n${o.node} 没有启动起来${o.cause === null ? '' : `：${o.cause}`}`;
    case 'safety-violation':
      return `安全性被破坏：${PROPERTY_ZH[o.property]}（${ids(o.nodes)}）`;
    case 'step':
      return o.on
        ? `单步模式开启：${ids(o.nodes)} 的时钟停止，每条 Raft 消息都被暂扣，直到你投递或丢弃它（\`raft-console step list\`）`
        : `单步模式关闭：${o.released === 0 ? '' : `暂扣的 ${o.released} 条消息按暂扣的顺序发出，`}每个时钟从停下的地方继续走`;
    case 'delivered':
      return `投递了 ${o.ids.join('、')}${o.lost.length === 0 ? '' : `（${o.lost.join('、')} 被链路上的故障丢弃）`}`;
    case 'dropped':
      return `丢弃了 ${o.ids.join('、')}，就像网络丢了它们一样`;
    case 'fired':
      return o.timer === 'election'
        ? `n${o.node} 的选举超时到了：它按自己的规则行事（开启 PreVote 时先请求预投票）；它的消息被暂扣`
        : `n${o.node} 的心跳计时器到了：它向每个跟随者发送心跳；这些消息被暂扣`;
    case 'advanced':
      return `每个时钟向前走了 ${o.ticks} 个 tick（${o.ticks * o.tickMs} 毫秒）`;
    case 'held-lost':
      return `n${o.node} 的进程结束了，它暂扣的 ${o.ids.join('、')} 随之丢失`;
    case 'recording-off':
      return `录制已停止：无法写入 ${o.path}（${o.cause}）；集群照常运行，直到监督进程重新启动前不再录制`;
  }
}

/** What to do about a node in that state, before an action can be done to it. */
function stateFix(node: NodeId, state: ProcessState): string {
  switch (state) {
    case 'starting':
      return '等它启动完成';
    case 'running':
      return '它没有被暂停';
    case 'paused':
      return '先恢复它';
    case 'unreachable':
      return '等它重新应答';
    default:
      return `用 \`raft-console restart ${node}\` 重新启动它`;
  }
}

const OP_ZH: Record<string, string> = {
  kill: '杀死',
  stop: '停止',
  restart: '重启',
  pause: '暂停',
  resume: '恢复',
  replace: '替换',
  promote: '提升',
  transfer: '移交领导权',
  remove: '移除',
  add: '添加',
  partition: '分区',
  isolate: '隔离',
  link: '改变链路',
  heal: '修复网络',
  campaign: '发起选举',
  speed: '改变速度',
  step: '切换单步模式',
  deliver: '投递消息',
  drop: '丢弃消息',
  fire: '触发计时器',
  advance: '推进时钟',
  down: '关闭',
};

/** Why an action was refused, as a Chinese sentence; null for a problem with no words of its own ('failed'): its English sentence is all there is. */
export function problemZh(p: ClusterProblem): string | null {
  switch (p.code) {
    case 'not-running':
      return '没有正在运行的这个集群';
    case 'port-in-use':
      return `端口 ${p.port} 已被占用${p.owner === null ? '' : `（${p.owner}）`}`;
    case 'bad-file':
      return `文件 ${p.path} 已损坏，或不是 raft-console 写的`;
    case 'too-big':
      return `录像 ${p.path} 有 ${megabytes(p.bytes)} MB，超过 ${megabytes(p.limit)} MB 的上限，没有读取：如果它是用更大的 recording-cap 录制的，请设置那个上限（\`raft-console config set recording-cap MB\`）后再回放；否则它已损坏或不是录像，请把它（或其中较旧的文件）移走`;
    case 'not-a-node':
      return p.removed ? `n${p.node} 已被移出集群` : `没有节点 ${p.node}`;
    case 'node-state': {
      const why = `它${STATE_ZH[p.state]}；${stateFix(p.node, p.state)}`;
      if (p.op === 'campaign') return `n${p.node} 无法发起选举：${why}`;
      if (p.op === 'transfer') return `无法把领导权移交给 n${p.node}：${why}`;
      return `无法${OP_ZH[p.op] ?? p.op} n${p.node}：${why}`;
    }
    case 'listed-twice':
      return `n${p.node} 被列出了两次`;
    case 'no-leader':
      return (
        `${(p.waitedMs / 1000).toFixed(1)} 秒内没有领导者：` +
        (p.running < p.needed
          ? `${p.voters} 个投票者中只有 ${p.running} 个在运行，需要 ${p.needed} 个：请重启或恢复节点`
          : p.faults
            ? '网络故障可能把多数节点隔开了：用 `heal` 修复'
            : '可能仍在选举中：请重试')
      );
    case 'shutting-down':
      return '集群正在关闭';
    case 'one-group':
      return '分区至少需要两组，例如 `raft-console partition 1,2 3,4,5`（没有列出的节点另成一组）';
    case 'same-node':
      return `一条链路连接两个不同的节点，却两次给出了 n${p.node}`;
    case 'link-unsaid':
      return '请说明怎样改变这条链路：丢包概率（1 表示切断）、延迟，或两者都给；`heal` 清除所有故障';
    case 'already-leader':
      return `n${p.node} 已经是领导者（任期 ${p.term}）`;
    case 'only-node':
      return `n${p.node} 是唯一的节点：没有可以隔离它的对象`;
    case 'not-a-learner':
      return p.voter
        ? `n${p.node} 已经是投票者：只有学习者才能被提升（\`raft-console add --learner\` 添加一个学习者）`
        : `n${p.node} 不是学习者：它的加入没有完成，不在任何配置中（\`raft-console remove ${p.node}\` 把它移出，\`raft-console add --learner\` 添加一个新的）`;
    case 'last-voter':
      return `n${p.node} 是最后一个投票者：集群不能移除唯一的投票者（请用 \`raft-console down\`）`;
    case 'interrupted':
      return `n${p.node} 在启动完成之前${p.by === 'killed' ? '被杀死' : '被停止'}了`;
    case 'did-not-start':
      return `n${p.node} 没有启动起来${p.cause === null ? '' : `：${p.cause}`}`;
    case 'read-only':
      return `这个集群以只读方式连接：${OP_ZH[p.op] ?? p.op} 会改变它；用 --allow-changes 连接才能移交领导权、提升或移除成员`;
    case 'engine-unsupported':
      if (!p.remote) return `${p.engine} 集群不支持${OP_ZH[p.op] ?? `\`${p.op}\``}`;
      if (p.op === 'add')
        return `raft-console 不运行这个 ${p.engine} 集群的成员：先用 \`etcdctl member add\` 加入新成员，再在它的机器上按输出的 --initial-cluster 以 --initial-cluster-state existing 启动它`;
      return `raft-console 不运行这个 ${p.engine} 集群的成员，不能${OP_ZH[p.op] ?? p.op}：杀死、暂停和分区只能用于它自己运行的集群（\`up --engine etcd\`）`;
    case 'etcd-missing':
      return `没有安装 etcd（找不到 ${p.bin}）：\`sudo apt-get install etcd-server\`（Debian、Ubuntu），或用 --etcd-bin 给出它的路径`;
    case 'engine-mismatch':
      return `这个集群运行的是 ${p.engine}，不是 ${p.asked}：去掉 --engine 启动它，或用 \`raft-console down --purge\` 删除后重新创建`;
    case 'etcd-failed':
      return `etcd 没有完成${OP_ZH[p.op] ?? `\`${p.op}\``}：\`${p.cause.replaceAll('`', "'")}\``;
    case 'step-off':
      return `集群不在单步模式：\`raft-console step on\` 之后才能${OP_ZH[p.op] ?? p.op}`;
    case 'not-held':
      return `没有节点暂扣着 ${p.ids.join('、')}：它们已被投递、丢弃，或随发送者一起丢失（\`raft-console step list\` 列出暂扣的消息）`;
    case 'no-timer':
      return p.timer === 'election'
        ? `n${p.node} 没有选举计时器：领导者没有（改为触发它的心跳），学习者也没有`
        : `n${p.node} 不是领导者：只有领导者发送心跳`;
    case 'replay':
      return '这是一段录像，不是正在运行的集群：回放中不能执行任何操作';
    case 'unfit-cluster':
      return p.voters < 4 || p.voters % 2 !== 0
        ? `${p.episode} 需要偶数个投票者，至少 4 个（这个集群有 ${p.voters} 个）：check --nodes 4`
        : `${p.episode} 在单步模式下运行，跟随者的租约永不过期：check --no-pre-vote --no-check-quorum`;
    case 'failed':
      return null;
  }
}
