// The core's events in Chinese: every kind and every variant has a sentence of its own, with
// full-width punctuation, whatever the tick length.
import { describe, expect, it } from 'vitest';
import { describeEventZh } from '../../src/raft/events-zh.js';
import type { RaftEvent } from '../../src/raft/events.js';
import { expectChinese } from '../support/full-width.js';
import { variants } from './event-samples.js';
import { newCluster } from './harness.js';

const more: RaftEvent[] = [
  {
    type: 'vote-received',
    round: 'pre-vote',
    from: 3,
    term: 2,
    granted: false,
    reason: 'leader-alive',
    grantedTotal: 1,
    rejectedTotal: 1,
    needed: 2,
  },
  { type: 'election-lost', round: 'vote', term: 5, rejections: 3, voters: 5 },
  { type: 'truncate', leader: 2, term: 4, from: 6, to: 6, terms: [3] },
  { type: 'proposal-refused', reason: 'config-change-pending', leader: 0 },
];

describe('the core events in Chinese', () => {
  it('every kind and variant reads as a Chinese sentence with full-width punctuation, with and without the tick length', () => {
    for (const e of [...variants, ...more]) for (const tickMs of [undefined, 100]) expectChinese(describeEventZh(1, e, tickMs));
  });

  it('a tick count becomes seconds when the tick length is known', () => {
    const e: RaftEvent = { type: 'election-timeout', term: 3, ticks: 14, leader: 2 };
    expect(describeEventZh(1, e, 100)).toBe('n1 在 1.4 秒内没有收到 n2 的任何消息，发起选举');
    expect(describeEventZh(1, e)).toContain('14 个 tick');
  });

  it('words every event a busy cluster produces', () => {
    const c = newCluster([1, 2, 3, 4, 5], { seed: 31 });
    c.tickUntil(() => c.leader() !== undefined, 100);
    c.propose(c.leader()!, 'v');
    c.tickAll(3);
    c.isolate(c.leader()!);
    c.tickAll(60);
    c.heal();
    c.tickAll(30);
    for (const { node, event } of c.eventLog) expectChinese(describeEventZh(node, event));
  });
});
