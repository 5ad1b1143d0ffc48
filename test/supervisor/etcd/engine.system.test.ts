// One real three-member etcd cluster run by the supervisor (startSupervisor({ engine: 'etcd' })):
// a leader in the model from etcd's own status, the leader killed and another elected in a higher
// term, the leader cut off in a minority while the majority elects and commits, a member added
// and removed through etcd's member API, and no etcd process left after the supervisor stops.
// The tests run in order on the same cluster. Needs the etcd binary (Debian's etcd-server).
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NodeModel } from '../../../src/cluster-model/model.js';
import { EtcdGateway } from '../../../src/etcd/gateway.js';
import { startSupervisor, type SupervisorHandle } from '../../../src/supervisor/supervisor.js';
import { waitFor } from '../../support/wait.js';
import { pidsOf, settledLeader, tempStateHome, alive } from '../helpers.js';

let sup: SupervisorHandle;
let stateHome: string;
const pids = new Set<number>();

/** The etcd processes whose command line names this test's state folder. */
function etcdProcesses(): string[] {
  try {
    return execFileSync('pgrep', ['-af', stateHome], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

beforeAll(async () => {
  stateHome = await tempStateHome();
  sup = await startSupervisor({ name: 'etcd3', engine: 'etcd', nodes: 3 });
  sup.subscribe(() => pidsOf(sup.model, pids));
});

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed
  await sup?.stop();
  for (const pid of pids) expect(alive(pid), `etcd pid ${pid} outlived its supervisor`).toBe(false);
  expect(etcdProcesses()).toEqual([]);
  await rm(stateHome, { recursive: true, force: true });
});

const leader = (): Promise<NodeModel> =>
  waitFor(
    () => `a settled leader in ${describe3()}`,
    () => settledLeader(sup.model),
  );
const describe3 = (): string =>
  sup.model.nodes.map((n) => `n${n.id} ${n.process.state} ${n.raft?.role ?? '-'} t${n.raft?.term ?? '-'}`).join(', ');

describe('a supervised three-member etcd cluster', () => {
  test("elects a leader, seen in the model from etcd's own status, each member with its etcd identity", async () => {
    const l = await leader();
    expect(sup.model.engine).toMatchObject({ kind: 'etcd', version: expect.stringMatching(/^3\./) as unknown });
    for (const n of sup.model.nodes) {
      expect(n.process.state).toBe('running');
      expect(n.etcd?.memberId).toMatch(/^[0-9a-f]+$/);
      expect(n.raft?.membership).toEqual({ voters: [1, 2, 3], learners: [] });
    }
    // Its status may show the leader before its log line has come through the reorder window.
    await waitFor(
      `n${l.id}'s election in the events`,
      () => sup.model.events.some((e) => e.node === l.id && e.type === 'election-won') || undefined,
    );
    expect(sup.model.timing.heartbeatMs * 5).toBeLessThanOrEqual(sup.model.timing.electionTimeoutMs.min);
  });

  test('the leader killed, the other two elect a new one in a higher term; restarted, it rejoins', async () => {
    const old = await leader();
    const result = await sup.act({ op: 'kill', nodes: [old.id] });
    expect(result.ok).toBe(true);
    expect(sup.model.nodes.find((n) => n.id === old.id)!.process.state).toBe('killed');
    const next = await leader();
    expect(next.id).not.toBe(old.id);
    expect(next.raft!.term).toBeGreaterThan(old.raft!.term);
    expect((await sup.act({ op: 'restart', nodes: [old.id] })).ok).toBe(true);
    await waitFor(
      'every member following one leader',
      () => settledLeader(sup.model)?.raft?.term === next.raft!.term && sup.model.nodes.every((n) => n.process.state === 'running'),
    );
  });

  test('a partition with the leader in the minority: the majority elects and commits, and heal brings it back', async () => {
    const old = await leader();
    const others = sup.model.nodes.filter((n) => n.id !== old.id).map((n) => n.id);
    const cut = await sup.act({ op: 'partition', groups: [[old.id], others] });
    expect(cut.ok, cut.text).toBe(true);
    expect(cut.text).toMatch(new RegExp(`only \\{${others.join(',')}\\} holds a majority`));
    const next = await waitFor(describe3, () => {
      const l = sup.model.nodes.find((n) => others.includes(n.id) && n.raft?.role === 'leader' && n.raft.term > old.raft!.term);
      return l;
    });
    const gateway = new EtcdGateway({ endpoints: [next.etcd!.clientUrl] });
    try {
      const put = await gateway.put('during-partition', 'committed by the majority');
      expect(put.revision).toBeGreaterThan(0);
    } finally {
      gateway.close();
    }
    expect((await sup.act({ op: 'heal' })).ok).toBe(true);
    await waitFor(describe3, () => {
      const l = settledLeader(sup.model);
      return l !== undefined && sup.model.nodes.every((n) => n.raft?.term === l.raft!.term);
    });
  });

  test('a member added joins as a learner and is promoted; removed, it is stopped and out of the configuration', async () => {
    const added = await sup.act({ op: 'add' });
    expect(added.ok, added.text).toBe(true);
    const n4 = sup.model.nodes.find((n) => n.id === 4)!;
    expect(n4.process.state).toBe('running');
    await waitFor(describe3, () => settledLeader(sup.model)?.raft?.membership.voters.join(',') === '1,2,3,4');
    const removed = await sup.act({ op: 'remove', node: 4 });
    expect(removed.ok, removed.text).toBe(true);
    expect(n4.removed).toBe(true);
    expect(n4.process.state).toBe('stopped');
    await waitFor(describe3, () => settledLeader(sup.model)?.raft?.membership.voters.join(',') === '1,2,3');
  });

  test('down stops every member: no etcd process is left; no safety alarm was raised on the way', async () => {
    // A new leader's status gives the previous term until its first entry applies: taken from its log instead, never two leaders of a term.
    expect(sup.model.safety).toMatchObject({ ok: true });
    const done = await sup.act({ op: 'down' });
    expect(done.ok).toBe(true);
    await sup.stopped;
    expect(etcdProcesses()).toEqual([]);
  });
});
