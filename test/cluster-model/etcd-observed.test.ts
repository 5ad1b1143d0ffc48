import { describe, expect, it } from 'vitest';
import { attachedRefusal } from '../../src/cluster-model/etcd-attach.js';
import { eventTextZh, resultTextZh } from '../../src/cluster-model/event-zh.js';
import { alarmOf, observeNext, unreachedBy, type Observed } from '../../src/cluster-model/etcd-observed.js';
import { readObservedEvent } from '../../src/cluster-model/etcd-observed-events.js';
import { ACTION_OPS } from '../../src/cluster-model/control-protocol.js';
import { leaderOf } from '../../src/cluster-model/queries.js';
import { EtcdError } from '../../src/etcd/errors.js';
import type { EtcdMember, EtcdStatus } from '../../src/etcd/gateway.js';
import type { EtcdObservation, MemberAnswer } from '../../src/etcd/observe.js';
import { ACTION_SAMPLES } from './fixtures.js';

const settings = { endpoints: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379'], writable: false, startedAt: 1000 };

function member(id: string, name: string, over: Partial<EtcdMember> = {}): EtcdMember {
  return {
    id,
    name,
    peerUrls: [`https://10.0.0.${id.length}:2380`],
    clientUrls: [`https://${name}.example:2379`],
    learner: false,
    ...over,
  };
}

// Listed out of name order, to show the ids follow the names.
const C = member('c3', 'charlie');
const A = member('a1', 'alpha');
const B = member('b2', 'bravo');

function status(m: EtcdMember, leader: EtcdMember | null, term: number, over: Partial<EtcdStatus> = {}): EtcdStatus {
  return {
    endpoint: m.clientUrls[0]!,
    memberId: m.id,
    clusterId: 'cafe',
    leader: leader?.id ?? null,
    raftTerm: term,
    raftIndex: 10 * term,
    raftAppliedIndex: 10 * term,
    dbSize: 20480,
    version: '3.4.23',
    learner: m.learner,
    errors: [],
    ...over,
  };
}

function refused(m: EtcdMember, code: 'unreachable' | 'tls' = 'unreachable'): MemberAnswer {
  const endpoint = m.clientUrls[0]!;
  return {
    ok: false,
    error: new EtcdError(
      `cannot reach ${endpoint}`,
      code === 'tls' ? { code, endpoint, cause: 'self-signed certificate' } : { code, endpoint, cause: 'ECONNREFUSED' },
    ),
  };
}

function look(at: number, members: EtcdMember[] | null, answers: Array<[EtcdMember, EtcdStatus | MemberAnswer]>): EtcdObservation {
  return {
    at,
    members,
    answers: new Map(answers.map(([m, a]) => [m.id, 'memberId' in a ? { ok: true, status: a, raft: null } : a])),
  };
}

/** The looks in order, from none: the last state and the text of every event on the way. */
function run(...looks: EtcdObservation[]): { state: Observed; texts: string[] } {
  let state: Observed | null = null;
  const texts: string[] = [];
  for (const o of looks) {
    const next = observeNext(state, o, settings);
    state = next.state;
    texts.push(...next.events.map((e) => e.text));
  }
  return { state: state!, texts };
}

const healthy = (at: number, leader = A, term = 2) =>
  look(
    at,
    [C, A, B],
    [
      [A, status(A, leader, term)],
      [B, status(B, leader, term)],
      [C, status(C, leader, term)],
    ],
  );

describe('an attached etcd cluster as a model', () => {
  it('numbers the members by name, with their address, identity and state as their statuses say', () => {
    const { state, texts } = run(healthy(1));
    const m = state.model;
    expect(m.nodes.map((n) => [n.id, n.etcd?.name, n.address])).toEqual([
      [1, 'alpha', 'alpha.example:2379'],
      [2, 'bravo', 'bravo.example:2379'],
      [3, 'charlie', 'charlie.example:2379'],
    ]);
    expect(m.nodes[0]!.process).toMatchObject({ state: 'running', pid: null });
    expect(m.nodes[1]!.raft).toMatchObject({ role: 'follower', term: 2, leader: 1, commit: 20, membership: { voters: [1, 2, 3] } });
    expect(m.nodes[1]!.etcd).toEqual({
      memberId: 'b2',
      name: 'bravo',
      clientUrl: 'https://bravo.example:2379',
      peerUrl: 'https://10.0.0.2:2380',
      learner: false,
      dbSize: 20480,
    });
    expect(leaderOf(m)?.id).toBe(1);
    expect(m.name).toBe('10.0.0.1:2379');
    expect(m.clusterId).toBe('cafe');
    expect(m.engine).toMatchObject({
      kind: 'etcd',
      version: '3.4.23',
      clusterIdHex: 'cafe',
      remote: true,
      writable: false,
      timingKnown: false,
    });
    expect(m.engine.kind === 'etcd' && m.engine.unreported).toContain('vote');
    expect(m.links).toEqual([]);
    expect(m.partition).toEqual([]);
    expect(texts).toEqual([
      'attached to etcd 3.4.23 through https://10.0.0.1:2379,https://10.0.0.2:2379: 3 members, 3 answering (observed every few hundred ms: no log lines from a remote cluster)',
      'n1 leads term 2 (observed)',
    ]);
  });

  it('shows a member that stops answering as unreachable with the state it last reported, and the new leader of a higher term', () => {
    const { state, texts } = run(
      healthy(1),
      look(
        2,
        [C, A, B],
        [
          [A, refused(A)],
          [B, status(B, A, 2)],
          [C, status(C, A, 2)],
        ],
      ),
      look(
        3,
        [C, A, B],
        [
          [A, refused(A)],
          [B, status(B, B, 3)],
          [C, status(C, B, 3)],
        ],
      ),
      healthy(4, B, 3),
    );
    expect(texts.slice(2)).toEqual([
      'n1 stopped answering: ECONNREFUSED',
      'no answering member leads (observed): n1 led term 2',
      'the leader changed from n1 to n2 in term 3 (observed)',
      'n1 answers again',
    ]);
    expect(state.model.nodes[0]!.process.state).toBe('running');
    expect(state.model.nodes[0]!.raft).toMatchObject({ role: 'follower', term: 3 });
  });

  it('keeps what an unreachable member last reported, drawn as stale by not running', () => {
    const { state } = run(
      healthy(1),
      look(
        2,
        [C, A, B],
        [
          [A, refused(A)],
          [B, status(B, A, 2)],
          [C, status(C, A, 2)],
        ],
      ),
    );
    const n1 = state.model.nodes[0]!;
    expect(n1.process.state).toBe('unreachable');
    expect(n1.raft).toMatchObject({ role: 'leader', term: 2 });
    expect(leaderOf(state.model)).toBeNull();
  });

  it('gives a member that joins the next id, tells when it is promoted, and keeps the id of one removed', () => {
    const D = member('d4', 'aardvark', { learner: true, clientUrls: [] });
    const Dvoter = { ...D, learner: false, clientUrls: ['https://aardvark.example:2379'] };
    const { state, texts } = run(
      healthy(1),
      look(
        2,
        [C, A, B, D],
        [
          [A, status(A, A, 2)],
          [B, status(B, A, 2)],
          [C, status(C, A, 2)],
        ],
      ),
      look(
        3,
        [A, B, Dvoter],
        [
          [A, status(A, A, 2)],
          [B, status(B, A, 2)],
          [Dvoter, status(Dvoter, A, 2)],
        ],
      ),
    );
    expect(texts.slice(2)).toEqual([
      'member n4 (aardvark, d4) joined as a learner (observed)',
      'member n4 (aardvark, d4) was promoted to voter (observed)',
      'n4 answers',
      'member n3 (charlie, c3) was removed (observed)',
    ]);
    expect(state.model.nodes.map((n) => [n.id, n.removed])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, false],
    ]);
    expect(state.model.nodes[1]!.raft?.membership).toEqual({ voters: [1, 2, 4], learners: [] });
  });

  it('finds Election Safety broken when two members name themselves leader of the same term, and counts every report checked', () => {
    const { state, texts } = run(
      healthy(1),
      look(
        2,
        [C, A, B],
        [
          [A, status(A, A, 2)],
          [B, status(B, B, 2)],
          [C, status(C, A, 2)],
        ],
      ),
    );
    expect(texts).toContain('n1 and n2 both named themselves leader of term 2: Election Safety is broken');
    expect(state.model.safety).toMatchObject({ ok: false, property: 'Election Safety', nodes: [1, 2], checkedReports: 6 });
  });

  it('a leader of a later term is no violation, and the checked reports add up', () => {
    const { state } = run(healthy(1), healthy(2, B, 3), healthy(3, C, 4));
    expect(state.model.safety).toEqual({ ok: true, checkedReports: 9 });
  });

  it('tells an alarm once while it lasts, not the passing errors a status also lists', () => {
    const { texts } = run(
      healthy(1),
      look(
        2,
        [C, A, B],
        [
          [A, status(A, A, 2, { errors: ['memberID:a1 alarm:NOSPACE ', 'etcdserver: no leader'] })],
          [B, status(B, A, 2)],
          [C, status(C, A, 2)],
        ],
      ),
      look(
        3,
        [C, A, B],
        [
          [A, status(A, A, 2, { errors: ['memberID:a1 alarm:NOSPACE '] })],
          [B, status(B, A, 2)],
          [C, status(C, A, 2)],
        ],
      ),
    );
    expect(texts.filter((t) => t.includes('alarm'))).toEqual(['n1 raises an alarm: NOSPACE']);
    expect(alarmOf('etcdserver: no leader')).toEqual([]);
  });

  it('a first look that reaches nothing fails the attach with the cause; one that reaches any member does not', () => {
    const tls: EtcdObservation = { at: 1, members: null, answers: new Map([['https://10.0.0.1:2379', refused(A, 'tls')]]) };
    expect(unreachedBy(tls)?.problem.code).toBe('tls');
    expect(unreachedBy(healthy(1))).toBeNull();
    // Without a member list (no quorum) the members that answer are shown from their statuses alone.
    const partial = look(1, null, [[A, status(A, null, 5)]]);
    expect(unreachedBy(partial)).toBeNull();
    expect(run(partial).state.model.nodes.map((n) => [n.id, n.etcd?.memberId, n.process.state])).toEqual([[1, 'a1', 'running']]);
  });

  it('keeps the member list it knew when no endpoint gives one', () => {
    const { state } = run(healthy(1), look(2, null, [[A, status(A, null, 3)]]));
    expect(state.model.nodes.map((n) => [n.id, n.removed])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
  });

  it('every observed event reads back from its line and is worded in Chinese', () => {
    const { state } = run(
      healthy(1),
      look(
        2,
        [C, A, B],
        [
          [A, refused(A)],
          [B, status(B, B, 3)],
          [C, status(C, B, 3)],
        ],
      ),
    );
    for (const e of state.model.events) {
      expect(readObservedEvent(e)).not.toBeNull();
      expect(eventTextZh(e)).not.toBe(e.text);
    }
    expect(eventTextZh(state.model.events.at(-1)!)).toBe('领导者在任期 3 从 n1 换成了 n2（观察到）');
  });
});

