// The raft-console command line: one commander program, each command registered by its own module.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerNodeCommand } from './node.js';
import { registerSimCommand } from './sim.js';

/** Exit code of a usage error (bad option, unknown command), for every command. */
const EXIT_USAGE = 2;

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('raft-console')
  .description('A terminal console for running, watching and breaking a Raft cluster.')
  .version(pkg.version)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
registerSimCommand(program);
registerNodeCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // Help and version end with code 0; every other commander error is a usage error.
  process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
}
