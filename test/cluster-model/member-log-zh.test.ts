import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventTextZh } from '../../src/cluster-model/event-zh.js';
import type { ClusterEvent } from '../../src/cluster-model/model.js';
import { ETCD_LOG_START, readEtcdLogLine, type EtcdLogState } from '../../src/etcd/log-events.js';

const FIXTURES = join(import.meta.dirname, '..', 'etcd', 'fixtures');
const KNOWN: Record<string, number> = { '97ac55eab3074162': 1, bb42e5e6cd75065c: 2, '3e37408b813c8882': 3, '2e4a0f764b27f79f': 4 };

/** Every event the captured etcd lines give, as the supervisor puts them into the cluster's list. */
function fixtureEvents(idOf: (hex: string) => number | null): ClusterEvent[] {
  return readdirSync(FIXTURES).flatMap((file) => {
    const self = Number(/\.n(\d)\./.exec(file)?.[1] ?? 1);
    // Each fixture starts mid-story: a published member of the 3 voters.
    let state: EtcdLogState = { ...ETCD_LOG_START, role: 'follower', term: 1, voters: Object.keys(KNOWN).slice(0, 3), published: true };
    return readFileSync(join(FIXTURES, file), 'utf8')
      .split('\n')
      .flatMap((line) => {
        const r = readEtcdLogLine(line, { self, idOf }, state);
        state = r.state;
        return r.readings.flatMap((x) => (x.kind === 'event' ? [{ ...x.event, node: self }] : []));
      });
  });
}

describe("an etcd member's events in Chinese", () => {
  it('every event the captured lines give is worded in Chinese from its fields, none keeps its English sentence', () => {
    const events = fixtureEvents((hex) => KNOWN[hex] ?? null);
    expect(new Set(events.map((e) => e.type)).size).toBeGreaterThanOrEqual(15);
    for (const e of events) expect(eventTextZh(e), `${e.type}: ${e.text}`).not.toBe(e.text);
  });

  it('words a leader change, a member change and a lost connection as the dashboard shows them', () => {
    const zh = fixtureEvents((hex) => KNOWN[hex] ?? null).map((e) => eventTextZh(e));
    expect(zh).toContain('n3 跟随任期 11 的新领导者 n1（之前是 n2）');
    expect(zh).toContain('配置变更：提升为投票者 n4（投票者 n4 n3 n1 n2）');
    expect(zh).toContain('n2：与 n1 的连接断开：failed to read 97ac55eab3074162 on stream Message (unexpected EOF)');
  });

  it('names a member raft-console does not know by its hex id', () => {
    const zh = fixtureEvents((hex) => (hex === '2e4a0f764b27f79f' ? null : (KNOWN[hex] ?? null))).map((e) => eventTextZh(e));
    expect(zh).toContain('配置变更：添加学习者 2e4a0f764b27f79f（投票者 n3 n1 n2）');
  });
});
