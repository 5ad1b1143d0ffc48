// The story is told in time order although each node's lines arrive on a pipe of their own, and a
// vote told after its term's leader is known says so instead of reading as news.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { LiveModel } from '../../src/supervisor/live-model.js';
import { model, node } from '../cluster-model/fixtures.js';
import { nodeWrites } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

const nodes = (): ReturnType<typeof model> => model([1, 2, 3, 4, 5].map((id) => node(id, null)));

describe('the story of a live model', () => {
  test('lines that arrive out of order are told in time order once the window has passed', () => {
    vi.useFakeTimers();
    let now = 1000;
    const live = new LiveModel(nodes(), null, { reorderMs: 75, now: () => now });
    const told: string[][] = [];
    live.onChange((events) => {
      if (events.length > 0) told.push(events.map((e) => e.text));
    });
    nodeWrites(live, 4, {
      ts: 1000,
      node: 4,
      kind: 'raft',
      type: 'campaign',
      round: 'vote',
      term: 1,
      voters: 5,
      transfer: false,
      text: 'n4 starts',
    });
    nodeWrites(live, 2, { ts: 990, node: 2, kind: 'node', type: 'stopping', reason: 'test', text: 'n2 earlier' });
    now = 1074;
    vi.advanceTimersByTime(74);
    expect(live.model.events.map((e) => e.text)).toEqual([]);
    now = 1075;
    vi.advanceTimersByTime(1);
    expect(live.model.events.map((e) => e.text)).toEqual(['n2 earlier', 'n4 starts']);
    expect(told).toEqual([['n2 earlier', 'n4 starts']]);
  });

  test('a vote granted after its term has a leader is marked late, in its sentence and its data; a refusal stays news', () => {
    const live = new LiveModel(nodes(), null, { reorderMs: 75, now: () => 0 });
    const vote = (ts: number, round: string, text: string): void =>
      nodeWrites(live, 5, { ts, node: 5, kind: 'raft', type: 'vote-cast', round, candidate: 4, term: 1, granted: true, text });
    vote(810, 'vote', 'n5 votes for n4 in term 1'); // before n4 won: news
    nodeWrites(live, 4, { ts: 815, node: 4, kind: 'raft', type: 'election-won', term: 1, votes: 3, voters: 5, text: 'n4 wins term 1' });
    vote(821, 'pre-vote', 'n5 would vote for n4 in term 1');
    nodeWrites(live, 5, {
      ts: 829,
      node: 5,
      kind: 'raft',
      type: 'role-change',
      from: 'pre-candidate',
      to: 'follower',
      term: 1,
      cause: 'higher-term',
      text: 'n5 becomes follower in term 1: it saw a higher term',
    });
    vote(830, 'vote', 'n5 votes for n4 in term 1');
    nodeWrites(live, 3, {
      ts: 840,
      node: 3,
      kind: 'raft',
      type: 'vote-cast',
      round: 'pre-vote',
      candidate: 1,
      term: 1,
      granted: false,
      reason: 'leader-alive',
      text: 'n3 refuses n1 (pre-vote) in term 1: it heard from a leader recently',
    });
    live.flushEvents();
    expect(live.model.events.map((e) => [e.text, e.data?.leaderOfTerm])).toEqual([
      ['n5 votes for n4 in term 1', undefined],
      ['n4 wins term 1', undefined],
      ['n5 would vote for n4 in term 1 (n4 already leads term 1)', 4],
      ['n5 becomes follower in term 1: it saw a higher term', undefined],
      ['n5 votes for n4 in term 1 (n4 already leads term 1)', 4],
      ['n3 refuses n1 (pre-vote) in term 1: it heard from a leader recently', undefined],
    ]);
  });
});
