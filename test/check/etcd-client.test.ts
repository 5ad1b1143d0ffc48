// How the check's etcd client records an operation, against a stand-in gateway that answers as a
// script says: which etcd errors mean a write certainly did not apply (fail, and it may be tried
// again) and which mean it may have (info, never retried: etcd has no sessions), reads tried on
// member after member, and the worker moving on from a member that failed.
import { describe, expect, test } from 'vitest';
import { classifyEtcdWriteError, EtcdCheckClient, type EtcdKv } from '../../src/check/etcd-client.js';
import type { OpInput } from '../../src/check/history.js';
import { EtcdError, type EtcdProblem } from '../../src/etcd/errors.js';

const ENDPOINTS = ['http://m1', 'http://m2', 'http://m3'];

const server = (cause: string, grpcCode = 14): EtcdError =>
  new EtcdError(cause, { code: 'server', endpoint: 'http://m1', grpcCode, cause });
const problem = (p: EtcdProblem): EtcdError => new EtcdError(p.code, p);

interface Call {
  op: 'get' | 'put' | 'cas';
  endpoint: string | undefined;
  serializable?: boolean;
}

/** A gateway whose every call is answered by `answer`, in order; every call is logged. */
function fakeGateway(answer: (call: Call, n: number) => unknown): { open: (e: readonly string[], t: number) => EtcdKv; calls: Call[] } {
  const calls: Call[] = [];
  const reply = async (call: Call): Promise<unknown> => {
    calls.push(call);
    const a = answer(call, calls.length);
    if (a instanceof Error) throw a;
    return a;
  };
  const kv: EtcdKv = {
    get: (_key, o) => reply({ op: 'get', endpoint: o?.endpoint, serializable: o?.serializable }) as ReturnType<EtcdKv['get']>,
    put: (_key, _value, endpoint) => reply({ op: 'put', endpoint }) as ReturnType<EtcdKv['put']>,
    cas: (_key, _expected, _value, endpoint) => reply({ op: 'cas', endpoint }) as ReturnType<EtcdKv['cas']>,
    close: () => undefined,
  };
  return { open: () => kv, calls };
}

function client(answer: (call: Call, n: number) => unknown, first = 0): { c: EtcdCheckClient; calls: Call[] } {
  const g = fakeGateway(answer);
  return { c: new EtcdCheckClient({ endpoints: ENDPOINTS, first, opTimeoutMs: 2000, retryMs: 1, open: g.open }), calls: g.calls };
}

const WRITE: OpInput = { kind: 'write', key: 'k1', value: '1.1' };
const CAS: OpInput = { kind: 'cas', key: 'k1', expected: '1.1', value: '1.2' };
const READ: OpInput = { kind: 'read', key: 'k1' };

describe('which etcd errors mean a write certainly did not apply', () => {
  test.each([
    'etcdserver: request timed out',
    'etcdserver: request timed out, possibly due to previous leader failure',
    'etcdserver: request timed out, possibly due to connection lost',
    'etcdserver: leader changed',
    'etcdserver: server stopped',
    'etcdserver: request cancelled',
    'context deadline exceeded',
    'etcdserver: something new',
  ])('"%s" may have applied', (cause) => {
    expect(classifyEtcdWriteError(server(cause)).notApplied).toBe(false);
  });

  test.each([
    'etcdserver: too many requests',
    'etcdserver: request is too large',
    'etcdserver: no leader',
    'etcdserver: not capable',
    'etcdserver: rpc not supported for learner',
    'etcdserver: mvcc: database space exceeded',
    'raft proposal dropped',
  ])('"%s" was refused before raft', (cause) => {
    expect(classifyEtcdWriteError(server(cause)).notApplied).toBe(true);
  });

  test('a refused connection sent nothing; a reset, a timeout or an unreadable answer may follow a sent request', () => {
    expect(classifyEtcdWriteError(problem({ code: 'unreachable', endpoint: 'x', cause: 'ECONNREFUSED' })).notApplied).toBe(true);
    expect(classifyEtcdWriteError(problem({ code: 'unreachable', endpoint: 'x', cause: 'ECONNRESET' })).notApplied).toBe(false);
    expect(classifyEtcdWriteError(problem({ code: 'unreachable', endpoint: 'x', cause: 'socket hang up' })).notApplied).toBe(false);
    expect(classifyEtcdWriteError(problem({ code: 'timeout', endpoint: 'x', ms: 100 })).notApplied).toBe(false);
    expect(classifyEtcdWriteError(problem({ code: 'bad-answer', endpoint: 'x', problem: 'not JSON' })).notApplied).toBe(false);
  });
});

