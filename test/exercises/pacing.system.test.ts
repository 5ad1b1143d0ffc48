// A learner's exercise waits for their key where they must look: exercise 9's outcome without
// PreVote stays on screen, with the set-up key offering the second half, until they press it; only
// then does the exercise start its cluster again with PreVote on.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { disruptiveServer } from '../../src/exercises/catalog/disruptive-server.js';
import { startSession } from '../../src/exercises/session.js';
import { supervisorLauncher } from '../../src/supervisor/supervisor.js';
import { builtModule } from '../supervisor/helpers.js';

test('exercise 9 starts its second cluster only when the learner presses the set-up key', async () => {
  builtModule('cli/main.js');
  const home = await mkdtemp(join(tmpdir(), 'raft-console-exercise-'));
  const session = await startSession({
    exercise: disruptiveServer,
    lang: 'en',
    launcher: supervisorLauncher,
    folder: { name: 'pacing', stateDir: home },
    speed: 'normal',
    paced: true,
  });
  try {
    const d = session.driver();
    await d.step('leader');
    await d.act({ op: 'isolate', node: d.model.nodes.find((n) => n.id !== d.facts.leader)!.id });
    await d.step('inflate');
    await d.act({ op: 'heal' });
    await d.step('deposed');
    const first = session.cluster.model.clusterId;
    expect(session.view({ hint: false }).trigger).toEqual({ label: 'start the cluster again, now with PreVote on' });
    expect(session.cluster.model.switches.preVote).toBe(false);

    expect(await session.trigger()).toEqual({ ok: true, text: 'start the cluster again, now with PreVote on' });
    expect(session.view({ hint: false }).trigger).toBeNull();
    await d.step('prevote-leader');
    expect(session.cluster.model.clusterId).not.toBe(first);
    expect(session.cluster.model.switches.preVote).toBe(true);
  } finally {
    await session.stop();
    await rm(home, { recursive: true, force: true });
  }
});
