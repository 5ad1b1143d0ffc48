// Flow control: the pipelining window, message size caps, probing, and batching of proposals
// (etcd raft_flow_control_test.go and the Progress states).
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/raft/types.js';
import { newCluster } from './harness.js';

const dataBytes = (es: Entry[]): number => es.reduce((n, e) => n + (e.type === 'normal' ? e.data.length : 0), 0);

describe('flow control', () => {
  it('no more than maxInflightMsgs appends are in flight to a follower in replicate state', () => {
    const c = newCluster([1, 2, 3], { config: { maxInflightMsgs: 3 } });
    c.electLeader(1);
    expect(c.status(1).progress[2]!.state).toBe('replicate');
    // proposals one Ready at a time, nothing delivered: each could be its own append
    for (let i = 0; i < 10; i++) {
      expect(c.propose(1, `p${i}`).ok).toBe(true);
      expect(c.status(1).progress[2]!.inflight).toBeLessThanOrEqual(3);
    }
    for (const to of [2, 3]) {
      const appends = c.queued('append', (m) => m.to === to && m.entries.length > 0);
      expect(appends.length).toBeGreaterThan(0);
      expect(appends.length).toBeLessThanOrEqual(3);
    }
    c.deliverAll();
    c.tickAll(3);
    for (const id of [2, 3]) expect(c.applied(id)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
  });

  it('the window opens again as acknowledgements come back', () => {
    const c = newCluster([1, 2, 3], { config: { maxInflightMsgs: 2 } });
    c.electLeader(1);
    for (let i = 0; i < 6; i++) c.propose(1, `p${i}`);
    expect(c.queued('append', (m) => m.to === 2).length).toBeLessThanOrEqual(2);
    // deliver one append to n2 and its response: a new append may go out, still within the window
    const first = c.queue.findIndex((m) => m.type === 'append' && m.to === 2);
    const [m] = c.queue.splice(first, 1);
    c.deliver(m!);
    c.deliverWhere((x) => x.type === 'append-response' && x.from === 2);
    expect(c.queued('append', (x) => x.to === 2).length).toBeLessThanOrEqual(2);
    expect(c.status(1).progress[2]!.inflight).toBeLessThanOrEqual(2);
  });

  it('each append carries at most maxEntriesPerMsg entries', () => {
    const c = newCluster([1, 2, 3], { config: { maxEntriesPerMsg: 2 } });
    c.electLeader(1);
    const mark = c.mark();
    // 7 proposals in one Ready
    for (let i = 0; i < 7; i++) c.raft(1).propose(`b${i}`);
    c.flush(1);
    c.deliverAll();
    // and a follower catching up from far behind
    c.isolate(3);
    for (let i = 0; i < 7; i++) {
      c.propose(1, `s${i}`);
      c.deliverAll();
    }
    c.heal();
    c.tickAll(10);
    const appends = c.sentOf('append', () => true, mark);
    expect(appends.length).toBeGreaterThan(0);
    for (const a of appends) expect(a.entries.length).toBeLessThanOrEqual(2);
    expect(c.applied(3)).toEqual(c.applied(1));
    expect(c.applied(3)).toHaveLength(14);
  });

  it('each append carries at most maxBytesPerMsg bytes of entries', () => {
    const c = newCluster([1, 2, 3], { config: { maxBytesPerMsg: 1000 } });
    c.electLeader(1);
    const mark = c.mark();
    for (let i = 0; i < 6; i++) c.raft(1).propose(`${i}`.padEnd(400, 'x'));
    c.flush(1);
    c.deliverAll();
    c.tickAll(4);
    const appends = c.sentOf('append', (m) => m.entries.length > 0, mark);
    for (const a of appends) {
      expect(a.entries.length).toBeLessThanOrEqual(2);
      expect(dataBytes(a.entries)).toBeLessThanOrEqual(1000);
    }
    for (const id of [2, 3]) expect(c.applied(id)).toHaveLength(6);
  });

  it('an entry larger than maxBytesPerMsg still goes out, alone', () => {
    const c = newCluster([1, 2, 3], { config: { maxBytesPerMsg: 100 } });
    c.electLeader(1);
    const mark = c.mark();
    c.raft(1).propose('a'.repeat(500));
    c.raft(1).propose('b'.repeat(500));
    c.flush(1);
    c.deliverAll();
    c.tickAll(4);
    const appends = c.sentOf('append', (m) => m.entries.length > 0, mark);
    expect(appends.length).toBeGreaterThan(0);
    for (const a of appends) expect(a.entries).toHaveLength(1);
    for (const id of [2, 3]) expect(c.applied(id)).toEqual(['a'.repeat(500), 'b'.repeat(500)]);
  });

  it('a follower whose match is unknown is probed with one append at a time', () => {
    const c = newCluster([1, 2, 3]);
    c.crash(3);
    const mark = c.mark();
    c.electLeader(1);
    expect(c.status(1).progress[3]!.state).toBe('probe');
    for (let i = 0; i < 5; i++) {
      c.propose(1, `p${i}`);
      c.deliverAll();
    }
    expect(c.status(1).commit).toBe(6);
    // the election's append to n3 went unanswered: nothing more until it answers
    expect(c.sentOf('append', (m) => m.to === 3, mark).length).toBeLessThanOrEqual(1);
    expect(c.status(1).progress[3]!.state).toBe('probe');
    c.restart(3);
    c.tickAll(6);
    expect(c.applied(3)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(c.status(1).progress[3]!.state).toBe('replicate');
  });

  it('a follower that rejects an append is backed up to its log and caught up', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    c.isolate(3);
    c.propose(1, 'a');
    c.deliverAll();
    c.heal();
    // n3 lost the append: the next one does not fit its log and is rejected
    c.propose(1, 'b');
    c.deliverWhere((m) => m.to === 3 || m.from === 3);
    expect(c.sentOf('append-response', (m) => m.from === 3 && !m.success).length).toBeGreaterThan(0);
    c.deliverAll();
    c.tickAll(3);
    expect(c.applied(3)).toEqual(['a', 'b']);
    expect(c.status(1).progress[3]).toMatchObject({ state: 'replicate', match: 3, next: 4 });
  });

  it('proposals made before one ready() go out as one append per follower', () => {
    const c = newCluster([1, 2, 3]);
    c.electLeader(1);
    const mark = c.mark();
    for (let i = 0; i < 5; i++) expect(c.raft(1).propose(`x${i}`)).toMatchObject({ ok: true, index: 2 + i });
    c.flush(1);
    for (const to of [2, 3]) {
      const appends = c.sentOf('append', (m) => m.to === to, mark);
      expect(appends).toHaveLength(1);
      expect(appends[0]!.entries.map((e) => e.index)).toEqual([2, 3, 4, 5, 6]);
    }
  });
});
