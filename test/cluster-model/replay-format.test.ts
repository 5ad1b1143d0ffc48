// The recording's line format (src/cluster-model/replay-format.ts): the encoder, and the time of a
// model-only delta read without parsing it, which must keep recognising what the encoder writes.
import { describe, expect, it } from 'vitest';
import { encodeLine, modelOnlyTime } from '../../src/cluster-model/replay-format.js';
import { event } from '../tui/fixtures.js';

describe('a recording line', () => {
  it('that only changes the model gives its time without being parsed; any other line gives none', () => {
    const ts = 1_733_300_000_123;
    expect(modelOnlyTime(encodeLine({ t: 'd', ts, ops: [[['nodes', 0, 'raft', 'commit'], 7]], events: [] }))).toBe(ts);
    expect(modelOnlyTime(encodeLine({ t: 'd', ts, ops: [], events: [event(1, 'commit', 'entry 7 committed')] }))).toBeNull();
    expect(modelOnlyTime(encodeLine({ t: 'd', ts, ops: [[['x'], 1]], events: [event(1, 'commit', 'entry 7')] }))).toBeNull();
    // Torn, forged or too long a number: read in full instead, where the schema judges it.
    expect(modelOnlyTime('{"t":"d","ts":1733300000123,"ops":[[["x"],1]')).toBeNull();
    expect(modelOnlyTime('{"t":"d","ts":99999999999999999,"ops":[]}')).toBeNull();
  });
});
