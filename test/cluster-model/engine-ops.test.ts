// Which actions a cluster's engine can carry out (src/cluster-model/engine-ops.ts), the one answer
// the dashboard's footer and help read: it must agree with what the engines themselves refuse.
import { describe, expect, it } from 'vitest';
import { ACTION_OPS, STEP_OPS } from '../../src/cluster-model/control-protocol.js';
import { ETCD_CANNOT, MEMBER_CHANGES, unsupportedOps } from '../../src/cluster-model/engine-ops.js';
import type { EngineInfo } from '../../src/cluster-model/engine.js';
import { attachedRefusal } from '../../src/cluster-model/etcd-attach.js';
import { UNSUPPORTED } from '../../src/supervisor/etcd/engine.js';
import { ACTION_SAMPLES } from './fixtures.js';

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
        expect(attachedRefusal(ACTION_SAMPLES[op], { engine }) !== null, `${op} (writable: ${writable})`).toBe(cannot.has(op));
    }
    expect([...ACTION_OPS.filter((op) => !unsupportedOps(etcd(true, true)).has(op))]).toEqual([...MEMBER_CHANGES]);
  });
});
