// A learner's exercise waits for their key where they must look: exercise 9's outcome without
// PreVote stays on screen, with the set-up key offering the second half, until they press it; only
// then does the exercise start its cluster again with PreVote on. Exercise 8's new node stays a
// learner, caught up, until they promote it.
import { expect, test } from 'vitest';
import { disruptiveServer } from '../../src/exercises/catalog/disruptive-server.js';
import { newNode } from '../../src/exercises/catalog/new-node.js';
import { inSession } from './helpers.js';

test('exercise 9 starts its second cluster only when the learner presses the set-up key', () =>
  inSession(disruptiveServer, { name: 'pacing', speed: 'normal', paced: true }, async (session) => {
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
  }));

test('exercise 8 keeps the new node a learner, caught up, until the learner promotes it with the set-up key', () =>
  inSession(newNode, { name: 'promote-pacing', speed: 'normal', paced: true }, async (session) => {
    const d = session.driver();
    await d.step('leader');
    await d.submit('one');
    await d.submit('two');
    await d.step('write');
    expect(session.view({ hint: false }).trigger).toEqual({ label: 'add a node as a learner (add --learner)' });
    expect(await session.trigger()).toEqual({ ok: true, text: 'added a node as a learner' });
    await d.step('caught-up');
    const id = d.facts.newNode!;
    // Caught up, and still a learner: nothing promotes it but the learner.
    const learnerNow = session.cluster.model.nodes.find((n) => n.id === id)!;
    expect(learnerNow.raft!.membership.learners).toEqual([id]);
    expect(session.view({ hint: false })).toMatchObject({
      command: 'promote <id>',
      trigger: { label: `promote the learner n${id} to voter (promote ${id})` },
    });
    expect(await session.trigger()).toEqual({ ok: true, text: `promoted n${id} to voter` });
    await d.step('voter');
  }));
