// The raft-console command line: one commander program, each command registered by its own module.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_STATUS } from '../schema/exit-codes.js';
import { registerActionCommands } from './actions.js';
import { registerCheckCommand } from './check.js';
import { registerConfigCommand } from './config.js';
import { registerDashboardCommand } from './dashboard.js';
import { registerDownCommand } from './down.js';
import { registerEventsCommand } from './events.js';
import { registerExerciseCommand } from './exercise.js';
import { registerKvCommands } from './kv.js';
import { registerLogCommand } from './log.js';
import { registerNodeCommand } from './node.js';
import { registerSimCommand } from './sim.js';
import { registerStatusCommand } from './status.js';
import { registerSuperviseCommand } from './supervise.js';
import { registerUpCommand } from './up.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('raft-console')
  .description('A terminal console for running, watching and breaking a Raft cluster.')
  .version(pkg.version)
  // One line per error, the usage hint on the same line.
  .configureOutput({ outputError: (text, write) => write(`${text.trimEnd()} (see --help)\n`) })
  .exitOverride();
registerUpCommand(program);
registerDashboardCommand(program);
registerStatusCommand(program);
registerKvCommands(program);
registerActionCommands(program);
registerLogCommand(program);
registerEventsCommand(program);
registerDownCommand(program);
registerConfigCommand(program);
registerSimCommand(program);
registerCheckCommand(program);
registerExerciseCommand(program);
registerNodeCommand(program);
registerSuperviseCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // Help and version end with code 0; every other commander error is a usage error.
  process.exitCode = err.exitCode === 0 ? EXIT_STATUS.ok : EXIT_STATUS.usage;
}
