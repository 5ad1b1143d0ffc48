import { describe, expect, test } from 'vitest';
import { RaftDriver, type ReadyHandler } from '../../src/node/raft-driver.js';
import { Raft } from '../../src/raft/raft.js';
import type { Ready } from '../../src/raft/ready.js';

/** A handler whose persist step can be held open, recording the order of what it is asked to do. */
function recordingHandler() {
  const log: string[] = [];
  let release: (() => void) | null = null;
  let hold = false;
  const handler: ReadyHandler = {
    observe: () => {},
    persist: (rd: Ready) => {
      log.push(rd.mustSync ? `persist ${rd.entries.map((e) => e.index).join(',')}` : `write commit ${rd.hardState?.commit}`);
      if (!hold) return Promise.resolve();
      return new Promise<void>((resolve) => (release = resolve));
    },
    send: (messages) => log.push(`send ${messages.map((m) => `${m.type}>n${m.to}`).join(',')}`),
    apply: async (rd) => {
      if (rd.committedEntries.length > 0) log.push(`apply ${rd.committedEntries.map((e) => e.index).join(',')}`);
    },
    advanced: async () => {},
  };
  return {
    log,
    handler,
    holdPersist: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

function singleNodeLeader(): Raft {
  const core = new Raft({ id: 1, voters: [1], random: () => 0, electionTimeoutMin: 3, electionTimeoutMax: 3, heartbeatInterval: 1 });
  core.campaign();
  return core;
}

describe('the Ready loop', () => {
  test('persists before it applies, and applies what was committed', async () => {
    const h = recordingHandler();
    const driver = new RaftDriver(singleNodeLeader(), h.handler, (e) => {
      throw e;
    });
    driver.run((core) => core.propose('a'));
    await driver.idle();
    // The commit comes from the leader's own persist, and is written without an fsync.
    expect(h.log).toEqual(['persist 1,2', 'write commit 2', 'apply 1,2']);
  });

  test('proposals made while a persist is in flight share the next persist (group commit)', async () => {
    const h = recordingHandler();
    const driver = new RaftDriver(singleNodeLeader(), h.handler, (e) => {
      throw e;
    });
    driver.run(() => undefined);
    await driver.idle();
    h.log.length = 0;
    h.holdPersist();
    driver.run((core) => core.propose('a'));
    await Promise.resolve();
    for (const v of ['b', 'c', 'd']) driver.run((core) => core.propose(v));
    h.release();
    await driver.idle();
    // Entry 2 commits once persisted, with 3 to 5 in the next persist; 3 to 5 then commit alone.
    expect(h.log).toEqual(['persist 2', 'persist 3,4,5', 'apply 2', 'write commit 5', 'apply 3,4,5']);
  });

  test("a leader's appends leave before its own persist is done; its commit waits for that persist", async () => {
    const h = recordingHandler();
    const core = new Raft({ id: 1, voters: [1, 2, 3], random: () => 0, electionTimeoutMin: 3, electionTimeoutMax: 3, preVote: false });
    const driver = new RaftDriver(core, h.handler, (e) => {
      throw e;
    });
    const ack = (from: number, index: number) =>
      ({ type: 'append-response', from, to: 1, term: 1, success: true, index, conflictTerm: 0, conflictIndex: 0 }) as const;
    driver.run((c) => c.campaign());
    driver.run((c) => c.step({ type: 'vote-response', from: 2, to: 1, term: 1, granted: true }));
    await driver.idle();
    for (const from of [2, 3]) driver.run((c) => c.step(ack(from, 1)));
    await driver.idle();
    h.log.length = 0;
    h.holdPersist();
    driver.run((c) => c.propose('a'));
    await Promise.resolve();
    expect(h.log).toEqual(['send append>n2,append>n3', 'persist 2']);
    // One follower's ack is not a majority while the leader's own write is under way...
    driver.run((c) => c.step(ack(2, 2)));
    expect(core.status().commit).toBe(1);
    // ...two are, without it (dissertation 10.2.1).
    driver.run((c) => c.step(ack(3, 2)));
    expect(core.status().commit).toBe(2);
    h.release();
    await driver.idle();
    expect(h.log.slice(2)).toEqual(['send append>n2,append>n3', 'write commit 2', 'apply 2']);
  });

  test('after advance the applied entries can be compacted (where the node snapshots)', async () => {
    const h = recordingHandler();
    const compacted: number[] = [];
    const driver = new RaftDriver(singleNodeLeader(), h.handler, (e) => {
      throw e;
    });
    h.handler.advanced = async (rd) => {
      const last = rd.committedEntries.at(-1);
      if (last) compacted.push(driver.core.compact(last.index, 'state').meta.index);
    };
    driver.run((core) => core.propose('a'));
    await driver.idle();
    expect(compacted).toEqual([2]);
    expect(driver.core.status().snapshotIndex).toBe(2);
  });

  test('a failed persist stops the node: nothing is sent or applied after it', async () => {
    const failures: unknown[] = [];
    const h = recordingHandler();
    h.handler.persist = () => Promise.reject(new Error('disk full'));
    const driver = new RaftDriver(singleNodeLeader(), h.handler, (e) => failures.push(e));
    driver.run((core) => core.propose('a'));
    await driver.idle();
    expect(failures).toHaveLength(1);
    expect(h.log).toEqual([]);
    expect(() => driver.run((core) => core.propose('b'))).toThrow(/storage failure/);
  });
});
