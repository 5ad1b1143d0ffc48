// The raft-console command line: one commander program, each command registered by its own module,
// and only the module of the command being run is loaded (commands.ts).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_STATUS } from '../schema/exit-codes.js';
import { commandsFor } from './commands.js';

// A reader that goes away (`raft-console up 3 | head -3`, `events | head`) ends the command the way
// a closed pipe ends any Unix tool, without a stack trace: a command that stops cleanly on SIGTERM
// (`up` stops its nodes) is sent one; any other ends at once.
let pipeClosed = false;
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (pipeClosed) return;
    pipeClosed = true;
    if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
    else process.exit(process.exitCode ?? EXIT_STATUS.ok);
  });

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('raft-console')
  .description('A terminal console for running, watching and breaking a Raft cluster.')
  .version(pkg.version)
  // One line per error, commander's "(Did you mean status?)" and the usage hint on the same line.
  .configureOutput({ outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`) })
  .exitOverride();
for (const register of await commandsFor(process.argv[2])) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // Help and version end with code 0; every other commander error is a usage error.
  process.exitCode = err.exitCode === 0 ? EXIT_STATUS.ok : EXIT_STATUS.usage;
}
