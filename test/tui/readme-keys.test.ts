// The README's table of keys is the key map: every binding is there with its help and command.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BINDINGS } from '../../src/tui/keymap.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('lists every key of the dashboard with what it does and its command line', () => {
    for (const b of BINDINGS) {
      const keys = b.keys
        .split(' ')
        .map((k) => `\`${k}\``)
        .join(' ');
      // Keys of different contexts may be the same ([ ] in replay and in step mode): the help tells the rows apart.
      const row = readme.split('\n').find((l) => l.startsWith(`| ${keys} |`) && l.includes(b.help));
      expect(row, `README row for ${b.keys}`).toBeDefined();
      expect(row).toContain(b.help);
      if (b.cli !== '') expect(row).toContain(`\`${b.cli}\``);
    }
  });
});
