// Repeated transport noise in a cluster's story folds into one line with a count, in the history
// and as events arrive, without moving any other event.
import { describe, expect, test } from 'vitest';
import { EventFold, foldEvents, foldedText, type FoldedEvent } from '../../src/cluster-model/event-fold.js';
import type { ClusterEvent } from '../../src/cluster-model/model.js';

let clock = 0;
function cannotReach(node: number, peer: number, attempt: number): ClusterEvent {
  return {
    ts: (clock += 100),
    node,
    kind: 'transport',
    type: 'connect-failed',
    text: `n${node}: cannot reach n${peer} (attempt ${attempt}): connect ECONNREFUSED; retrying in ${attempt * 100} ms`,
    data: { peer, attempt, reason: 'connect ECONNREFUSED', retryInMs: attempt * 100 },
  };
}
function raft(node: number, text: string): ClusterEvent {
  return { ts: (clock += 100), node, kind: 'raft', type: 'role-change', text, data: {} };
}
function n2ToN4(type: string, text: string): ClusterEvent {
  return { ts: (clock += 100), node: 2, kind: 'transport', type, text, data: { peer: 4 } };
}
const lines = (folded: FoldedEvent[]): string[] => folded.map(foldedText);

describe('folding transport noise', () => {
  test('a run of failed connections to one peer becomes its first line with the count', () => {
    const events = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((a) => cannotReach(1, 5, a));
    const folded = foldEvents(events);
    expect(lines(folded)).toEqual(['n1: cannot reach n5 (×12): connect ECONNREFUSED']);
    expect(folded[0]!.event).toBe(events[0]);
    expect(folded[0]!.lastTs).toBe(events[11]!.ts);
  });

  test('interleaved retries of several nodes fold per node and peer, in the order they began', () => {
    const events = [cannotReach(1, 5, 1), cannotReach(2, 5, 1), cannotReach(1, 5, 2), cannotReach(1, 4, 1), cannotReach(2, 5, 2)];
    expect(lines(foldEvents(events))).toEqual([
      'n1: cannot reach n5 (×2): connect ECONNREFUSED',
      'n2: cannot reach n5 (×2): connect ECONNREFUSED',
      events[3]!.text,
    ]);
  });

  test('any other event ends the run, so noise after it starts a new line', () => {
    const leader = raft(3, 'n3 becomes leader in term 2');
    const events = [cannotReach(1, 5, 1), cannotReach(1, 5, 2), leader, cannotReach(1, 5, 3)];
    expect(lines(foldEvents(events))).toEqual(['n1: cannot reach n5 (×2): connect ECONNREFUSED', leader.text, events[3]!.text]);
  });

  test('other noise keeps its sentence and gains the count', () => {
    const overflow = n2ToN4('queue-overflow', 'n2: the send queue to n4 is full');
    expect(lines(foldEvents([overflow, { ...overflow, ts: 2 }, { ...overflow, ts: 3 }]))).toEqual([
      'n2: the send queue to n4 is full (×3)',
    ]);
  });

  test('a connection that keeps dropping says so without its first retry delay', () => {
    const dropped: ClusterEvent = {
      ...n2ToN4('peer-disconnected', 'n2: lost the connection to n4: closed by the other side; reconnecting in 33 ms'),
      data: { peer: 4, direction: 'out', reason: 'closed by the other side', retryInMs: 33 },
    };
    expect(lines(foldEvents([dropped, { ...dropped, ts: dropped.ts + 1 }]))).toEqual([
      'n2: lost the connection to n4 (×2): closed by the other side',
    ]);
  });

  test('a connection coming back is never folded', () => {
    const connected = n2ToN4('peer-connected', 'n2: connected to n4');
    expect(foldEvents([connected, { ...connected, ts: 2 }])).toHaveLength(2);
  });

  test('as events arrive, the first of a run shows at once and its count when the run ends', () => {
    const fold = new EventFold();
    const first = cannotReach(1, 5, 1);
    expect(lines(fold.push(first))).toEqual([first.text]);
    expect(fold.push(cannotReach(1, 5, 2))).toEqual([]);
    expect(fold.push(cannotReach(1, 5, 3))).toEqual([]);
    const leader = raft(3, 'n3 becomes leader in term 2');
    expect(lines(fold.push(leader))).toEqual(['n1: cannot reach n5 (×3): connect ECONNREFUSED', leader.text]);
    expect(fold.flush()).toEqual([]);
  });

  test('flushing ends the runs: a run seen once has nothing more to say', () => {
    const fold = new EventFold();
    fold.push(cannotReach(1, 5, 1));
    fold.push(cannotReach(2, 5, 1));
    fold.push(cannotReach(2, 5, 2));
    expect(lines(fold.flush())).toEqual(['n2: cannot reach n5 (×2): connect ECONNREFUSED']);
    const again = cannotReach(2, 5, 3);
    expect(lines(fold.push(again))).toEqual([again.text]);
  });
});
