import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { attachControl, parseControlCommand, type ControlAnswer, type ControlTarget } from '../../src/node/control.js';
import { RaftDriver } from '../../src/node/raft-driver.js';
import { Raft } from '../../src/raft/raft.js';
import { FaultFilter } from '../../src/transport/index.js';
import { stepNode } from './step-node.js';

function target(voters = [1, 2, 3]) {
  const core = new Raft({ id: 1, voters, random: () => 0 });
  const driver = new RaftDriver(
    core,
    { observe: () => {}, persist: async () => {}, send: () => {}, apply: async () => {}, advanced: async () => {} },
    (e) => {
      throw e;
    },
  );
  const peers: string[] = [];
  const ticks: number[] = [];
  const t: ControlTarget = {
    self: 1,
    driver,
    transport: {
      filter: new FaultFilter(() => 0.5),
      addPeer: (p) => peers.push(`+${p.id}@${p.host}:${p.port}`),
      removePeer: (id) => peers.push(`-${id}`),
    },
    setTickMs: (ms) => ticks.push(ms),
    step: stepNode().target,
  };
  return { t, core, peers, ticks };
}

async function run(t: ControlTarget, lines: string[]): Promise<{ answers: ControlAnswer[]; ended: boolean }> {
  const input = new PassThrough();
  const answers: ControlAnswer[] = [];
  let ended = false;
  const done = new Promise<void>((resolve) =>
    attachControl(
      input,
      t,
      (a) => answers.push(a),
      () => {
        ended = true;
        resolve();
      },
    ),
  );
  for (const l of lines) input.write(`${l}\n`);
  input.end();
  await done;
  return { answers, ended };
}

describe('the supervisor control channel', () => {
  test('partitions, heals and describes the faults it set', async () => {
    const { t } = target();
    const { answers } = await run(t, [
      '{"id":1,"op":"faults","blockedTo":[2],"blockedFrom":[2]}',
      '{"id":2,"op":"faults","links":{"3":{"delayMs":200,"loss":0.3}}}',
      '{"id":3,"op":"heal"}',
    ]);
    expect(answers.map((a) => [a.id, a.ok])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    expect(answers[0]!.text).toContain('blocked to n2');
    expect(answers[1]!.text).toContain('delay 200 ms');
    expect(t.transport.filter.describe()).toBe('no faults');
  });

  test('campaign starts an election; a second campaign on the leader is refused', async () => {
    const { t, core } = target([1]);
    const { answers } = await run(t, ['{"op":"campaign"}']);
    await t.driver.idle();
    expect(answers[0]).toMatchObject({ op: 'campaign', ok: true });
    expect(core.status().role).toBe('leader');
    const again = await run(t, ['{"op":"campaign"}']);
    expect(again.answers[0]).toMatchObject({ ok: false, text: 'n1 is already the leader' });
  });

  test('membership changes, peers and the tick length reach the node', async () => {
    const { t, peers, ticks } = target([1]);
    t.driver.run((c) => c.campaign());
    await t.driver.idle();
    const added = await run(t, [
      '{"op":"add-peer","peer":2,"host":"127.0.0.1","port":7002}',
      '{"op":"conf-change","change":{"type":"add-learner","node":2}}',
    ]);
    // The learner's entry commits once the leader's own write of it is done.
    await t.driver.idle();
    const rest = await run(t, [
      '{"op":"conf-change","change":{"type":"promote","node":2}}',
      '{"op":"tick","ms":100}',
      '{"op":"remove-peer","peer":2}',
    ]);
    const answers = [...added.answers, ...rest.answers];
    expect(answers.map((a) => a.ok)).toEqual([true, true, false, true, true]);
    expect(answers[2]!.text).toContain('learner not caught up');
    expect(peers).toEqual(['+2@127.0.0.1:7002', '-2']);
    expect(ticks).toEqual([100]);
  });

  test('bad lines are answered, never fatal, and the end of input is reported', async () => {
    const { t } = target();
    const { answers, ended } = await run(t, ['not json', '{"op":"explode"}', '{"id":9,"op":"transfer"}', '{"op":"tick","ms":0}']);
    expect(answers.map((a) => a.ok)).toEqual([false, false, false, false]);
    expect(answers[2]).toMatchObject({ id: 9, op: 'transfer' });
    expect(ended).toBe(true);
  });

  test.each([
    [{ op: 'faults', blockedTo: [0] }],
    [{ op: 'conf-change', change: { type: 'add-voter', node: 2 } }],
    [{ op: 'add-peer', peer: 2, host: '127.0.0.1' }],
    [{ op: 'add-peer', peer: 2, host: '127.0.0.1', port: 70000 }],
    [{ op: 'faults', links: { 3: null } }],
    [{ op: 'faults', links: { x: { delayMs: 5 } } }],
    [{ op: 'faults', links: { 3: { delayMs: '5' } } }],
    [{ op: 'faults', links: { 3: { delayMs: 1e300 } } }],
    [{ op: 'faults', links: { 3: { loss: 2 } } }],
    [{ op: 'faults', links: { 3: { loss: 0.1, jitter: 5 } } }],
  ])('refuses %j', (value) => {
    expect(parseControlCommand(value).ok).toBe(false);
  });
});
