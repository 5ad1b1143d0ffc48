// The members panel: the leader's configuration and whether it is committed, a learner's catch-up
// from the leader's progress, and the changes step by step, in English and Chinese.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { ClusterEvent, ClusterModel } from '../../src/cluster-model/index.js';
import { initialUi } from '../../src/tui/keys.js';
import { labelsFor } from '../../src/tui/labels.js';
import { MembersPanel, membershipSteps } from '../../src/tui/members-panel.js';
import { columns } from '../../src/tui/text-width.js';
import { event, healthy, snapshot } from './fixtures.js';

function panel(m: ClusterModel, opts: { lang?: 'en' | 'zh'; width?: number; rows?: number } = {}): string {
  const { lastFrame, unmount } = render(
    <MembersPanel
      snap={snapshot(m)}
      ui={{ ...initialUi(1), panel: 'members' }}
      width={opts.width ?? 80}
      rows={opts.rows ?? 8}
      labels={labelsFor(opts.lang ?? 'en')}
      colour={false}
    />,
  );
  const out = lastFrame() ?? '';
  unmount();
  return out;
}

/** healthy() with n4 added as a learner at entry 5: the leader has it at match 2 of 5. */
function withLearner(configIndex: number, commit: number, match: number): ClusterModel {
  const m = healthy();
  const leader = m.nodes[0]!.raft!;
  m.nodes[0]!.raft = {
    ...leader,
    membership: { voters: [1, 2, 3], learners: [4] },
    configIndex,
    commit,
    progress: {
      2: { match: 5, next: 6, state: 'replicate' },
      3: { match: 4, next: 5, state: 'replicate' },
      4: { match, next: match + 1, state: 'replicate' },
    },
  };
  return m;
}

const membership = (node: number, index: number, type: string, target: number, voters: number[], learners: number[]): ClusterEvent =>
  event(node, 'membership', `configuration at entry ${index}: ${type} n${target}`, {
    change: { type, node: target },
    membership: { voters, learners },
    index,
  });

describe('the members panel', () => {
  it('shows the configuration as the leader has it, not yet committed, and how far behind the learner is', () => {
    const out = panel(withLearner(5, 4, 2));
    expect(out).toContain('[members] (Tab)');
    expect(out).toContain('configuration of leader n1 (term 2): entry 5, NOT committed yet');
    expect(out).toContain('voters: n1 n2 n3 · learners: n4');
    expect(out).toContain('n4 catching up: holds 2 of 5 entries (3 behind)');
  });

  it('says when the configuration is committed and the learner caught up', () => {
    const out = panel(withLearner(5, 5, 5));
    expect(out).toContain('entry 5, committed');
    expect(out).toContain('n4 caught up (holds 5): it can be promoted');
  });

  it('tells the changes step by step: each configuration entry once, its commit, and a removed leader stepping down', () => {
    const steps = [
      event(null, 'add', 'n4 joins as a learner (entry 5): it receives the log but does not vote'),
      membership(1, 5, 'add-learner', 4, [1, 2, 3], [4]),
      membership(2, 5, 'add-learner', 4, [1, 2, 3], [4]), // the same entry on a follower: told once
      event(1, 'commit', 'entry 5 committed'),
      event(1, 'config-committed', 'configuration at entry 5 is committed: voters n1 n2 n3, learners n4', {
        change: { type: 'add-learner', node: 4 },
        membership: { voters: [1, 2, 3], learners: [4] },
        index: 5,
      }),
      event(1, 'role-change', 'n1 becomes follower in term 2: it was removed from the cluster', { cause: 'removed' }),
      event(2, 'election-won', 'n2 wins term 3 with 2 of 3 votes'),
      event(3, 'election-won', 'n3 wins term 4 with 2 of 3 votes'),
    ];
    expect(membershipSteps(steps).map((e) => `${e.node ?? '-'} ${e.type}`)).toEqual([
      '- add',
      '1 membership',
      '1 config-committed',
      '1 role-change',
      '2 election-won',
    ]);
    const m = withLearner(5, 5, 5);
    m.events = steps;
    const out = panel(m, { rows: 10 });
    expect(out).toContain('the changes, step by step');
    expect(out).toContain('configuration at entry 5 is committed');
    expect(out).toContain('n2 wins term 3');
  });

  it('speaks Chinese and fits 80 columns', () => {
    const out = panel(withLearner(5, 4, 2), { lang: 'zh' });
    expect(out).toContain('领导者 n1 的配置（任期 2）：条目 5，尚未提交');
    expect(out).toContain('n4 正在追赶：持有 5 个条目中的 2 个（落后 3）');
    for (const l of out.split('\n')) expect(columns(l), l).toBeLessThanOrEqual(80);
    expect(panel(healthy())).toContain('no membership change yet');
  });
});
