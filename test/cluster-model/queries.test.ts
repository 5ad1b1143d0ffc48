// Which node a client tries first.
import { describe, expect, it } from 'vitest';
import { clientNodes } from '../../src/cluster-model/queries.js';
import { model, node } from './fixtures.js';

describe('clientNodes', () => {
  it('puts the leader of the highest term first, not a leader stranded in a minority', () => {
    const m = model([node(1, { role: 'leader', term: 1 }), node(2, { role: 'follower', term: 1 }), node(3, { role: 'leader', term: 2 }), node(4, { role: 'follower', term: 2 })]);
    expect(clientNodes(m).map((n) => n.id)).toEqual([3, 1, 2, 4]);
  });

  it('keeps the listed order when no node leads, and leaves removed nodes out', () => {
    const m = model([node(1, { role: 'follower' }), node(2, { role: 'candidate' }), node(3, null)]);
    m.nodes[1]!.removed = true;
    expect(clientNodes(m).map((n) => n.id)).toEqual([1, 3]);
  });
});
