// The schema every inbound peer frame is checked against before it reaches the core. It must
// accept everything the real core sends (after a JSON round trip, as on the wire) and refuse
// anything else: wrong types, out-of-range integers, stray or missing fields, entries out of
// place, messages for another node or from a peer other than the one that said hello.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/raft/types.js';
import { MESSAGE_TYPES, validateMessage } from '../../src/transport/message-schema.js';
import { confEntry, newCluster, noop, normal, prng } from '../raft/harness.js';

const wire = (m: Message): unknown => JSON.parse(JSON.stringify(m));
const routeOf = (m: Message) => ({ self: m.to, sender: m.from });

/** Messages of every type, as a real cluster of cores sends them. */
function coreMessages(): Message[] {
  const c = newCluster([1, 2, 3], { seed: 12 });
  c.electLeader(1); // pre-votes, votes, the leader's no-op append and its responses
  c.crash(3);
  for (let i = 0; i < 6; i++) {
    c.propose(1, `e${i}`);
    c.deliverAll();
  }
  c.tickAll(3); // heartbeats
  expect(c.raft(1).readIndex('read-1')).toEqual({ ok: true }); // heartbeats with a context
  c.flush(1);
  c.deliverAll();
  c.compact(1);
  c.propose(1, 'after-compaction');
  c.deliverAll();
  c.restart(3); // behind the compacted log: a snapshot
  c.tickUntil(() => c.status(3).commit === c.status(1).commit, 60);
  c.addNode(4, { voters: [] });
  expect(c.proposeConfChange(1, { type: 'add-learner', node: 4 })).toMatchObject({ ok: true }); // config entries, rejections
  c.tickUntil(() => c.status(4).commit === c.status(1).commit, 60);
  expect(c.raft(1).transferLeadership(2)).toEqual({ ok: true }); // timeout-now, votes with transfer
  c.flush(1);
  c.deliverAll();
  return c.sent.map((r) => r.msg);
}

/** A long random run with message loss: stale terms, refusals, conflict hints. */
function randomRunMessages(seed: number): Message[] {
  const c = newCluster([1, 2, 3, 4, 5], { seed });
  const rnd = prng(seed);
  for (let step = 0; step < 1500; step++) {
    const r = rnd();
    if (r < 0.5) c.tickAll(1, { deliver: false });
    else if (c.queue.length > 0) {
      const [m] = c.queue.splice(Math.floor(rnd() * c.queue.length), 1);
      if (rnd() > 0.1) c.deliver(m!);
    }
    if (r > 0.97) {
      const l = c.leader();
      if (l !== undefined) c.propose(l, `s${step}`);
    }
  }
  return c.sent.map((x) => x.msg);
}

describe('validateMessage accepts what the core sends', () => {
  it('every message of a scenario that uses every message type', () => {
    const sent = coreMessages();
    expect(new Set(sent.map((m) => m.type))).toEqual(new Set(MESSAGE_TYPES));
    expect(sent.some((m) => m.type === 'append' && m.entries.some((e) => e.type === 'config'))).toBe(true);
    expect(sent.some((m) => m.type === 'append-response' && !m.success)).toBe(true);
    for (const m of sent) expect(validateMessage(wire(m), routeOf(m)), JSON.stringify(m)).toEqual({ ok: true, value: wire(m) });
  });

  it('every message of random runs with loss and reordering', () => {
    for (const seed of [1, 2, 3]) {
      const problems = randomRunMessages(seed)
        .map((m) => ({ m, v: validateMessage(wire(m), routeOf(m)) }))
        .filter(({ v }) => !v.ok);
      expect(problems).toEqual([]);
    }
  });
});

