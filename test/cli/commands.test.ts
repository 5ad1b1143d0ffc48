// The CLI loads only the module of the command being run: the table that says which module
// registers which command must name every command, or that command starts as slowly as help.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { MODULES, commandsFor } from '../../src/cli/commands.js';

describe('the command table', () => {
  it('names every command each module registers, and no other', async () => {
    for (const m of MODULES) {
      const program = new Command();
      (await m.load())(program);
      expect(program.commands.map((c) => c.name()).sort()).toEqual([...m.commands].sort());
    }
  });

  it('loads one module for a command, none for --version, and all for help or an unknown word', async () => {
    expect(await commandsFor('put')).toHaveLength(1);
    expect(await commandsFor('--version')).toHaveLength(0);
    expect(await commandsFor('--help')).toHaveLength(MODULES.length);
    expect(await commandsFor('nosuch')).toHaveLength(MODULES.length);
    expect(await commandsFor(undefined)).toHaveLength(MODULES.length);
  });
});
