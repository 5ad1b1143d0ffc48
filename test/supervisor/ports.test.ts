// Node ports come from below the ephemeral range, where no outgoing connection is given one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../../src/supervisor/ports.js';

describe('freePorts', () => {
  it('hands out distinct free ports below the ephemeral range', async () => {
    const ports = await freePorts(9);
    expect(new Set(ports).size).toBe(9);
    let ephemeral = 32_768;
    try {
      ephemeral = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    } catch {
      // Not Linux: the default bound.
    }
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(20_000);
      expect(p).toBeLessThan(ephemeral);
    }
  });
});
