// Exercise 4: a follower crashes and misses entries; after its restart the leader brings it up to
// date (section 5.3). On etcd, which reports neither its log's end nor commit events, the commit
// indexes tell the same story.
import { knownCommitted, leaderOf, voters } from '../../cluster-model/index.js';
import { reports } from '../../cluster-model/engine.js';
import { majorityRunning, running, staysDown, withMajority } from '../needs.js';
import { isDown, isRunning, leaderCommits, logReach, node, raftOf } from '../observe.js';
import type { Exercise, Texts } from '../types.js';
import { leaderStep } from './common.js';

const CATCHES_UP: Texts = { en: 'the node this step waits to see catch up', zh: '这一步等着看它追上进度的节点' };

export const followerFailure: Exercise = {
  id: 'follower-failure',
  number: 4,
  title: { en: 'Follower failure', zh: '跟随者故障' },
  minutes: 10,
  setup: { nodes: 5, speed: 'slow' },
  goal: {
    en: 'Kill a follower, keep writing, restart it, and watch the leader bring it up to date.',
    zh: '杀掉一个跟随者，继续写入，再重启它，观察领导者如何让它追上进度。',
  },
  prediction: {
    question: {
      en: 'The restarted follower missed entries. How does it get them?',
      zh: '重启的跟随者错过了一些条目。它如何拿到这些条目？',
    },
    answer: {
      en: 'From the leader, with ordinary AppendEntries: the follower rejects an append whose previous entry it lacks, the leader steps back (its nextIndex for that follower) until the logs match, then sends everything after it. No special recovery is needed.',
      zh: '通过普通的 AppendEntries 从领导者那里获得：跟随者拒绝缺少前一条目的追加请求，领导者回退（它为该跟随者记录的 nextIndex）直到日志匹配，然后发送之后的所有条目。不需要特殊的恢复流程。',
    },
    revealAfter: 'catch-up',
  },
  steps: [
    leaderStep,
    {
      id: 'kill',
      text: { en: 'Kill a follower.', zh: '杀掉一个跟随者。' },
      hint: { en: "Select a follower's row (not the leader) and press x.", zh: '选中一个跟随者所在行（不是领导者）并按 x。' },
      command: 'kill <id>',
      needs: [majorityRunning()],
      check: ({ model, facts }) => {
        const down = voters(model)
          .map((id) => node(model, id)!)
          .find((n) => n.id !== facts.leader && isDown(n) && n.process.state !== 'paused');
        if (down === undefined) return false;
        // Where the end of its log is not reported (etcd), the highest commit index known: its own
        // report can lag the leader's, and an entry it holds must not count as one written while it was down.
        const behind = reports(model.engine, 'lastIndex') ? (down.raft?.lastIndex ?? 0) : knownCommitted(model);
        return { follower: down.id, behind };
      },
    },
    {
      id: 'write',
      text: {
        en: 'Submit entries while it is down: they commit on the four others.',
        zh: '在它宕机期间提交条目：它们在其余四个节点上提交。',
      },
      hint: {
        en: 'Press n and type a word, a few times. A majority is 3 of 5.',
        zh: '按 n 并输入一个词，重复几次。多数派是 5 个中的 3 个。',
      },
      command: 'submit <text>',
      needs: [
        staysDown(
          'follower',
          { en: 'the follower that must miss these entries', zh: '必须错过这些条目的跟随者' },
          {
            en: 'an entry written now reaches it at once, and it would have nothing to catch up on.',
            zh: '现在写入的条目会立即到达它，它就没有什么需要追赶的了。',
          },
        ),
        majorityRunning({ besides: 'follower' }),
      ],
      check: ({ since, model, facts }) => {
        if (!isDown(node(model, facts.follower))) return false;
        const e = leaderCommits(since).find((c) => c.to > facts.behind!);
        if (e !== undefined) return { target: e.to };
        // No commit events on etcd: the leader's commit index passing where the follower stopped.
        const commit = leaderOf(model)?.raft?.commit ?? 0;
        return !reports(model.engine, 'lastIndex') && commit > facts.behind! ? { target: commit } : false;
      },
    },
    {
      id: 'restart',
      text: { en: 'Restart the follower.', zh: '重启这个跟随者。' },
      hint: {
        en: 'Select it and press r: it starts from its own data, missing what was written meanwhile.',
        zh: '选中它并按 r：它从自己的数据启动，缺少期间写入的内容。',
      },
      command: 'restart <id>',
      needs: [majorityRunning()],
      check: ({ model, facts }) => isRunning(node(model, facts.follower)),
    },
    {
      id: 'catch-up',
      text: {
        en: 'The leader sends it every entry it missed; it stores and applies them.',
        zh: '领导者把它错过的所有条目发给它；它存储并应用这些条目。',
      },
      hint: { en: "Watch its log, commit and applied columns reach the others'.", zh: '观察它的日志、提交和应用三列追上其他节点。' },
      needs: [
        running('follower', CATCHES_UP, { en: 'the step cannot finish while it is down.', zh: '它宕机时这一步无法完成。' }),
        withMajority('follower', CATCHES_UP, {
          en: 'it cannot hear the leader, so it cannot catch up.',
          zh: '它听不到领导者，所以无法追上进度。',
        }),
        majorityRunning(),
      ],
      check: ({ model, facts }) => {
        const r = raftOf(model, facts.follower);
        return r !== undefined && logReach(model, r) >= facts.target! && r.applied >= facts.target!;
      },
    },
  ],
  explanation: {
    en:
      'Raft paper, section 5.3. ' +
      'A follower that is down delays nothing: the leader needs a majority, and 4 of 5 remain. ' +
      'The leader keeps a nextIndex per follower. ' +
      'The restarted follower rejects an AppendEntries whose previous entry (prevLogIndex, prevLogTerm) it lacks; the leader moves nextIndex back until the logs agree, then sends everything after it. ' +
      "The follower's disk kept all it had acknowledged, so no special recovery is needed.",
    zh:
      'Raft 论文第 5.3 节。' +
      '一个跟随者宕机不会拖慢任何事情：领导者只需要多数派，而 5 个中还剩 4 个。' +
      '领导者为每个跟随者维护一个 nextIndex。' +
      '重启的跟随者会拒绝缺少前一条目（prevLogIndex、prevLogTerm）的 AppendEntries；领导者把 nextIndex 往回移，直到日志一致，然后发送之后的所有条目。' +
      '跟随者的磁盘保存了它确认过的一切，所以不需要特殊的恢复流程。',
  },
  async solution(d) {
    await d.step('leader');
    const follower = voters(d.model).find((id) => id !== d.facts.leader)!;
    await d.act({ op: 'kill', nodes: [follower] });
    await d.step('kill');
    await d.submit('one');
    await d.submit('two');
    await d.step('write');
    await d.act({ op: 'restart', nodes: [follower] });
    await d.step('catch-up');
  },
  etcd: {
    runs: true,
    differs: {
      stepTexts: {
        write: {
          hint: {
            en: "Press n and type a word, a few times. A majority is 3 of 5. etcd does not show its log: watch the leader's commit column.",
            zh: '按 n 并输入一个词，重复几次。多数派是 5 个中的 3 个。etcd 不公开它的日志：观察领导者的提交列。',
          },
        },
        'catch-up': {
          hint: { en: "Watch its commit and applied columns reach the others'.", zh: '观察它的提交和应用两列追上其他成员。' },
        },
      },
    },
  },
};