describe('actions on an attached etcd cluster', () => {
  const readOnly = run(healthy(1)).state.model;
  const writable = observeNext(null, healthy(1), { ...settings, writable: true }).state.model;

  it('read-only, every action is refused, member changes naming --allow-changes', () => {
    for (const op of ACTION_OPS) {
      const r = attachedRefusal(ACTION_SAMPLES[op], readOnly);
      expect(r?.ok).toBe(false);
      if (op === 'transfer' || op === 'promote' || op === 'remove') {
        expect(r?.problem).toEqual({ code: 'read-only', op });
        expect(r?.text).toContain('--allow-changes');
      } else expect(r?.problem).toMatchObject({ code: 'engine-unsupported', op, engine: 'etcd', remote: true });
    }
  });

  it('faults are refused because raft-console does not run the members, and adding a member says how to do it with etcdctl', () => {
    expect(attachedRefusal(ACTION_SAMPLES.kill, writable)?.text).toBe(
      'raft-console does not run these members: kill, pause and partition work on a cluster it runs (`up --engine etcd`)',
    );
    expect(attachedRefusal(ACTION_SAMPLES.add, writable)?.text).toContain('etcdctl member add');
  });

  it('with --allow-changes, transfer, promote and remove may be tried', () => {
    expect(attachedRefusal(ACTION_SAMPLES.transfer, writable)).toBeNull();
    expect(attachedRefusal(ACTION_SAMPLES.promote, writable)).toBeNull();
    expect(attachedRefusal(ACTION_SAMPLES.remove, writable)).toBeNull();
  });

  it('refusals are worded in Chinese from their problem', () => {
    expect(resultTextZh(attachedRefusal(ACTION_SAMPLES.transfer, readOnly)!)).toContain('--allow-changes');
    expect(resultTextZh(attachedRefusal(ACTION_SAMPLES.pause, readOnly)!)).toContain('up --engine etcd');
  });
});
