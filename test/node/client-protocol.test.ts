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
  ])('refuses %s with a reason', (_, value) => {
    const v = validateClientRequest(value);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problem.length).toBeGreaterThan(5);
  });

  test('a cas may expect null (only if absent)', () => {
    expect(validateClientRequest({ id: 1, type: 'cas', clientId: 'c', seq: 1, key: 'k', expected: null, value: 'v' })).toMatchObject({
      ok: true,
      value: { expected: null },
    });
  });
});
