// What `status` prints for people: every column when there is room (or in a pipe), the least wanted
// columns left out on a narrow terminal, and the faults in force named in words.
import { describe, expect, test } from 'vitest';
import { statusDocument, statusLines } from '../../src/cli/status.js';
import { columns } from '../../src/tui/text-width.js';
import { etcdModel, etcdNode, model, node } from '../cluster-model/fixtures.js';
import type { ClusterModel } from '../../src/cluster-model/index.js';

const plain = (_: unknown, text: string): string => text;
const leader = node(1, {
  role: 'leader',
  leader: 1,
  term: 2,
  lastIndex: 9,
  commit: 9,
  applied: 9,
  membership: { voters: [1, 2, 3], learners: [] },
});
const cluster = (extra: Partial<ClusterModel> = {}): ClusterModel =>
  model([leader, node(2, { leader: 1, term: 2 }), node(3, { leader: 1, term: 2 })], {
    folder: '/home/someone/.local/state/raft-console/a-cluster-with-a-long-name-indeed',
    ...extra,
  });
const header = (lines: string[]): string => lines.find((l) => l.startsWith('NODE'))!;

describe('status', () => {
  test('with room for everything, shows every column', () => {
    const lines = statusLines(cluster(), plain, Infinity, 0);
    const shown = header(lines).split(/ {2,}/);
    expect(shown).toHaveLength(18);
    expect(shown).toEqual(expect.arrayContaining(['DATA', 'ADDRESS', 'PID', 'RESTARTS', 'UP', 'SNAP', 'LAST TERM']));
  });

  test('on an 80-column terminal, fits every line by leaving out the least wanted columns', () => {
    const lines = statusLines(cluster(), plain, 80, 0);
    for (const line of lines) expect(columns(line), line).toBeLessThanOrEqual(80);
    const shown = header(lines).split(/ {2,}/);
    expect(shown).toEqual(expect.arrayContaining(['NODE', 'ROLE', 'TERM', 'LOG', 'COMMIT', 'PROCESS']));
    expect(shown).not.toContain('DATA');
    expect(shown).not.toContain('ADDRESS');
  });

  test('says the network is sound and nothing is changed when no fault is in force', () => {
    expect(statusLines(cluster(), plain, 80, 0)).toContain('faults: none');
  });

  test('names each fault in force: an isolated node, links of their own (once for both ways alike), a paused node, a known bug', () => {
    const faulty = cluster({
      partition: [[1, 3], [2]],
      links: [
        // In the model's order: by the sending end, then the receiving one.
        { from: 1, to: 2, blocked: true, delayMs: 0, loss: 0 },
        { from: 1, to: 3, blocked: false, delayMs: 100, loss: 0 },
        { from: 2, to: 1, blocked: true, delayMs: 0, loss: 0 },
        { from: 2, to: 3, blocked: true, delayMs: 50, loss: 0 },
        { from: 3, to: 1, blocked: false, delayMs: 100, loss: 0.5 },
        { from: 3, to: 2, blocked: true, delayMs: 50, loss: 0 },
      ],
      nodes: [leader, node(2, { term: 2 }, 'paused'), node(3, { term: 2 })],
      switches: { preVote: true, checkQuorum: true, bugs: ['vote-not-persisted'] },
    });
    const lines = statusLines(faulty, plain, Infinity, 0);
    expect(lines).toContain(
      'faults: n2 isolated; link n1 -> n3 delay 100 ms; link n2 <-> n3 delay 50 ms; link n3 -> n1 delay 100 ms, loss 50%; n2 paused; Raft: BUG vote-not-persisted ON',
    );
    const narrow = statusLines(faulty, plain, 60, 0);
    expect(narrow).toEqual(expect.arrayContaining(['faults:', '  n2 isolated', '  link n1 -> n3 delay 100 ms', '  n2 paused']));
  });

  test('a partition into groups of several nodes is named by its groups', () => {
    const split = cluster({
      partition: [
        [1, 2],
        [3, 4, 5],
      ],
      links: [],
    });
    expect(statusLines(split, plain, Infinity, 0)).toContain('faults: partitioned {1,2} | {3,4,5}');
  });

  test('counts in words: one node, one report', () => {
    const lines = statusLines(model([leader]), plain, Infinity, 0);
    expect(lines[0]).toMatch(/^cluster demo: 1 node, n1 leads term 2;/);
    expect(statusLines(model([leader], { safety: { ok: true, checkedReports: 1 } }), plain, Infinity, 0)).toContain(
      'safety: OK (checked 1 report)',
    );
  });
});

describe('status on an etcd cluster', () => {
  // Numbers etcd never gives, planted where it reports nothing: status must not print them.
  const planted = { lastIndex: 987_654, lastTerm: 4321, firstIndex: 97_531, snapshotIndex: 86_420 };
  const etcd = (): ClusterModel =>
    etcdModel([
      etcdNode(1, { role: 'leader', leader: 1, term: 5, commit: 41, applied: 41, ...planted }),
      etcdNode(2, { leader: 1, term: 5, commit: 41, applied: 40, ...planted }),
      etcdNode(3, { leader: 1, term: 5, commit: 39, applied: 39, ...planted }),
    ]);

  test('names the engine and its version in the header, and each member with its etcd id and client URL', () => {
    for (const width of [Infinity, 80, 72]) {
      const lines = statusLines(etcd(), plain, width, 0);
      expect(lines[0]).toMatch(/^cluster demo \(etcd 3\.4\.23\): 3 nodes, n1 leads term 5/);
      const ids = lines.findIndex((l) => l.startsWith('NODE  ETCD MEMBER ID'));
      expect(ids, lines.join('\n')).toBeGreaterThan(0);
      expect(lines[ids + 1]).toMatch(/^n1\s+8e9e05c521646941\s+http:\/\/127\.0\.0\.1:2389/);
      for (const line of lines) expect(columns(line), line).toBeLessThanOrEqual(width);
    }
    expect(statusLines(etcd(), plain, Infinity, 0)[1]).toContain('etcd cluster cdf818194e3a8c32');
  });

  test('shows role, term, leader, commit and applied as etcd reports them, and n/a for its log, never a number', () => {
    const lines = statusLines(etcd(), plain, Infinity, 0);
    const text = lines.join('\n');
    for (const n of ['987654', '4321', '97531', '86420']) expect(text).not.toContain(n);
    const row = lines.find((l) => l.startsWith('n2 '))!;
    expect(row.split(/ {2,}/).slice(0, 10)).toEqual(['n2', '· follower', '5', 'n1', '-', 'n/a', 'n/a', '41', '40', 'n/a']);
  });

  test('--json carries the model with its engine and each member', () => {
    const doc = statusDocument(etcd());
    expect(doc).toMatchObject({ engine: { kind: 'etcd', version: '3.4.23' }, leader: 1, term: 5 });
    expect((doc.nodes as Array<{ etcd: { memberId: string } }>)[0]!.etcd.memberId).toBe('8e9e05c521646941');
  });
});
