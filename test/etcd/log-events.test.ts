import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ETCD_LOG_START,
  goDurationMs,
  MAX_ETCD_LOG_LINE,
  readEtcdLogLine,
  type EtcdLogEvent,
  type EtcdLogReading,
  type EtcdLogState,
} from '../../src/etcd/log-events.js';
import { Random } from '../../src/sim/random.js';

// Lines captured from etcd 3.4.23 on a 3-member cluster (a = 97ac55eab3074162, b = bb42e5e6cd75065c,
// c = 3e37408b813c8882) and a learner d = 2e4a0f764b27f79f; a fixture named x.n3.ndjson is member
// n3's stderr. warnings.n1.ndjson's slow fdatasync and slow apply lines follow etcd's source: not
// seen here.
const FIXTURES = join(import.meta.dirname, 'fixtures');
const HEX = { n1: '97ac55eab3074162', n2: 'bb42e5e6cd75065c', n3: '3e37408b813c8882', n4: '2e4a0f764b27f79f' };
const KNOWN: Record<string, number> = { [HEX.n1]: 1, [HEX.n2]: 2, [HEX.n3]: 3, [HEX.n4]: 4 };
const idOf = (hex: string): number | null => KNOWN[hex] ?? null;

const fixture = (name: string): string[] =>
  readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

/** A member of the 3-voter cluster that has started and published itself, as a fixture's middle finds it. */
const running = (role: EtcdLogState['role'], term: number, leader = ''): EtcdLogState => ({
  ...ETCD_LOG_START,
  role,
  term,
  leader,
  voters: [HEX.n1, HEX.n2, HEX.n3],
  published: true,
});

function readAll(lines: string[], self: number, state: EtcdLogState = ETCD_LOG_START, ids = idOf): EtcdLogReading[] {
  let s = state;
  return lines.flatMap((line) => {
    const r = readEtcdLogLine(line, { self, idOf: ids }, s);
    s = r.state;
    return r.readings;
  });
}

const events = (rs: EtcdLogReading[]): EtcdLogEvent[] => rs.flatMap((r) => (r.kind === 'event' ? [r.event] : []));
const ofType = (rs: EtcdLogReading[], type: string): EtcdLogEvent[] => events(rs).filter((e) => e.type === type);
const facts = (rs: EtcdLogReading[], kind: string): EtcdLogReading[] => rs.filter((r) => r.kind === kind);