describe('validateMessage refuses anything else', () => {
  const route = { self: 2, sender: 1 };
  const append = (): Record<string, unknown> =>
    wire({
      type: 'append',
      from: 1,
      to: 2,
      term: 3,
      prevLogIndex: 4,
      prevLogTerm: 2,
      entries: [normal(5, 2), noop(6, 3), confEntry(7, 3, { type: 'add-learner', node: 4 }, { voters: [1, 2, 3], learners: [4] })],
      leaderCommit: 4,
    }) as Record<string, unknown>;
  const snapshot = (): Record<string, unknown> =>
    wire({
      type: 'snapshot',
      from: 1,
      to: 2,
      term: 3,
      snapshot: { meta: { index: 9, term: 3, membership: { voters: [1, 2, 3], learners: [] } }, data: '{}' },
    }) as Record<string, unknown>;
  // Loose on purpose: the cases reach into the bases to break one nested field each.
  /* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access -- see above */
  type Obj = Record<string, any>;

  it('the valid bases pass', () => {
    expect(validateMessage(append(), route).ok).toBe(true);
    expect(validateMessage(snapshot(), route).ok).toBe(true);
    expect(validateMessage({ type: 'heartbeat', from: 1, to: 2, term: 2 ** 48, commit: 2 ** 48 }, route).ok).toBe(true);
  });

  const cases: [string, () => unknown, RegExp][] = [
    ['not an object', () => [append()], /must be a JSON object/],
    ['null', () => null, /must be a JSON object/],
    ['unknown type', () => ({ ...append(), type: 'gossip' }), /unknown message type "gossip"/],
    ['no type', () => ({ ...append(), type: undefined }), /unknown message type/],
    ['an inherited property name as type', () => ({ ...append(), type: 'constructor' }), /unknown message type "constructor"/],
    ['a hello after the hello', () => ({ type: 'hello', version: 1 }), /unknown message type "hello"/],
    ['a negative term', () => ({ ...append(), term: -1 }), /term must be an integer from 0 to 281474976710656, got -1/],
    ['a fractional term', () => ({ ...append(), term: 1.5 }), /term must be an integer from 0 to 281474976710656/],
    ['a term past 2^53', () => ({ ...append(), term: 2 ** 53 }), /term must be an integer from 0 to 281474976710656/],
    // The safe range (MAX_TERM_OR_INDEX, 2^48): a term where +1 is no longer exact would wedge a node.
    [
      'a term of 2^53-1',
      () => ({ type: 'heartbeat', from: 1, to: 2, term: 2 ** 53 - 1, commit: 0 }),
      /term must be an integer from 0 to 281474976710656, got 9007199254740991/,
    ],
    ['a term just past 2^48', () => ({ ...append(), term: 2 ** 48 + 1 }), /term must be an integer from 0 to 281474976710656/],
    [
      'an entry index past 2^48',
      () => ({ ...append(), prevLogIndex: 2 ** 48 + 1, entries: [], leaderCommit: 0 }),
      /prevLogIndex must be an integer from 0 to 281474976710656/,
    ],
    [
      'an append-response index past 2^48',
      () => ({ type: 'append-response', from: 1, to: 2, term: 1, success: true, index: 2 ** 50, conflictTerm: 0, conflictIndex: 0 }),
      /index must be an integer from 0/,
    ],
    [
      'a vote with lastLogTerm past 2^48',
      () => ({ type: 'vote', from: 1, to: 2, term: 1, lastLogIndex: 0, lastLogTerm: 2 ** 52 }),
      /lastLogTerm must be an integer from 0/,
    ],
    [
      'a snapshot term past 2^48',
      () => ((o: Obj) => ((o.snapshot.meta.term = 2 ** 53 - 1), o))(snapshot()),
      /snapshot\.meta\.term must be an integer from 0/,
    ],
    ['a term as a string', () => ({ ...append(), term: '3' }), /term must be an integer from 0 to 281474976710656, got "3"/],
    [
      'a missing field',
      () => ({ ...append(), leaderCommit: undefined }),
      /leaderCommit must be an integer from 0 to 281474976710656, got nothing/,
    ],
    ['a stray field', () => ({ ...append(), extra: 1 }), /extra is not a field/],
    ['for another node', () => ({ ...append(), to: 3 }), /to is n3, but this is n2/],
    ['from another peer than the hello', () => ({ ...append(), from: 3 }), /from is n3, but this connection's hello came from n1/],
    ['from node 0', () => ({ ...append(), from: 0 }), /from must be a node id/],
    ['entries not an array', () => ({ ...append(), entries: {} }), /entries must be an array/],
    ['an entry out of place', () => ((o: Obj) => ((o.entries[1].index = 7), o))(append()), /entries\[1\]\.index must be 6/],
    [
      'an entry index 0',
      () => ({ ...append(), prevLogIndex: 0, prevLogTerm: 0, entries: [{ type: 'noop', term: 1, index: 0 }] }),
      /index must be at least 1/,
    ],
    ['entry terms going down', () => ((o: Obj) => ((o.entries[2].term = 1), o))(append()), /entries\[2\]\.term is 1, below the term 3/],
    ['an entry below prevLogTerm', () => ({ ...append(), prevLogTerm: 3 }), /entries\[0\]\.term is 2, below the term 3/],
    ['an entry above the leader term', () => ((o: Obj) => ((o.entries[2].term = 4), o))(append()), /above the leader's term 3/],
    ['an entry of unknown type', () => ((o: Obj) => ((o.entries[0].type = 'blob'), o))(append()), /entries\[0\]\.type must be one of/],
    ['a normal entry without data', () => ((o: Obj) => (delete o.entries[0].data, o))(append()), /entries\[0\]\.data must be a string/],
    ['a noop entry with data', () => ((o: Obj) => ((o.entries[1].data = 'x'), o))(append()), /entries\[1\]\.data is not a field/],
    [
      'a conf change of unknown type',
      () => ((o: Obj) => ((o.entries[2].change.type = 'add-voter'), o))(append()),
      /entries\[2\]\.change\.type must be one of/,
    ],
    ['a conf change for node 0', () => ((o: Obj) => ((o.entries[2].change.node = 0), o))(append()), /change\.node must be a node id/],
    [
      'unsorted voters',
      () => ((o: Obj) => ((o.entries[2].membership.voters = [2, 1, 3]), o))(append()),
      /voters must be in ascending order/,
    ],
    [
      'a repeated voter',
      () => ((o: Obj) => ((o.entries[2].membership.voters = [1, 1, 3]), o))(append()),
      /ascending order without repeats/,
    ],
    [
      'a voter that is also a learner',
      () => ((o: Obj) => ((o.entries[2].membership.learners = [3]), o))(append()),
      /n3 is both a voter and a learner/,
    ],
    [
      'a voter id that is not a number',
      () => ((o: Obj) => ((o.entries[2].membership.voters = [1, '2']), o))(append()),
      /voters\[1\] must be a node id/,
    ],
    ['a snapshot without data', () => ((o: Obj) => (delete o.snapshot.data, o))(snapshot()), /snapshot\.data must be a string/],
    [
      'a snapshot with a negative index',
      () => ((o: Obj) => ((o.snapshot.meta.index = -9), o))(snapshot()),
      /snapshot\.meta\.index must be an integer from 0 to 281474976710656/,
    ],
    [
      'a snapshot without membership',
      () => ((o: Obj) => (delete o.snapshot.meta.membership, o))(snapshot()),
      /snapshot\.meta\.membership must be a JSON object/,
    ],
    [
      'a vote refusal reason unknown',
      () => ({ type: 'vote-response', from: 1, to: 2, term: 1, granted: false, reason: 'tired' }),
      /reason must be one of/,
    ],
    ['granted as a number', () => ({ type: 'vote-response', from: 1, to: 2, term: 1, granted: 1 }), /granted must be true or false/],
    [
      'transfer as a string',
      () => ({ type: 'vote', from: 1, to: 2, term: 1, lastLogIndex: 0, lastLogTerm: 0, transfer: 'yes' }),
      /transfer must be true or false/,
    ],
    [
      'a context that is not a string',
      () => ({ type: 'heartbeat', from: 1, to: 2, term: 1, commit: 0, context: 7 }),
      /context must be a string/,
    ],
    ['timeout-now with a field', () => ({ type: 'timeout-now', from: 1, to: 2, term: 1, force: true }), /force is not a field/],
    [
      'an append-response without conflict hints',
      () => ({ type: 'append-response', from: 1, to: 2, term: 1, success: true, index: 3 }),
      /conflictTerm/,
    ],
  ];
  /* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access */

  it.each(cases)('%s', (_, make, problem) => {
    const text = JSON.stringify(make()) as string | undefined; // undefined for undefined, whatever lib.d.ts says
    const v = validateMessage(JSON.parse(text ?? 'null'), route);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problem).toMatch(problem);
  });

  it('a "__proto__" key in the JSON is a stray field, not a prototype', () => {
    const v = validateMessage(JSON.parse('{"type":"timeout-now","from":1,"to":2,"term":1,"__proto__":{"x":1}}'), route);
    expect(v).toEqual({ ok: false, problem: '__proto__ is not a field of this frame' });
  });
});
