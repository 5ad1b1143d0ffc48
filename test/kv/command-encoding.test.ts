// The wire format of commands: pinned byte for byte (another build, or a client in another
// language, must produce and read exactly this), and the encoder refuses what the state machine would.
import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand, MAX_KEY_BYTES, type KvCommand } from '../../src/kv/index.js';
import { cas, del, put, submit } from './fixtures.js';

describe('command encoding', () => {
  it('writes one compact JSON line per command, version first, fields in a fixed order', () => {
    expect(encodeCommand(put('c7', 12, 'color', 'red'))).toBe('{"v":1,"op":"put","clientId":"c7","seq":12,"key":"color","value":"red"}');
    expect(encodeCommand(del('c7', 13, 'color'))).toBe('{"v":1,"op":"delete","clientId":"c7","seq":13,"key":"color"}');
    expect(encodeCommand(cas('c7', 14, 'color', 'red', 'blue'))).toBe(
      '{"v":1,"op":"cas","clientId":"c7","seq":14,"key":"color","expected":"red","value":"blue"}',
    );
    expect(encodeCommand(cas('c7', 15, 'lock', null, 'me'))).toBe(
      '{"v":1,"op":"cas","clientId":"c7","seq":15,"key":"lock","expected":null,"value":"me"}',
    );
    expect(encodeCommand(submit('c7', 16, 'hello'))).toBe('{"v":1,"op":"submit","clientId":"c7","seq":16,"text":"hello"}');
  });

  it('decodes what it encodes', () => {
    const commands: KvCommand[] = [put('a', 1, 'k', 'v'), del('a', 2, 'k'), cas('a', 3, 'k', null, '😀'), submit('a', 4, '')];
    for (const command of commands) expect(decodeCommand(encodeCommand(command))).toEqual({ ok: true, command });
  });

  it('encodes the same command alike whatever order its fields were written in, and drops extra ones', () => {
    const shuffled = { value: 'v', key: 'k', seq: 1, clientId: 'a', op: 'put', extra: 'ignored' } as unknown as KvCommand;
    expect(encodeCommand(shuffled)).toBe(encodeCommand(put('a', 1, 'k', 'v')));
  });

  it('reads fields in any order', () => {
    expect(decodeCommand('{"value":"v","key":"k","seq":1,"clientId":"a","op":"put","v":1}')).toEqual({
      ok: true,
      command: put('a', 1, 'k', 'v'),
    });
  });

  it('refuses to encode a command the state machine would refuse, naming the cause', () => {
    expect(() => encodeCommand(put('a', 0, 'k', 'v'))).toThrow('cannot encode kv command: seq must be an integer of at least 1, got 0');
    expect(() => encodeCommand(put('', 1, 'k', 'v'))).toThrow('cannot encode kv command: clientId must be 1 to 64 bytes, got ""');
    expect(() => encodeCommand(put('a', 1, 'k'.repeat(MAX_KEY_BYTES + 1), 'v'))).toThrow(
      'cannot encode kv command: key is 257 bytes, over the limit of 256',
    );
    expect(() => encodeCommand({ op: 'get', clientId: 'a', seq: 1 } as unknown as KvCommand)).toThrow('op must be one of');
    expect(() => encodeCommand({ op: 'cas', clientId: 'a', seq: 1, key: 'k', value: 'v' } as unknown as KvCommand)).toThrow(
      'expected must be a string or null, got nothing',
    );
  });
});
