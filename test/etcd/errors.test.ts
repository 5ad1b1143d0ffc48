// The one reading of etcd's errors that every caller shares: which leave a write certainly not
// applied, which connection failures sent nothing, and the refusals the etcd engine waits out.
import { describe, expect, test } from 'vitest';
import { notSent, saysLearnerBehind, saysNoLeader, saysUnhealthy, writeNotApplied, type EtcdProblem } from '../../src/etcd/errors.js';

const server = (cause: string): EtcdProblem => ({ code: 'server', endpoint: 'http://m1', grpcCode: 14, cause });
const unreachable = (cause: string): EtcdProblem => ({ code: 'unreachable', endpoint: 'http://m1', cause });

describe('etcd errors', () => {
  test('only a connection that was never made sent nothing; a write on one may be sent elsewhere', () => {
    for (const cause of ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']) {
      expect(notSent(unreachable(cause))).toBe(true);
      expect(writeNotApplied(unreachable(cause))).toBe(true);
    }
    for (const cause of ['ECONNRESET', 'socket hang up']) {
      expect(notSent(unreachable(cause))).toBe(false);
      expect(writeNotApplied(unreachable(cause))).toBe(false);
    }
    expect(notSent({ code: 'timeout', endpoint: 'http://m1', ms: 100 })).toBe(false);
  });

  test('a refusal before raft leaves a write not applied; a timeout or a lost leader may have applied it', () => {
    expect(writeNotApplied(server('etcdserver: no leader'))).toBe(true);
    expect(writeNotApplied(server('raft proposal dropped'))).toBe(true);
    expect(writeNotApplied({ code: 'auth', endpoint: 'http://m1', cause: 'etcdserver: permission denied' })).toBe(true);
    expect(writeNotApplied(server('etcdserver: request timed out'))).toBe(false);
    expect(writeNotApplied(server('etcdserver: leader changed'))).toBe(false);
    expect(writeNotApplied(server('etcdserver: server stopped'))).toBe(false);
  });

  test("etcd's refusals of a membership change are told apart from other errors", () => {
    expect(saysNoLeader(server('etcdserver: no leader'))).toBe(true);
    expect(saysUnhealthy(server('etcdserver: unhealthy cluster'))).toBe(true);
    expect(saysUnhealthy(server('etcdserver: re-configuration failed due to not enough started members'))).toBe(true);
    expect(saysLearnerBehind(server('etcdserver: can only promote a learner member which is in sync with leader'))).toBe(true);
    expect(saysUnhealthy(server('etcdserver: request timed out'))).toBe(false);
    expect(saysLearnerBehind(unreachable('ECONNREFUSED'))).toBe(false);
  });
});