describe("an etcd member's log lines as the cluster's story", () => {
  it('a new leader after the old one died: election timeout, pre-vote won, election won, in raft-console words', () => {
    const rs = readAll(fixture('kill-leader.n3.ndjson'), 3, running('follower', 2, HEX.n1));
    expect(ofType(rs, 'election-timeout')[0]).toMatchObject({
      kind: 'raft',
      ts: Date.parse('2026-12-04T13:24:44.735Z'),
      data: { term: 2, leader: 1 },
      text: 'n3 heard nothing from n1 for an election timeout and starts an election',
    });
    expect(ofType(rs, 'role-change').map((e) => e.data)).toEqual([
      { engine: 'etcd', type: 'role-change', from: 'follower', to: 'pre-candidate', term: 2, cause: 'election-timeout' },
      { engine: 'etcd', type: 'role-change', from: 'pre-candidate', to: 'candidate', term: 3, cause: 'pre-vote-won' },
      { engine: 'etcd', type: 'role-change', from: 'candidate', to: 'leader', term: 3, cause: 'won-election' },
    ]);
    expect(ofType(rs, 'role-change')[1]!.text).toBe('n3 becomes candidate in term 3: a majority would vote for it');
    expect(facts(rs, 'role')).toEqual([
      { kind: 'role', role: 'pre-candidate', term: 2 },
      { kind: 'role', role: 'candidate', term: 3 },
      { kind: 'role', role: 'leader', term: 3 },
    ]);
    expect(ofType(rs, 'vote-received').map((e) => e.text)).toEqual([
      'n3 got a pre-vote from n2 for term 2 (2 granted, 2 needed)',
      'n3 got a vote from n2 for term 3 (2 granted, 2 needed)',
    ]);
    expect(ofType(rs, 'election-won')[0]).toMatchObject({
      data: { type: 'election-won', term: 3, votes: 2, voters: 3 },
      text: 'n3 wins term 3 with 2 of 3 votes',
    });
    expect(ofType(rs, 'leader-lost')[0]).toMatchObject({ data: { leader: 1, term: 2 }, text: 'n3 lost its leader n1 (term 2)' });
  });

  it('a follower grants the pre-vote and the vote, and its vote is a fact for the model', () => {
    const rs = readAll(fixture('kill-leader.n2.ndjson'), 2, running('follower', 2, HEX.n1));
    expect(ofType(rs, 'vote-cast').map((e) => [e.text, e.data])).toEqual([
      ['n2 would vote for n3 in term 2', { engine: 'etcd', type: 'vote-cast', round: 'pre-vote', candidate: 3, term: 2, granted: true }],
      ['n2 votes for n3 in term 3', { engine: 'etcd', type: 'vote-cast', round: 'vote', candidate: 3, term: 3, granted: true }],
    ]);
    expect(facts(rs, 'vote')).toEqual([{ kind: 'vote', term: 3, vote: 3 }]);
    expect(ofType(rs, 'leader-known')[0]).toMatchObject({ data: { leader: 3, term: 3 }, text: 'n2 follows leader n3 in term 3' });
  });

  it('a member whose log is more up to date refuses the pre-vote, and the candidate counts the refusal', () => {
    const voter = readAll(fixture('stale-log.n2.ndjson'), 2);
    expect(ofType(voter, 'vote-cast')[0]).toMatchObject({
      data: { round: 'pre-vote', candidate: 3, term: 11, granted: false, reason: 'log-not-up-to-date' },
      text: 'n2 refuses n3 (pre-vote) in term 11: its own log is more up to date',
    });
    // The refusal line also shows the vote n2 holds in its term: a fact after its restart.
    expect(facts(voter, 'vote')).toEqual([{ kind: 'vote', term: 11, vote: 1 }]);
    const candidate = readAll(fixture('stale-log.n3.ndjson'), 3, running('follower', 11));
    expect(ofType(candidate, 'vote-received')[0]).toMatchObject({
      data: { round: 'pre-vote', from: 2, granted: false, grantedTotal: 1, rejectedTotal: 1, needed: 2 },
      text: 'n3 got a pre-vote refusal from n2 for term 11 (1 granted, 2 needed)',
    });
    expect(ofType(candidate, 'role-change').at(-1)!.data).toMatchObject({ from: 'pre-candidate', to: 'follower', cause: 'higher-term' });
  });

  it('without pre-vote, members that heard from their leader ignore the vote: refused as "leader alive"', () => {
    const rs = readAll(fixture('lease.n2.ndjson'), 2, running('leader', 5, ''));
    expect(ofType(rs, 'vote-cast')[0]).toMatchObject({
      data: { round: 'vote', candidate: 1, term: 5, granted: false, reason: 'leader-alive' },
      text: 'n2 refuses n1 in term 5: it heard from a leader recently',
    });
    // The old leader, frozen for a second, steps down to the candidate's higher term.
    expect(ofType(rs, 'role-change')[0]!.data).toMatchObject({
      type: 'role-change',
      from: 'leader',
      to: 'follower',
      term: 10,
      cause: 'higher-term',
    });
    expect(ofType(rs, 'leader-lost')[0]!.text).toBe('n2 is no longer leader (term 10)');
    expect(ofType(rs, 'heartbeat-late')[0]).toMatchObject({ kind: 'node', data: { to: 1, lateMs: 1099.057, intervalMs: 30 } });
  });

  it('a changed leader names the old one', () => {
    const rs = readAll(fixture('lease.n3.ndjson'), 3, running('follower', 5, HEX.n2));
    expect(ofType(rs, 'leader-known')[0]).toMatchObject({
      data: { leader: 1, term: 11, previous: 2 },
      text: 'n3 follows the new leader n1 in term 11 (was n2)',
    });
  });

  it('a candidate without pre-vote that hears nothing starts election after election, each one an event', () => {
    const rs = readAll(fixture('lease-no-prevote.n1.ndjson'), 1, running('follower', 5, HEX.n2));
    expect(ofType(rs, 'election-timeout').map((e) => e.data.term)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(facts(rs, 'role').filter((r) => r.kind === 'role' && r.role === 'candidate')).toHaveLength(6);
    expect(ofType(rs, 'role-change')[0]!.data).toMatchObject({ from: 'follower', to: 'candidate', term: 6, cause: 'election-timeout' });
    expect(ofType(rs, 'election-won')[0]!.text).toBe('n1 wins term 11 with 2 of 3 votes');
  });

  it('adding a learner, promoting it, moving the leader and removing the learner, seen by the members', () => {
    const n3 = readAll(fixture('membership.n3.ndjson'), 3, running('leader', 3));
    expect(ofType(n3, 'member-change').map((e) => e.text)).toEqual([
      'configuration: adds learner n4 (voters n3 n1 n2)',
      'configuration: promotes n4 (voters n4 n3 n1 n2)',
      'configuration: removes n4 (voters n3 n1 n2)',
    ]);
    expect(ofType(n3, 'member-change')[0]!.data).toEqual({
      engine: 'etcd',
      change: 'add-learner',
      member: 4,
      voters: [3, 1, 2],
      learners: [4],
    });
    expect(ofType(n3, 'transfer-started')[0]).toMatchObject({ data: { target: 1, term: 3 }, text: 'n3 hands leadership to n1 in term 3' });
    expect(ofType(n3, 'transfer-finished')[0]).toMatchObject({ data: { from: 3, to: 1, tookMs: 30.328 } });
    expect(facts(n3, 'configuration')[0]).toEqual({ kind: 'configuration', voters: [3, 1, 2], learners: [4] });

    const n1 = readAll(fixture('membership.n1.ndjson'), 1, running('follower', 3, HEX.n3));
    expect(ofType(n1, 'role-change')[0]!.data).toMatchObject({ from: 'follower', to: 'candidate', term: 4, cause: 'transfer' });
    expect(ofType(n1, 'election-won')[0]!.text).toBe('n1 wins term 4 with 3 of 4 votes');
  });

  it('a member replaying its log at start tells its configuration but no member changes', () => {
    const rs = readAll(fixture('restart.n1.ndjson'), 1);
    expect(ofType(rs, 'member-change')).toEqual([]);
    expect(facts(rs, 'configuration').at(-1)).toEqual({ kind: 'configuration', voters: [3, 1, 2], learners: [] });
    // Its first role is where it starts, not a change; the higher term of the leader's heartbeat is.
    expect(ofType(rs, 'role-change').map((e) => e.data)).toEqual([
      { engine: 'etcd', type: 'role-change', from: 'follower', to: 'follower', term: 3, cause: 'higher-term' },
    ]);
    const learner = readAll(fixture('membership.n4.ndjson'), 4);
    expect(ofType(learner, 'member-change').map((e) => e.data.change)).toEqual(['promote', 'remove']);
    expect(ofType(learner, 'removed')[0]).toMatchObject({ kind: 'node' });
  });

  it('a new process of the member starts a new reading: its replay after a restart tells no member changes', () => {
    const rs = readAll([...fixture('membership.n1.ndjson'), ...fixture('restart.n1.ndjson')], 1, running('follower', 3, HEX.n3));
    expect(ofType(rs, 'member-change').map((e) => e.data.change)).toEqual(['add-learner', 'promote', 'remove']);
  });

  it('peers becoming unreachable and reachable are transport events, one per change, not one per stream', () => {
    const rs = readAll(fixture('pause.n2.ndjson'), 2);
    expect(events(rs).map((e) => [e.kind, e.type, e.data.peer])).toEqual([
      ['transport', 'peer-disconnected', 1],
      ['transport', 'peer-connected', 1],
    ]);
    expect(events(rs)[0]!.text).toBe(
      'n2: lost the connection to n1: failed to read 97ac55eab3074162 on stream Message (read tcp 127.0.0.1:42102->127.0.0.1:42001: i/o timeout)',
    );
  });

  it('slow disks and late heartbeats are node warnings with their durations in milliseconds', () => {
    const rs = readAll(fixture('warnings.n1.ndjson'), 1);
    expect(events(rs).map((e) => [e.kind, e.type, e.text])).toEqual([
      ['node', 'heartbeat-late', 'n1 sent its heartbeat to n2 4.774 ms late (every 30 ms): is it overloaded, or its disk slow?'],
      ['node', 'slow-fdatasync', 'n1: an fdatasync of its log took 1528.335 ms (expected under 1000 ms)'],
      ['node', 'slow-apply', 'n1: applying a request took 212.173 ms (expected under 100 ms)'],
    ]);
    expect(goDurationMs('1m2.5s')).toBe(62_500);
    expect(goDurationMs('247.529µs')).toBe(0.248);
    expect(goDurationMs('12 parsecs')).toBeNull();
  });

  it('a start that fails gives its cause, a fix and a code; the warning before it and capnslog lines give nothing', () => {
    const rs = readAll(fixture('start-failures.ndjson'), 1);
    expect(rs.map((r) => (r.kind === 'fatal' ? [r.code, r.cause] : r.kind))).toEqual([
      ['port-in-use', 'discovery failed: listen tcp 127.0.0.1:42000: bind: address already in use'],
      ['data-dir', 'failed to list data directory: readdirent /tmp/etcdlog-run/file.data: not a directory'],
      ['data-dir', 'discovery failed: wal: max entry size limit exceeded'],
      ['internal', 'discovery failed: couldn\'t find local name "e" in the initial cluster configuration'],
    ]);
    const disk = readAll(
      ['{"level":"fatal","ts":"2026-12-04T13:00:00Z","msg":"failed to save","error":"write x: no space left on device"}'],
      1,
    );
    expect(disk[0]).toMatchObject({ kind: 'fatal', code: 'disk-full' });
    expect(readAll(['panic: runtime error: index out of range [3] with length 3'], 1)[0]).toMatchObject({
      kind: 'fatal',
      code: 'internal',
    });
  });

  it('members raft-console does not know keep their hex id, in the text and the data', () => {
    const rs = readAll(fixture('kill-leader.n2.ndjson'), 2, running('follower', 2, HEX.n1), (hex) => (hex === HEX.n3 ? null : idOf(hex)));
    expect(ofType(rs, 'vote-cast')[1]).toMatchObject({ text: `n2 votes for ${HEX.n3} in term 3`, data: { candidate: HEX.n3 } });
    expect(facts(rs, 'vote')).toEqual([]);
    expect(ofType(rs, 'leader-known')[0]!.text).toBe(`n2 follows leader ${HEX.n3} in term 3`);
  });

  it('garbage, deep JSON, huge lines and unrelated info lines give nothing and never throw', () => {
    const info = fixture('restart.n1.ndjson').find((l) => l.includes('"opened backend db"'))!;
    const lines = [
      '',
      'not json at all',
      '2026-12-04 13:26:27.037976 W | pkg/fileutil: check file permission: directory "x" exist',
      '{"level":"info"',
      '[1,2,3]',
      'null',
      '{"level":1,"ts":2,"msg":3}',
      '{"level":"info","ts":"yesterday","msg":"97ac55eab3074162 became leader at term 3"}',
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      `{"level":"info","ts":"2026-12-04T13:00:00Z","msg":"${'x'.repeat(MAX_ETCD_LOG_LINE)}"}`,
      '{"level":"info","ts":"2026-12-04T13:00:00Z","msg":"97ac55eab3074162 became leader at term 99999999999999999999"}',
      '{"level":"info","ts":"2026-12-04T13:00:00Z","msg":"peer became active","peer-id":{"deep":[1]}}',
      info,
    ];
    for (const line of lines) expect(readEtcdLogLine(line, { self: 1, idOf }, running('follower', 2)).readings).toEqual([]);
  });

  it('mutated fixture lines never throw (seeded; the seed is printed on failure)', () => {
    const seed = Number(process.env.ETCD_LOG_FUZZ_SEED ?? Date.now() % 1_000_000);
    const random = new Random(seed, 'etcd-log-fuzz');
    const pool = readdirSync(FIXTURES).flatMap((f) => fixture(f));
    const pieces = ['"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', 'ffffffffffffffff', 'term', 'µ', '\u0000', 'null', '-1', '1e999'];
    let state: EtcdLogState = ETCD_LOG_START;
    try {
      for (let i = 0; i < 3000; i++) {
        let line = random.pick(pool);
        for (let k = random.int(1, 4); k > 0; k--) {
          const at = random.int(0, line.length);
          const cut = random.int(0, 8);
          line = line.slice(0, at) + (random.chance(0.5) ? random.pick(pieces) : '') + line.slice(at + cut);
        }
        const r = readEtcdLogLine(line, { self: random.int(1, 4), idOf }, state);
        state = r.state;
        for (const x of r.readings) if (x.kind === 'event') expect(Number.isFinite(x.event.ts)).toBe(true);
      }
    } catch (e) {
      throw new Error(
        `fuzz seed ${seed} failed (replay: ETCD_LOG_FUZZ_SEED=${seed} npx vitest run test/etcd/log-events.test.ts): ${String(e)}`,
        { cause: e },
      );
    }
  });
});
