// Which actions a cluster's engine can carry out (src/cluster-model/engine-ops.ts), the one answer
// the dashboard's footer and help read: it must agree with what the engines themselves refuse.
import { describe, expect, it } from 'vitest';
import { ACTION_OPS, STEP_OPS, type Action, type ActionOp } from '../../src/cluster-model/control-protocol.js';
import { ETCD_CANNOT, MEMBER_CHANGES, unsupportedOps } from '../../src/cluster-model/engine-ops.js';
import type { EngineInfo } from '../../src/cluster-model/engine.js';
import { attachedRefusal } from '../../src/cluster-model/etcd-attach.js';
import { UNSUPPORTED } from '../../src/supervisor/etcd/engine.js';

/** One action of each op, as the dashboard's keys and the command line send them. */
const SAMPLE: { [Op in ActionOp]: Extract<Action, { op: Op }> } = {
  kill: { op: 'kill', nodes: [1] },
  stop: { op: 'stop', nodes: [1] },
  restart: { op: 'restart', nodes: [1] },
  replace: { op: 'replace', node: 1 },
  pause: { op: 'pause', nodes: [1] },
  resume: { op: 'resume', nodes: [1] },
  partition: { op: 'partition', groups: [[1], [2, 3]] },
  isolate: { op: 'isolate', node: 1 },
  link: { op: 'link', from: 1, to: 2, drop: 0.3 },
  heal: { op: 'heal' },
  campaign: { op: 'campaign', node: 1 },
  transfer: { op: 'transfer', node: 1 },
  add: { op: 'add' },
  promote: { op: 'promote', node: 4 },
  remove: { op: 'remove', node: 1 },
  speed: { op: 'speed', preset: 'fast' },
  step: { op: 'step', on: true },
  deliver: { op: 'deliver', ids: 'due' },
  drop: { op: 'drop', ids: ['1.1'] },
  fire: { op: 'fire', node: 1, timer: 'election' },
  advance: { op: 'advance' },
  down: { op: 'down' },
};

const etcd = (remote: boolean, writable: boolean): EngineInfo => ({
  kind: 'etcd',
  version: '3.4.23',
  clusterIdHex: null,
  remote,
  writable,
  unreported: [],
});

describe('what a cluster can do', () => {
  it("raft-console's own nodes do every action", () => {
    expect([...unsupportedOps({ kind: 'raft-console' })]).toEqual([]);
  });

  it('an etcd cluster raft-console runs cannot campaign, replace, change speed or step: the ones its engine refuses with a reason', () => {
    expect(unsupportedOps(etcd(false, true))).toBe(ETCD_CANNOT);
    expect(new Set([...Object.keys(UNSUPPORTED), ...STEP_OPS])).toEqual(ETCD_CANNOT);
  });

  it('an attached etcd cluster refuses exactly what it says it cannot do, read-only or with --allow-changes', () => {
    for (const writable of [false, true]) {
      const engine = etcd(true, writable);
      const cannot = unsupportedOps(engine);
      for (const op of ACTION_OPS)
        expect(attachedRefusal(SAMPLE[op], { engine }) !== null, `${op} (writable: ${writable})`).toBe(cannot.has(op));
    }
    expect([...ACTION_OPS.filter((op) => !unsupportedOps(etcd(true, true)).has(op))]).toEqual([...MEMBER_CHANGES]);
  });
});
