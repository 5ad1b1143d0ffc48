// docs/PROTOCOL.md is the contract another-language client is written from: every JSON example in
// it must pass the same checks the transport applies, the hex example must be the frame the
// transport writes, and every message type and error code must be documented.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/raft/types.js';
import { encodeFrame } from '../../src/transport/frame.js';
import {
  ERROR_CODES,
  HELLO_MAX_FRAME_BYTES,
  MAX_CLUSTER_ID_LENGTH,
  PROTOCOL_VERSION,
  checkHello,
  checkProof,
  checkProofFrame,
  type Handshake,
} from '../../src/transport/hello.js';
import { MESSAGE_TYPES, validateMessage } from '../../src/transport/message-schema.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../../src/transport/transport.js';

const doc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'PROTOCOL.md'), 'utf8');

function blocks(lang: string): string[] {
  return [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

const examples = blocks('json').map((text) => JSON.parse(text) as { type: string } & Record<string, unknown>);

describe('docs/PROTOCOL.md', () => {
  it('has examples, and every message example passes the schema', () => {
    const messages = examples.filter((e) => !['hello', 'proof', 'error'].includes(e.type)) as unknown as Message[];
    expect(messages.length).toBeGreaterThanOrEqual(MESSAGE_TYPES.length);
    for (const m of messages) expect(validateMessage(m, { self: m.to, sender: m.from }), JSON.stringify(m)).toMatchObject({ ok: true });
    expect(new Set(messages.map((m) => m.type))).toEqual(new Set(MESSAGE_TYPES));
  });

  it('every hello example passes the hello check', () => {
    const hellos = examples.filter((e) => e.type === 'hello' && e.proof === undefined);
    expect(hellos.map((h) => h.kind)).toEqual(['peer', 'client']);
    for (const h of hellos) expect(checkHello(h, { clusterId: h.clusterId as string, self: 1 })).toMatchObject({ ok: true });
  });

  it('the worked handshake example holds: its answer and proof are right for the secret it names', () => {
    const [dialer] = examples.filter((e) => e.type === 'hello' && e.kind === 'peer' && e.proof === undefined);
    const [answer] = examples.filter((e) => e.type === 'hello' && e.proof !== undefined);
    const [proofFrame] = examples.filter((e) => e.type === 'proof');
    const secret = Buffer.from(/the secret\s+`([0-9a-f]{64})`/.exec(doc)![1]!, 'hex');
    const checked = checkHello(answer, { clusterId: answer!.clusterId as string, self: 0, peer: 1, answer: true });
    expect(checked).toMatchObject({ ok: true });
    const h: Handshake = {
      clusterId: dialer!.clusterId as string,
      dialer: { kind: 'peer', from: dialer!.from as number, nonce: dialer!.nonce as string },
      listener: { id: answer!.from as number, nonce: answer!.nonce as string },
    };
    expect(checkProof(answer!.proof as string, secret, 'listener', h)).toEqual({ ok: true });
    expect(checkProofFrame(proofFrame, secret, h)).toEqual({ ok: true });
    expect(doc).toContain(`node 1's proof is\n\`${answer!.proof as string}\``);
  });

  it('the error example uses a documented code, and every code is in the table', () => {
    const errors = examples.filter((e) => e.type === 'error');
    expect(errors).toHaveLength(1);
    expect(ERROR_CODES).toContain(errors[0]!.code);
    for (const code of ERROR_CODES) expect(doc).toContain(`| \`${code}\` |`);
  });

  it('the hex example is the frame the transport writes', () => {
    const [hex] = blocks('hex');
    const bytes = Buffer.from(hex!.replace(/\s+/g, ''), 'hex');
    expect(bytes).toEqual(encodeFrame({ type: 'timeout-now', from: 1, to: 2, term: 5 }));
    expect(doc).toContain(`(${bytes.length - 4} bytes of JSON)`);
  });

  it('states the limits the code enforces', () => {
    expect(doc).toContain(`Protocol version: **${PROTOCOL_VERSION}**`);
    expect(doc).toContain(`| ${HELLO_MAX_FRAME_BYTES} bytes of body |`);
    expect(doc).toContain(`default 8 MiB (${DEFAULT_MAX_FRAME_BYTES} bytes)`);
    expect(doc).toContain(`1 to ${MAX_CLUSTER_ID_LENGTH} characters`);
  });

  it('leaves a marked section for the client requests', () => {
    expect(doc).toMatch(/^## 3\. Client requests$/m);
  });
});
