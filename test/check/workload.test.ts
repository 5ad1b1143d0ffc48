// How the check's clients record what happened to each operation, against a scripted stand-in
// node: an unanswered write is indeterminate (and its client goes on as a new process), a cas that
// did not match and a certain refusal failed, a read with no answer failed (it changed nothing).
import { getEventListeners } from 'node:events';
import { describe, expect, test } from 'vitest';
import type { Operation } from '../../src/check/history.js';
import { Recorder } from '../../src/check/recorder.js';
import { raftConsoleClients, type CheckClient } from '../../src/check/clients.js';
import { runWorkload } from '../../src/check/workload.js';
import { CLUSTER, FakeNode, SECRET, errorFor, okFor, type Exchange } from '../client/fake-node.js';

/** Runs one client for a short while against a node that answers as `answer` says. */
async function record(answer: (x: Exchange) => void, clients = 1): Promise<Operation[]> {
  const node = await FakeNode.start(1);
  node.onRequest = answer;
  const recorder = new Recorder();
  await runWorkload({
    connect: raftConsoleClients({ clusterId: CLUSTER, secret: SECRET, nodes: [node.address], opTimeoutMs: 150, seed: 7 }),
    clients,
    rate: 100 * clients,
    keys: ['k1', 'k2'],
    durationMs: 400,
    seed: 7,
    recorder,
  });
  return recorder.history().operations;
}

const ofKind = (ops: Operation[], kind: string): Operation[] => ops.filter((op) => op.input.kind === kind);

describe('the check workload', () => {
  test('reads, writes and cas on the given keys, every written value new', async () => {
    const ops = await record((x) =>
      x.reply(x.request.type === 'cas' ? { ...okFor(x.request), result: { ok: true, op: 'cas', swapped: true } } : okFor(x.request)),
    );
    expect(new Set(ops.map((op) => op.input.kind))).toEqual(new Set(['read', 'write', 'cas']));
    expect(new Set(ops.map((op) => op.input.key))).toEqual(new Set(['k1', 'k2']));
    const values = ops.flatMap((op) => (op.input.kind === 'read' ? [] : [op.input.value]));
    expect(new Set(values).size).toBe(values.length);
    expect(ops.every((op) => op.outcome.type === 'ok' && op.completedAt >= op.invokedAt)).toBe(true);
    expect(ofKind(ops, 'read').every((op) => op.outcome.type === 'ok' && op.outcome.value === `value-of-${op.input.key}`)).toBe(true);
  });

  test('a write whose connection drops is indeterminate, and its client goes on as a new process', async () => {
    const ops = await record((x) =>
      x.request.type === 'put'
        ? x.drop()
        : x.reply(x.request.type === 'cas' ? { ...okFor(x.request), result: { ok: true, op: 'cas', swapped: true } } : okFor(x.request)),
    );
    const writes = ofKind(ops, 'write');
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((op) => op.outcome.type === 'info')).toBe(true);
    // One operation in flight per process: after an indeterminate one, the next has a new process id.
    for (const w of writes) {
      const next = ops.find((op) => op.id > w.id);
      if (next !== undefined) expect(next.client).not.toBe(w.client);
    }
  });

  test('a cas that did not match failed, and the next cas of that client expects the value it found', async () => {
    const ops = await record((x) =>
      x.reply(
        x.request.type === 'cas'
          ? { ...okFor(x.request), result: { ok: true, op: 'cas', swapped: false, current: 'found' } }
          : x.request.type === 'get'
            ? { ...okFor(x.request), value: null }
            : okFor(x.request),
      ),
    );
    const cas = ofKind(ops, 'cas');
    expect(cas.length).toBeGreaterThan(0);
    expect(cas.every((op) => op.outcome.type === 'fail' && op.outcome.reason === 'mismatch: the key held "found"')).toBe(true);
    const afterMismatch = cas.filter((op) => ops.filter((o) => o.id < op.id && o.input.key === op.input.key).at(-1)?.input.kind === 'cas');
    expect(afterMismatch.length).toBeGreaterThan(0);
    expect(afterMismatch.every((op) => op.input.kind === 'cas' && op.input.expected === 'found')).toBe(true);
  });

  test('a write the state machine refused for certain failed; one it may have applied on an earlier attempt is indeterminate', async () => {
    const ops = await record((x) =>
      x.reply(
        x.request.type === 'put'
          ? errorFor(x.request, 'too-large')
          : x.request.type === 'cas'
            ? errorFor(x.request, 'session-expired')
            : okFor(x.request),
      ),
    );
    expect(ofKind(ops, 'write').every((op) => op.outcome.type === 'fail' && op.outcome.reason === 'too-large')).toBe(true);
    expect(ofKind(ops, 'cas').every((op) => op.outcome.type === 'info' && op.outcome.reason === 'session-expired')).toBe(true);
  });

  test('a read that got no answer failed: it changed nothing', async () => {
    const ops = await record((x) => (x.request.type === 'get' ? x.drop() : x.reply(okFor(x.request))));
    const reads = ofKind(ops, 'read');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((op) => op.outcome.type === 'fail')).toBe(true);
  });

  test('several clients run at once, each with one operation in flight', async () => {
    const ops = await record(
      (x) =>
        setTimeout(
          () =>
            x.reply(x.request.type === 'cas' ? { ...okFor(x.request), result: { ok: true, op: 'cas', swapped: true } } : okFor(x.request)),
          5,
        ),
      4,
    );
    expect(new Set(ops.map((op) => op.client))).toEqual(new Set([0, 1, 2, 3]));
    for (const client of [0, 1, 2, 3]) {
      const mine = ops.filter((op) => op.client === client);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.invokedAt).toBeGreaterThanOrEqual(mine[i - 1]!.completedAt);
    }
  });

  test('sixteen clients share one abort listener, so Node warns of no leak, and an abort ends every operation in flight', async () => {
    const aborter = new AbortController();
    let closed = 0;
    const pending: Array<() => void> = [];
    const connect = (): CheckClient => ({
      perform: () => new Promise((resolve) => pending.push(() => resolve({ outcome: { type: 'info', reason: 'closed' } }))),
      close: () => {
        closed++;
        for (const end of pending.splice(0)) end();
      },
    });
    const run = runWorkload({
      connect,
      clients: 16,
      rate: 1e6,
      keys: ['k'],
      durationMs: 60_000,
      seed: 3,
      recorder: new Recorder(),
      signal: aborter.signal,
    });
    expect(getEventListeners(aborter.signal, 'abort')).toHaveLength(1);
    aborter.abort();
    await run;
    expect(closed).toBeGreaterThanOrEqual(16);
    expect(getEventListeners(aborter.signal, 'abort')).toHaveLength(0);
  });
});
