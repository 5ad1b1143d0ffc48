// What the steps of the exercises need of the cluster (Step.needs), as builders: a learner keeps
// every key during an exercise, and when a fault of theirs takes the step off its path, the panel
// says what happened in plain words and the set-up key (X) puts it right. Each builder names the
// node by the fact a step remembered (`leader`, `follower`...) and says the node's part in the
// step (`role`), so that the sentence reads "you killed n3, the follower that must catch up: ...".
import { groupOf, hasMajority, members, voters, type Action, type ClusterModel, type NodeModel } from '../cluster-model/index.js';
import { majorityOf } from '../raft/membership.js';
import type { NodeId } from '../raft/types.js';
import { isDown, node } from './observe.js';
import type { Need, StepContext, Texts } from './types.js';

/** What a learner did to a node that is down, as the node's process state tells it. */
function didTo(n: NodeModel): Texts {
  const id = `n${n.id}`;
  if (n.removed) return { en: `you removed ${id}`, zh: `你移除了 ${id}` };
  switch (n.process.state) {
    case 'killed':
      return { en: `you killed ${id}`, zh: `你杀掉了 ${id}` };
    case 'stopped':
      return { en: `you stopped ${id}`, zh: `你停止了 ${id}` };
    case 'paused':
      return { en: `you paused ${id}`, zh: `你暂停了 ${id}` };
    case 'crashed':
      return { en: `${id} crashed`, zh: `${id} 崩溃了` };
    default:
      return { en: `${id} cannot be reached`, zh: `${id} 无法连接` };
  }
}

/**
 * Up: its process runs or is starting, and it is still a member. A node just added whose process
 * has not started yet (shown stopped, never started) is not down: nobody took it down.
 */
function up(n: NodeModel | undefined): boolean {
  return n !== undefined && !n.removed && (!isDown(n) || n.process.startedAt === null);
}

/** The action that brings a down node back: resume a paused one, restart the others. */
function bringBack(n: NodeModel): Action {
  return n.process.state === 'paused' ? { op: 'resume', nodes: [n.id] } : { op: 'restart', nodes: [n.id] };
}

/** The key that brings it back, in words. */
function bringBackByHand(n: NodeModel): Texts {
  return n.process.state === 'paused'
    ? { en: `resume n${n.id} (select it, press z)`, zh: `恢复 n${n.id}（选中它，按 z）` }
    : { en: `restart n${n.id} (select it, press r)`, zh: `重启 n${n.id}（选中它，按 r）` };
}

/** A node that was removed cannot come back: only a new start of the exercise helps. */
const START_AGAIN: Texts = {
  en: 'it cannot come back: quit (q) and start the exercise again',
  zh: '它无法回来：退出（q）后重新开始这个练习',
};

function joined(list: readonly string[], lang: 'en' | 'zh'): string {
  return lang === 'zh' ? list.join('、') : list.length < 2 ? list.join('') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}

/** Texts made of one English and one Chinese builder over the same arguments. */
function both(f: (lang: 'en' | 'zh') => string): Texts {
  return { en: f('en'), zh: f('zh') };
}

function factNode(ctx: StepContext, fact: string): NodeModel | undefined {
  const id = ctx.facts[fact];
  return id === undefined ? undefined : node(ctx.model, id);
}

/**
 * The voters other than `besides` (a fact) that are down, killed or stopped ones first: a set-up
 * brings those back before the paused ones, which exercises pause on purpose (1, 2, 5).
 */
function downVoters(model: ClusterModel, besides: NodeId | undefined): NodeModel[] {
  const down = voters(model)
    .filter((id) => id !== besides)
    .map((id) => node(model, id))
    .filter((n): n is NodeModel => n !== undefined && !up(n));
  return [...down.filter((n) => n.process.state !== 'paused'), ...down.filter((n) => n.process.state === 'paused')];
}

/**
 * A majority of the voters up (Raft elects and commits only with a majority, section 5.2 and 5.3);
 * with `besides`, a majority without that node (a fact): the one the step is about to lose.
 * Paused nodes count as up with `pausedUp` (an exercise that freezes the nodes itself, exercise 1).
 */
