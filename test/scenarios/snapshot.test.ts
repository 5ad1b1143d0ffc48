// Log compaction and InstallSnapshot (Raft paper section 7): the MIT 6.5840 lab's part 3D
// (TestSnapshotBasic3D, TestSnapshotInstall3D, TestSnapshotInstallUnreliable3D,
// TestSnapshotInstallCrash3D, TestSnapshotInstallUnCrash3D), on SimCluster.
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/types.js';
import { LabNet, checkOneLeader, converge, eventsOf, expectAllAgree, newCluster, recordEvents, seeds, testRandom } from './helpers.js';

/** The lab's SnapShotInterval: the simulator compacts a node once this many applied entries sit in its log. */
const INTERVAL = 10;

describe('snapshot install', () => {
  it.each(seeds(3))(
    'a follower disconnected while the others compact far past it rejoins and catches up through InstallSnapshot (seed %i)',
    (seed) => {
      const c = newCluster(3, seed, { compactEvery: 5 });
      const net = new LabNet(c);
      const rec = recordEvents(c);
      expect(c.one('si-0', 3)).toBeGreaterThan(0);
      const leader = checkOneLeader(c);
      const behind = c.ids().find((id) => id !== leader)!;
      net.disconnect(behind);
      const values = ['si-0'];
      for (let i = 1; i <= 50; i++) {
        values.push(`si-${i}`);
        expect(c.one(`si-${i}`, 2), `si-${i}`).toBeGreaterThan(0);
      }
      // The others compacted far past everything the follower holds.
      const lag = c.node(behind).storage.lastIndex;
      for (const id of c.ids().filter((id) => id !== behind)) {
        expect(c.node(id).storage.snapshotIndex).toBeGreaterThan(lag + 40);
        expect(c.node(id).storage.entries.length).toBeLessThan(10);
      }
      expect(eventsOf(rec, 'snapshot-installed', behind)).toEqual([]);

      net.connect(behind);
      expect(converge(c, c.ids(), 51)).toBe(true);
      const installs = eventsOf(rec, 'snapshot-installed', behind);
      expect(installs.length).toBeGreaterThanOrEqual(1);
      expect(installs[0]!.from).toBe(c.leader());
      expect(installs[0]!.index).toBeGreaterThan(lag + 40);
      expect(eventsOf(rec, 'snapshot-sent', c.leader()).some((e) => e.to === behind)).toBe(true);
      expect(c.status(behind)!.snapshotIndex).toBeGreaterThanOrEqual(installs[0]!.index);
      expect(expectAllAgree(c)).toEqual(values);

      // The state machine it got from the snapshot survives its own crash.
      c.crash(behind);
      c.restart(behind);
      expect(c.runUntil(() => c.appliedValues(behind).length === 51, 50)).toBe(true);
      expect(c.one('si-after', 3)).toBeGreaterThan(0);
      expect(expectAllAgree(c)).toEqual([...values, 'si-after']);
      c.assertSafe();
    },
  );

  // The lab's snapcommon(): 30 rounds; each round a victim (usually a follower, every third round
  // the leader) is disconnected or crashed, more than an interval of entries is proposed, then the
  // victim comes back and must catch up, by snapshot when it fell behind the compacted log.
  const variants = [
    { name: 'basic (no faults)', disconnect: false, reliable: true, crash: false },
    { name: 'disconnect', disconnect: true, reliable: true, crash: false },
    { name: 'disconnect, unreliable', disconnect: true, reliable: false, crash: false },
    { name: 'crash', disconnect: false, reliable: true, crash: true },
    { name: 'disconnect and crash, unreliable', disconnect: true, reliable: false, crash: true },
  ];
  for (const v of variants) {
    it.each(seeds(2))(`lab snapcommon, ${v.name}: every victim catches up and logs stay compacted (seed %i)`, (seed) => {
      const c = newCluster(3, seed, { compactEvery: INTERVAL });
      const net = new LabNet(c);
      const rnd = testRandom(seed, `snapcommon-${v.name}`);
      const rec = recordEvents(c);
      if (!v.reliable) c.setUnreliable(true);
      let n = 0;
      const next = (): string => `sc-${n++}`;
      expect(c.one(next(), 3, 1000)).toBeGreaterThan(0);
      let leader1 = checkOneLeader(c);
      let victimsBehindSnapshot = 0;
      for (let i = 0; i < 30; i++) {
        const ids = c.ids();
        let victim: NodeId = ids[(ids.indexOf(leader1) + 1) % ids.length]!;
        let sender: NodeId = leader1;
        if (i % 3 === 1) [sender, victim] = [victim, leader1];
        if (v.disconnect) {
          net.disconnect(victim);
          expect(c.one(next(), 2, 1000)).toBeGreaterThan(0);
        }
        if (v.crash) {
          c.crash(victim);
          expect(c.one(next(), 2, 1000)).toBeGreaterThan(0);
        }
        // More than an interval of proposals, to the sender only (refused if it does not lead).
        for (let k = INTERVAL / 2 + rnd.int(0, INTERVAL - 1); k > 0; k--) c.propose(next(), sender);
        expect(c.one(next(), v.disconnect || v.crash ? 2 : 3, 1000)).toBeGreaterThan(0);
        // Logs stay short: the lab's MAXLOGSIZE check.
        for (const id of c.ids()) expect(c.node(id).storage.entries.length, `n${id}'s log`).toBeLessThanOrEqual(4 * INTERVAL);
        const behind = c.node(victim).storage.lastIndex;
        if (v.disconnect) net.connect(victim);
        if (v.crash) {
          c.restart(victim);
          if (v.disconnect) net.connect(victim);
        }
        const leaderSnap = Math.max(...c.ids().map((id) => c.node(id).storage.snapshotIndex));
        if ((v.disconnect || v.crash) && leaderSnap > behind) victimsBehindSnapshot++;
        expect(c.one(next(), 3, 1000)).toBeGreaterThan(0);
        leader1 = checkOneLeader(c);
      }
      c.setUnreliable(false);
      expect(converge(c, c.ids(), 1, 1000)).toBe(true);
      const values = expectAllAgree(c);
      expect(values.length).toBeGreaterThan(90);
      expect(values).toEqual([...c.acknowledged]);
      for (const id of c.ids()) expect(c.node(id).storage.snapshotIndex).toBeGreaterThan(100);
      if (v.disconnect || v.crash) {
        // Victims did fall behind the compacted log, and were caught up by snapshot.
        expect(victimsBehindSnapshot).toBeGreaterThan(5);
        expect(eventsOf(rec, 'snapshot-installed').length).toBeGreaterThan(5);
      }
      c.assertSafe();
    });
  }
});
