// A real cluster's recording read back: three nodes under a supervisor, the leader killed and a
// partition set, then openReplay on the cluster's folder. Before the kill the replayed model's
// leader is the old one; after the new election, the new one; the kill and the partition are
// fault marks.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openReplay } from '../../src/cluster-model/replay.js';
import { startSupervisor, type SupervisorHandle } from '../../src/supervisor/supervisor.js';
import { COSTLY_PROBE, waitFor } from '../support/wait.js';
import { alive, pidsOf, settledLeader, tempStateHome } from './helpers.js';

let sup: SupervisorHandle;
let stateHome: string;
const pids = new Set<number>();

beforeAll(async () => {
  stateHome = await tempStateHome();
  sup = await startSupervisor({ name: 'recorded', nodes: 3, speed: 'fast' });
  sup.subscribe(() => pidsOf(sup.model, pids));
});

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset here when beforeAll failed
  await sup?.stop();
  for (const pid of pids) expect(alive(pid), `node pid ${pid} outlived its supervisor`).toBe(false);
  await rm(stateHome, { recursive: true, force: true });
});

test('the replayed model shows the old leader before the kill and the new one after', { timeout: 20_000 }, async () => {
  const old = (await waitFor('a leader', () => settledLeader(sup.model))).id;
  const beforeKill = Date.now();
  const killed = await sup.act({ op: 'kill', nodes: [old] });
  expect(killed.ok, killed.text).toBe(true);
  const next = (await waitFor('a new leader', () => settledLeader(sup.model))).id;
  expect(next).not.toBe(old);
  const others = sup.model.nodes.map((n) => n.id).filter((id) => id !== old);
  const cut = await sup.act({ op: 'partition', groups: [[others[0]!], [others[1]!]] });
  expect(cut.ok, cut.text).toBe(true);
  // The live cluster's own recording, read up to now: what was buffered is written first.
  await waitFor(
    'the partition on disk',
    async () => {
      const r = await openReplay({ folder: sup.folder });
      return r.cursor.marks().filter((m) => m.kind === 'fault').length >= 2 ? true : undefined;
    },
    COSTLY_PROBE,
  );
  const replay = await openReplay({ folder: sup.folder });
  const leaderAt = (ts: number): number | undefined => {
    replay.cursor.seek(ts);
    const leaders = replay.model.nodes.filter((n) => n.process.state === 'running' && n.raft?.role === 'leader');
    return leaders.sort((a, b) => b.raft!.term - a.raft!.term)[0]?.id;
  };
  expect(leaderAt(beforeKill)).toBe(old);
  const elected = replay.cursor.marks().find((m) => m.kind === 'election' && m.text.startsWith(`n${next} leads`));
  expect(elected?.ts).toBeGreaterThanOrEqual(beforeKill);
  // After the new election and before the partition (which may make it step down): the new leader.
  const partitioned = replay.cursor.marks().findLast((m) => m.kind === 'fault')!;
  expect(leaderAt(partitioned.ts - 1)).toBe(next);
  expect(
    replay.cursor
      .marks()
      .filter((m) => m.kind === 'fault')
      .map((m) => m.text.split(' ')[0]),
  ).toEqual(['killed', 'partitioned']);
  // Back to before the kill by marks: the fault before the election is the kill.
  expect(replay.cursor.nextMark('fault', -1)).toBe(true);
  expect(replay.cursor.at).toBe(replay.cursor.marks().find((m) => m.kind === 'fault')!.ts);
});