export function majorityRunning(o: { besides?: string; pausedUp?: boolean } = {}): Need {
  const count = (ctx: StepContext): { upCount: number; total: number; need: number; missing: NodeModel[] } => {
    const besides = o.besides === undefined ? undefined : ctx.facts[o.besides];
    const v = voters(ctx.model);
    const missing = downVoters(ctx.model, besides).filter((n) => !(o.pausedUp === true && n.process.state === 'paused'));
    const total = v.filter((id) => id !== besides).length;
    return { upCount: total - missing.length, total, need: majorityOf(v.length), missing };
  };
  return {
    holds: (ctx) => {
      const c = count(ctx);
      return c.upCount >= c.need;
    },
    broken: (ctx) => {
      const c = count(ctx);
      const besides = o.besides === undefined ? undefined : ctx.facts[o.besides];
      return both((lang) => {
        const did = joined(
          c.missing.map((n) => didTo(n)[lang]),
          lang,
        );
        const v = voters(ctx.model).length;
        const without = besides === undefined ? '' : lang === 'zh' ? `（不算 n${besides}）` : ` besides n${besides}`;
        return lang === 'zh'
          ? `${did}：${v} 个投票者中只剩 ${c.upCount} 个在运行${without}，而选举和提交都需要多数派（${c.need} 个），这一步无法继续。`
          : `${did}: only ${c.upCount} of ${v} voters run${without}, and electing a leader or committing needs a majority (${c.need}), so the step cannot go on.`;
      });
    },
    fix: (ctx) => {
      const c = count(ctx);
      const back = c.missing.filter((n) => !n.removed).slice(0, c.need - c.upCount);
      return both((lang) =>
        back.length === 0
          ? START_AGAIN[lang]
          : joined(
              back.map((n) => bringBackByHand(n)[lang]),
              lang,
            ),
      );
    },
    restore: (ctx) => {
      const c = count(ctx);
      const back = c.missing.filter((n) => !n.removed);
      return back.length < c.need - c.upCount ? [] : back.slice(0, c.need - c.upCount).map(bringBack);
    },
  };
}

/** No partition and no blocked link: every running node hears the others (a step that waits for all of them). */
export function networkWhole(why: Texts): Need {
  const whole = (m: ClusterModel): boolean => m.partition.length === 0 && !m.links.some((l) => l.blocked);
  return {
    holds: ({ model }) => whole(model),
    broken: ({ model }) =>
      both((lang) => {
        const cut = model.partition.length > 0 ? model.partition.map((g) => g.map((id) => `n${id}`).join(lang === 'zh' ? '、' : ' ')) : [];
        const how =
          cut.length > 0
            ? lang === 'zh'
              ? `你划分了网络（${cut.join(' | ')}）`
              : `you cut the network (${cut.join(' | ')})`
            : lang === 'zh'
              ? '你阻断了一条链路'
              : 'you blocked a link';
        return lang === 'zh' ? `${how}：${why.zh}` : `${how}: ${why.en}`;
      }),
    fix: () => ({ en: 'heal the network (press h)', zh: '修复网络（按 h）' }),
    restore: () => [{ op: 'heal' }],
  };
}

/** The node in `fact` (`role` says its part, "the follower that must catch up") is up: running or starting. */
export function running(fact: string, role: Texts, why: Texts): Need {
  return {
    // A node the model does not show yet (a node just added) is not down.
    holds: (ctx) => {
      const n = factNode(ctx, fact);
      return n === undefined || up(n);
    },
    broken: (ctx) => {
      const n = factNode(ctx, fact)!;
      return both((lang) => (lang === 'zh' ? `${didTo(n).zh}，即${role.zh}：${why.zh}` : `${didTo(n).en}, ${role.en}: ${why.en}`));
    },
    fix: (ctx) => {
      const n = factNode(ctx, fact)!;
      return n.removed ? START_AGAIN : bringBackByHand(n);
    },
    restore: (ctx) => {
      const n = factNode(ctx, fact)!;
      return n.removed ? [] : [bringBack(n)];
    },
  };
}

/** The node in `fact` stays down (killed, stopped or paused) while the step runs without it. */
export function staysDown(fact: string, role: Texts, why: Texts): Need {
  return {
    holds: (ctx) => {
      const n = factNode(ctx, fact);
      return n === undefined || !up(n);
    },
    broken: (ctx) =>
      both((lang) =>
        lang === 'zh'
          ? `你让 n${ctx.facts[fact]}（${role.zh}）又运行起来了：${why.zh}`
          : `you brought n${ctx.facts[fact]}, ${role.en}, back: ${why.en}`,
      ),
    fix: (ctx) => ({ en: `kill n${ctx.facts[fact]} again (select it, press x)`, zh: `再次杀掉 n${ctx.facts[fact]}（选中它，按 x）` }),
    restore: (ctx) => [{ op: 'kill', nodes: [ctx.facts[fact]!] }],
  };
}

