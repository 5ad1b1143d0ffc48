// Property-based fuzzing of every decoder that reads input from another process: none throws,
// whatever it is given, and every refusal says why (a code, or a problem sentence). Seeded: see
// arbitraries.ts (FUZZ_SEED, FUZZ_PATH).
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAction } from '../../src/cluster-model/parse-action.js';
import { readNodeLine } from '../../src/supervisor/node-line.js';
import { KvStateMachine } from '../../src/kv/index.js';
import { validateClientRequest } from '../../src/node/client-protocol.js';
import { attachControl, type ControlAnswer, type ControlTarget } from '../../src/node/control.js';
import { RaftDriver } from '../../src/node/raft-driver.js';
import { Raft } from '../../src/raft/raft.js';
import { parseUntrustedJson } from '../../src/schema/untrusted-json.js';
import { FrameDecoder, parseBody } from '../../src/transport/frame.js';
import { ERROR_CODES, PROTOCOL_VERSION, checkHello, checkProofFrame, proofFrame } from '../../src/transport/hello.js';
import { FaultFilter } from '../../src/transport/index.js';
import { validateMessage } from '../../src/transport/message-schema.js';
import { STATE_LINE } from '../node/fixtures.js';
import { stepNode } from '../node/step-node.js';
import { CLIENT_REQUESTS, FUZZ_SEED, PEER_MESSAGES, bodies, frame, fuzz, hostileValue, toText } from './arbitraries.js';

const RUNS = 300;

/** A refusal must say why, in a sentence. */
type Verdict = { ok: true } | { ok: false; problem: string };
const explained = (v: Verdict): boolean => v.ok || v.problem.length > 10;
const parsedThen = (text: string, check: (value: unknown) => Verdict): boolean => {
  const json = parseUntrustedJson(text, 'the input');
  return json.ok ? explained(check(json.value)) : json.problem.length > 10;
};

const NONCE = 'ab'.repeat(32);
const HELLO = { type: 'hello', version: PROTOCOL_VERSION, clusterId: 'fuzz', from: 2, kind: 'peer', nonce: NONCE };
const CONTROL_LINES = [
  { id: 1, op: 'faults', blockedTo: [2], links: { 3: { delayMs: 10, loss: 0.1 } } },
  { id: 2, op: 'transfer', to: 2 },
  { id: 3, op: 'add-peer', peer: 4, host: '127.0.0.1', port: 7004 },
  { id: 4, op: 'conf-change', change: { type: 'add-learner', node: 4 } },
  { id: 5, op: 'tick', ms: 10 },
  { id: 6, op: 'step', on: true },
  { id: 7, op: 'deliver', ids: ['1.2', '3.1'] },
  { id: 8, op: 'advance', ticks: 3 },
];
const HELD_LINE = {
  ts: 1,
  node: 1,
  kind: 'step',
  type: 'held',
  id: '1.3',
  to: 2,
  message: 'append',
  term: 2,
  detail: { prevLogIndex: 4, prevLogTerm: 1, entries: 1, firstIndex: 5, lastIndex: 5, lastTerm: 2, leaderCommit: 4 },
  heldAt: 1,
};
const ACTIONS = [
  { op: 'partition', groups: [[1, 2], [3]] },
  { op: 'link', from: 1, to: 2, drop: 0.3, delayMs: 100, oneWay: true },
  { op: 'kill', nodes: [1] },
  { op: 'speed', preset: 'slow' },
  { op: 'deliver', ids: ['1.2'] },
  { op: 'fire', node: 2, timer: 'election' },
];