describe('the check client on etcd', () => {
  test('a write and a swapped cas are ok; a cas that did not match failed and says what the key held', async () => {
    const { c } = client((call) => (call.op === 'put' ? { revision: 2 } : { swapped: false, current: '3.4' }));
    expect(await c.perform(WRITE)).toEqual({ outcome: { type: 'ok' }, holds: '1.1' });
    const r = await c.perform(CAS);
    expect(r.outcome).toMatchObject({ type: 'fail', mismatch: { current: '3.4' } });
    expect(r.holds).toBe('3.4');
    const swapped = client(() => ({ swapped: true, current: '1.2' }));
    expect((await swapped.c.perform(CAS)).outcome).toEqual({ type: 'ok' });
  });

  test('a write that timed out is indeterminate and is not sent again', async () => {
    const { c, calls } = client(() => server('etcdserver: request timed out'));
    expect((await c.perform(WRITE)).outcome).toEqual({ type: 'info', reason: 'etcdserver: request timed out' });
    expect(calls).toHaveLength(1);
    const cas = client(() => problem({ code: 'timeout', endpoint: 'http://m1', ms: 2000 }));
    expect((await cas.c.perform(CAS)).outcome.type).toBe('info');
    expect(cas.calls).toHaveLength(1);
  });

  test('a write refused before raft is tried again on the next member, and is ok if that one takes it', async () => {
    const { c, calls } = client((_call, n) => (n === 1 ? server('raft proposal dropped', 2) : { revision: 5 }));
    expect((await c.perform(WRITE)).outcome).toEqual({ type: 'ok' });
    expect(calls.map((x) => x.endpoint)).toEqual(['http://m1', 'http://m2']);
  });

  test('a write refused by every member until the time is up failed', async () => {
    const g = fakeGateway(() => problem({ code: 'unreachable', endpoint: 'x', cause: 'ECONNREFUSED' }));
    const c = new EtcdCheckClient({ endpoints: ENDPOINTS, first: 0, opTimeoutMs: 60, retryMs: 5, open: g.open });
    expect((await c.perform(WRITE)).outcome).toEqual({ type: 'fail', reason: 'unreachable: ECONNREFUSED' });
    expect(g.calls.length).toBeGreaterThanOrEqual(3);
  });

  test('after a refused attempt, an attempt that may have applied ends the write as indeterminate', async () => {
    const { c, calls } = client((_call, n) =>
      n === 1 ? problem({ code: 'unreachable', endpoint: 'x', cause: 'ECONNREFUSED' }) : server('etcdserver: leader changed'),
    );
    expect((await c.perform(WRITE)).outcome.type).toBe('info');
    expect(calls).toHaveLength(2);
  });

  test('reads are linearizable, tried on member after member, and fail only when no member answered in time', async () => {
    const { c, calls } = client((_call, n) =>
      n < 3 ? problem({ code: 'timeout', endpoint: 'x', ms: 10 }) : { value: '2.7', revision: 9 },
    );
    expect(await c.perform(READ)).toEqual({ outcome: { type: 'ok', value: '2.7' }, holds: '2.7' });
    expect(calls.map((x) => [x.endpoint, x.serializable])).toEqual([
      ['http://m1', undefined],
      ['http://m2', undefined],
      ['http://m3', undefined],
    ]);
    const g = fakeGateway(() => server('etcdserver: request timed out'));
    const none = new EtcdCheckClient({ endpoints: ENDPOINTS, first: 0, opTimeoutMs: 60, retryMs: 5, open: g.open });
    expect((await none.perform(READ)).outcome).toEqual({ type: 'fail', reason: 'etcdserver: request timed out' });
  });

  test('with serializable reads (an experiment), each read asks the member for its own copy', async () => {
    const g = fakeGateway(() => ({ value: '1.1', revision: 3 }));
    const c = new EtcdCheckClient({ endpoints: ENDPOINTS, first: 1, opTimeoutMs: 2000, reads: 'serializable', open: g.open });
    expect((await c.perform(READ)).outcome).toEqual({ type: 'ok', value: '1.1' });
    expect(g.calls).toEqual([{ op: 'get', endpoint: 'http://m2', serializable: true }]);
  });

  test('a worker starts at its own member and stays there while it answers', async () => {
    const { c, calls } = client(() => ({ revision: 1 }), 4);
    await c.perform(WRITE);
    await c.perform(WRITE);
    expect(calls.map((x) => x.endpoint)).toEqual(['http://m2', 'http://m2']);
  });

  test('a worker whose member failed sends its next operation to another', async () => {
    const { c, calls } = client((_call, n) => (n === 1 ? server('etcdserver: request timed out') : { revision: 1 }));
    await c.perform(WRITE);
    await c.perform(WRITE);
    expect(calls.map((x) => x.endpoint)).toEqual(['http://m1', 'http://m2']);
  });
});
