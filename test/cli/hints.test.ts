import { describe, expect, it } from 'vitest';
import { nextCommands } from '../../src/cli/hints.js';
import { etcdModel, etcdNode, model, node } from '../cluster-model/fixtures.js';

describe('what up suggests trying next', () => {
  it("on raft-console: the workshop's path, the cut-off leader's log included", () => {
    const tries = nextCommands(model([1, 2, 3].map((id) => node(id, { role: id === 2 ? 'leader' : 'follower' }))), 2, { name: 'demo' });
    expect(tries).toContain('raft-console partition 2 1,3 --name demo');
    expect(tries).toContain('raft-console log 2 --name demo');
  });

  it('on etcd: nothing that reads log entries etcd does not expose', () => {
    const tries = nextCommands(etcdModel([1, 2, 3].map((id) => etcdNode(id, { role: 'follower' }))), 2, { name: 'demo' });
    expect(tries).toContain('raft-console partition 2 1,3 --name demo');
    expect(tries.join('\n')).not.toMatch(/ log |--via/);
  });
});
