// Waiting on a ClusterSource: `until` checks its test now and after every change the source tells
// of (no polling), gives up after its timeout or once the cluster is gone, and leaves no listener behind.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { until, type ClusterEvent, type ClusterModel, type ClusterSource } from '../../src/cluster-model/index.js';
import { model, node } from './fixtures.js';

/** A source whose model the test replaces, telling its listeners as a control client would. */
class FakeSource implements ClusterSource {
  readonly changes = new Set<(events: readonly ClusterEvent[]) => void>();
  readonly gone = new Set<(why: string) => void>();
  constructor(public model: ClusterModel) {}
  subscribe(listener: (events: readonly ClusterEvent[]) => void): () => void {
    this.changes.add(listener);
    return () => this.changes.delete(listener);
  }
  onGone(listener: (why: string) => void): () => void {
    this.gone.add(listener);
    return () => this.gone.delete(listener);
  }
  act = () => Promise.resolve({ ok: true, text: '' });
  change(next: ClusterModel): void {
    this.model = next;
    for (const l of this.changes) l([]);
  }
  end(why: string): void {
    for (const l of this.gone) l(why);
  }
}

const follower = (): ClusterModel => model([node(1, {}), node(2, {})]);
const led = (): ClusterModel => model([node(1, { role: 'leader', leader: 1 }), node(2, { leader: 1 })]);
const hasLeader = (m: ClusterModel): boolean => m.nodes.some((n) => n.raft?.role === 'leader');

describe('until', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('resolves true at once when the test holds already', async () => {
    const source = new FakeSource(led());
    expect(await until(source, hasLeader, 1000)).toBe(true);
    expect(source.changes.size + source.gone.size).toBe(0);
  });

  it('resolves true at the change that makes the test hold, without a timer tick', async () => {
    const source = new FakeSource(follower());
    const waiting = until(source, hasLeader, 1000);
    source.change(follower());
    source.change(led());
    expect(await waiting).toBe(true);
    expect(source.changes.size + source.gone.size).toBe(0);
  });

  it('resolves false after the timeout', async () => {
    const source = new FakeSource(follower());
    const waiting = until(source, hasLeader, 1000);
    await vi.advanceTimersByTimeAsync(999);
    source.change(follower());
    await vi.advanceTimersByTimeAsync(1);
    expect(await waiting).toBe(false);
    expect(source.changes.size + source.gone.size).toBe(0);
  });

  it('resolves false once the cluster is gone', async () => {
    const source = new FakeSource(follower());
    const waiting = until(source, hasLeader, 1000);
    source.end('the supervisor closed the connection');
    expect(await waiting).toBe(false);
    expect(source.changes.size + source.gone.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with what the test throws', async () => {
    const source = new FakeSource(follower());
    const waiting = until(
      source,
      (m) => {
        if (m.nodes.length > 2) throw new Error('three nodes');
        return false;
      },
      1000,
    );
    source.change(model([node(1, {}), node(2, {}), node(3, {})]));
    await expect(waiting).rejects.toThrow('three nodes');
    expect(source.changes.size + source.gone.size).toBe(0);
  });
});