/** The node in `fact` is cut off alone (isolated), as the step set it up. */
export function staysIsolated(fact: string, role: Texts, why: Texts): Need {
  return {
    holds: (ctx) => {
      const id = ctx.facts[fact];
      return id === undefined || groupOf(ctx.model, id).length === 1;
    },
    broken: (ctx) =>
      both((lang) =>
        lang === 'zh'
          ? `你修复了网络，n${ctx.facts[fact]}（${role.zh}）不再被隔离：${why.zh}`
          : `you healed the network, and n${ctx.facts[fact]}, ${role.en}, is no longer cut off: ${why.en}`,
      ),
    fix: (ctx) => ({
      en: `isolate n${ctx.facts[fact]} again (select it, press i)`,
      zh: `再次隔离 n${ctx.facts[fact]}（选中它，按 i）`,
    }),
    restore: (ctx) => [{ op: 'isolate', node: ctx.facts[fact]! }],
  };
}

/** The node in `fact` is on the side of a majority, and no blocked link touches it: it hears the leader. */
export function withMajority(fact: string, role: Texts, why: Texts): Need {
  const heard = (m: ClusterModel, id: NodeId): boolean =>
    hasMajority(m, groupOf(m, id)) && !m.links.some((l) => l.blocked && (l.from === id || l.to === id) && m.partition.length === 0);
  return {
    holds: (ctx) => {
      const id = ctx.facts[fact];
      return id === undefined || heard(ctx.model, id);
    },
    broken: (ctx) =>
      both((lang) =>
        lang === 'zh'
          ? `你把 n${ctx.facts[fact]}（${role.zh}）和多数派隔开了：${why.zh}`
          : `you cut n${ctx.facts[fact]}, ${role.en}, off from the majority: ${why.en}`,
      ),
    fix: () => ({ en: 'heal the network (press h)', zh: '修复网络（按 h）' }),
    restore: () => [{ op: 'heal' }],
  };
}

/**
 * The node in `fact` still leads, and runs. A leader that went down is not made leader again by a
 * restart: the set-up brings every down voter back and goes back to the step `rewind` (a step that
 * finds the leader again), as its facts name a leader that is gone.
 */
export function stillLeads(fact: string, role: Texts, why: Texts, rewind: string): Need {
  return {
    holds: (ctx) => {
      const n = factNode(ctx, fact);
      return ctx.facts[fact] === undefined || (up(n) && n!.raft?.role === 'leader');
    },
    broken: (ctx) => {
      const n = factNode(ctx, fact);
      const what =
        n !== undefined && !up(n) ? didTo(n) : { en: `n${ctx.facts[fact]} no longer leads`, zh: `n${ctx.facts[fact]} 不再是领导者` };
      return both((lang) => (lang === 'zh' ? `${what.zh}，即${role.zh}：${why.zh}` : `${what.en}, ${role.en}: ${why.en}`));
    },
    fix: () => ({
      en: 'bring every node back (select each, press r or z) and do the steps again from the leader on',
      zh: '让所有节点回来（逐个选中，按 r 或 z），从领导者那一步起重做',
    }),
    restore: (ctx) =>
      downVoters(ctx.model, undefined)
        .filter((n) => !n.removed)
        .map(bringBack),
    rewind,
  };
}

/** Every member up, paused ones counted as up when `pausedUp` (the exercise pauses one itself). */
export function allUp(why: Texts, o: { pausedUp?: boolean } = {}): Need {
  const missing = (m: ClusterModel): NodeModel[] =>
    members(m).filter((n) => !up(n) && !(o.pausedUp === true && n.process.state === 'paused'));
  return {
    holds: ({ model }) => missing(model).length === 0,
    broken: ({ model }) =>
      both((lang) => {
        const did = joined(
          missing(model).map((n) => didTo(n)[lang]),
          lang,
        );
        return lang === 'zh' ? `${did}：${why.zh}` : `${did}: ${why.en}`;
      }),
    fix: ({ model }) =>
      both((lang) =>
        joined(
          missing(model).map((n) => bringBackByHand(n)[lang]),
          lang,
        ),
      ),
    restore: ({ model }) => missing(model).map(bringBack),
  };
}

/** Why a step that waits for a leader cannot go on while the network is cut. */
export const EVERY_NODE_FOLLOWS: Texts = {
  en: 'this step waits until every running node follows one leader, and a node cut off cannot hear it.',
  zh: '这一步要等所有运行中的节点都跟随同一个领导者，而被隔开的节点听不到它。',
};
