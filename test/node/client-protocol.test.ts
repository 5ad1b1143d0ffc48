// docs/PROTOCOL.md section 3 is the contract for client authors: every request example in it must
// pass the node's own validator, and the validator must refuse what the section says it refuses.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { validateClientRequest } from '../../src/node/client-protocol.js';

const doc = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```jsonc\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);

describe('client requests', () => {
  test('every request example in PROTOCOL.md passes the node validator', () => {
    const requests = examples.filter((e) => 'type' in e && !('ok' in e));
    expect(requests.length).toBeGreaterThanOrEqual(4);
    for (const r of requests) expect(validateClientRequest(r), JSON.stringify(r)).toMatchObject({ ok: true });
  });

  test('every response example in PROTOCOL.md answers an id', () => {
    const responses = examples.filter((e) => 'ok' in e);
    expect(responses.length).toBeGreaterThanOrEqual(4);
    for (const r of responses) expect(typeof r.id).toBe('number');
  });

  test.each([
    ['an unknown type', { id: 1, type: 'drop-table' }],
    ['a write without a seq', { id: 1, type: 'put', clientId: 'c', key: 'k', value: 'v' }],
    ['a field the type does not have', { id: 1, type: 'get', key: 'k', value: 'v' }],
    ['a cas without expected', { id: 1, type: 'cas', clientId: 'c', seq: 1, key: 'k', value: 'v' }],
    ['a log range that runs backwards', { id: 1, type: 'log', from: 5, to: 2 }],
    ['a negative id', { id: -1, type: 'status' }],
    ['not an object', ['status']],
    // What the state machine would refuse as malformed never reaches the log.
    ['a put with an empty key', { id: 1, type: 'put', clientId: 'c', seq: 1, key: '', value: 'v' }],
    ['a write with seq 0', { id: 1, type: 'submit', clientId: 'c', seq: 0, text: 't' }],
    ['a write with an empty clientId', { id: 1, type: 'delete', clientId: '', seq: 1, key: 'k' }],
    ['a clientId over 64 bytes', { id: 1, type: 'delete', clientId: 'c'.repeat(65), seq: 1, key: 'k' }],
    // Indexes beyond the safe range (2^48).
    ['a log request from beyond 2^48', { id: 1, type: 'log', from: 2 ** 48 + 1 }],
    ['a log request to 2^53-1', { id: 1, type: 'log', from: 1, to: 2 ** 53 - 1 }],
  ])('refuses %s with a reason', (_, value) => {
    const v = validateClientRequest(value);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problem.length).toBeGreaterThan(5);
  });

  test('a write over a size limit passes: its answer is the too-large error response', () => {
    expect(validateClientRequest({ id: 1, type: 'put', clientId: 'c', seq: 1, key: 'k', value: 'v'.repeat(20_000) })).toMatchObject({
      ok: true,
    });
  });

  test('a cas may expect null (only if absent)', () => {
    expect(validateClientRequest({ id: 1, type: 'cas', clientId: 'c', seq: 1, key: 'k', expected: null, value: 'v' })).toMatchObject({
      ok: true,
      value: { expected: null },
    });
  });
});