describe('the decoders never throw, and every refusal says why', () => {
  it('FrameDecoder, under any chunking, returns the frames sent and refuses lengths over its limit', () => {
    const frames = fc.array(fc.oneof(bodies(PEER_MESSAGES), fc.string({ maxLength: 300 })), { minLength: 1, maxLength: 6 });
    fuzz(
      fc.property(
        frames,
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 8, max: 4096 }),
        (texts, cuts, limit) => {
          const stream = Buffer.concat(texts.map((t) => frame(t)));
          const decoder = new FrameDecoder(limit);
          const out: Buffer[] = [];
          let refused = false;
          for (let at = 0, i = 0; at < stream.length && !refused; i++) {
            const size = cuts[i % cuts.length]!;
            decoder.push(stream.subarray(at, at + size));
            at += size;
            for (;;) {
              const next = decoder.next();
              if (next.kind === 'incomplete') break;
              if (next.kind === 'too-large') {
                expect(next.length).toBeGreaterThan(limit);
                refused = true;
                break;
              }
              out.push(Buffer.from(next.body));
            }
          }
          const fitting = [];
          for (const t of texts) {
            const bytes = Buffer.from(t, 'utf8');
            if (bytes.length > limit) break;
            fitting.push(bytes);
          }
          expect(out).toEqual(fitting);
          expect(refused).toBe(fitting.length < texts.length);
          return true;
        },
      ),
      RUNS,
    );
  });

  it('parseBody, on any bytes', () => {
    fuzz(
      fc.property(
        fc.oneof(
          bodies(PEER_MESSAGES).map((t) => Buffer.from(t, 'utf8')),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        ),
        (body) => explained(parseBody(body)),
      ),
      RUNS,
    );
  });

  it('the hello check: a hello, or one of the protocol error codes with a reason', () => {
    fuzz(
      fc.property(
        bodies([HELLO, { ...HELLO, kind: 'client', from: 0 }, { ...HELLO, from: 1, proof: NONCE }]),
        fc.boolean(),
        (text, answer) => {
          const body = parseBody(Buffer.from(text, 'utf8'));
          if (!body.ok) return body.problem.length > 10;
          const check = checkHello(body.value, answer ? { clusterId: 'fuzz', self: 2, peer: 1, answer } : { clusterId: 'fuzz', self: 1 });
          return check.ok || (ERROR_CODES.includes(check.code) && check.reason.length > 10);
        },
      ),
      RUNS,
    );
  });

  it('the proof check, on mutated proof frames', () => {
    const handshake = { clusterId: 'fuzz', dialer: { kind: 'peer' as const, from: 2, nonce: NONCE }, listener: { id: 1, nonce: NONCE } };
    const secret = Buffer.alloc(32, 7);
    fuzz(
      fc.property(bodies([{ ...proofFrame(secret, handshake) }]), (text) => {
        const body = parseBody(Buffer.from(text, 'utf8'));
        if (!body.ok) return body.problem.length > 10;
        const check = checkProofFrame(body.value, secret, handshake);
        return check.ok || (check.code === 'auth-failed' && check.reason.length > 10);
      }),
      RUNS,
    );
  });

  it('validateMessage, on mutated peer messages', () => {
    fuzz(
      fc.property(bodies(PEER_MESSAGES), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), (text, self, sender) =>
        parsedThen(text, (v) => validateMessage(v, { self, sender })),
      ),
      RUNS,
    );
  });

  it('the client request validator, on mutated requests', () => {
    fuzz(
      fc.property(bodies(CLIENT_REQUESTS), (text) => parsedThen(text, validateClientRequest)),
      RUNS,
    );
  });

  it('the control API: a message parsed with the limits, its action checked', () => {
    fuzz(
      fc.property(bodies(ACTIONS.map((action) => ({ type: 'action', id: 1, action }))), (text) =>
        parsedThen(text, (m) => parseAction(typeof m === 'object' && m !== null && 'action' in m ? m.action : m)),
      ),
      RUNS,
    );
  });

  it('the node line reader, on mutated state lines, control answers and any other line', () => {
    const answer = { ts: 1, node: 1, kind: 'control', type: 'answer', id: 3, op: 'transfer', ok: true, text: 'n1 hands leadership to n2' };
    fuzz(
      fc.property(bodies([STATE_LINE, answer, { ts: 1, node: 1, kind: 'raft', type: 'commit', text: 'n1 commits' }, HELD_LINE]), (text) => {
        const line = readNodeLine(text);
        return line.kind === 'state' || line.kind === 'event' || line.kind === 'step' || line.problem.length > 10;
      }),
      RUNS,
    );
  });

  it('the node stdin control channel: one answer per line, whatever the lines', async () => {
    const core = new Raft({ id: 1, voters: [1, 2, 3], random: () => 0 });
    const driver = new RaftDriver(
      core,
      { observe: () => {}, persist: async () => {}, send: () => {}, apply: async () => {}, advanced: async () => {} },
      () => {},
    );
    const target: ControlTarget = {
      self: 1,
      driver,
      transport: { filter: new FaultFilter(() => 0.5), addPeer: () => {}, removePeer: () => {} },
      setTickMs: () => {},
      step: stepNode().target,
    };
    const lines = fc.sample(
      bodies(CONTROL_LINES).map((t) => t.replace(/[\r\n]/g, ' ')),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    const input = new PassThrough();
    const answers: ControlAnswer[] = [];
    const ended = new Promise<void>((resolve) => attachControl(input, target, (a) => answers.push(a), resolve));
    for (const l of lines) input.write(`${l}\n`);
    input.end();
    await ended;
    expect(answers).toHaveLength(lines.filter((l) => l.trim() !== '').length);
    for (const a of answers) expect(a.text.length).toBeGreaterThan(0);
  });

  it('the state machine applies any entry data alike on two replicas, without throwing', () => {
    const put = { v: 1, op: 'put', clientId: 'c', seq: 1, key: 'k', value: 'v' };
    fuzz(
      fc.property(
        fc.array(fc.oneof(bodies([put, { ...put, op: 'cas', expected: null }]), hostileValue.map(toText)), { maxLength: 20 }),
        (datas) => {
          const one = new KvStateMachine();
          const two = new KvStateMachine();
          datas.forEach((data, i) => {
            const entry = { type: 'normal' as const, term: 1, index: i + 1, data };
            expect(one.apply(entry)).toEqual(two.apply(entry));
          });
          return one.serialize() === two.serialize();
        },
      ),
      RUNS / 3,
    );
  });
});
