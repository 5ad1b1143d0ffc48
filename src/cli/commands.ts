// Which module registers which command, loaded on demand: every node and the supervisor start
// through the CLI's entry too, and loading the whole program costs several times a bare Node start.
// Help, an unknown word and a command missing from the table load every module, so the table can
// only make a start slower, never wrong (test/cli/commands.test.ts keeps it complete).
import type { Command } from 'commander';
import { ACTION_OPS, STEP_OPS } from '../cluster-model/control-protocol.js';

export type Register = (program: Command) => void;

/** Each command module, loaded on demand, with the commands it registers. */
export const MODULES: ReadonlyArray<{ commands: readonly string[]; load: () => Promise<Register> }> = [
  { commands: ['up'], load: async () => (await import('./up.js')).registerUpCommand },
  { commands: ['dashboard'], load: async () => (await import('./dashboard.js')).registerDashboardCommand },
  { commands: ['status'], load: async () => (await import('./status.js')).registerStatusCommand },
  { commands: ['submit', 'put', 'get', 'del', 'cas'], load: async () => (await import('./kv.js')).registerKvCommands },
  {
    commands: ACTION_OPS.filter((op) => op !== 'down' && !STEP_OPS.includes(op)),
    load: async () => (await import('./actions.js')).registerActionCommands,
  },
  { commands: ['step'], load: async () => (await import('./step.js')).registerStepCommand },
  { commands: ['log'], load: async () => (await import('./log.js')).registerLogCommand },
  { commands: ['events'], load: async () => (await import('./events.js')).registerEventsCommand },
  { commands: ['down'], load: async () => (await import('./down.js')).registerDownCommand },
  { commands: ['config'], load: async () => (await import('./config.js')).registerConfigCommand },
  { commands: ['sim'], load: async () => (await import('./sim.js')).registerSimCommand },
  { commands: ['check'], load: async () => (await import('./check.js')).registerCheckCommand },
  { commands: ['exercise'], load: async () => (await import('./exercise.js')).registerExerciseCommand },
  { commands: ['node'], load: async () => (await import('./node.js')).registerNodeCommand },
  { commands: ['supervise'], load: async () => (await import('./supervise.js')).registerSuperviseCommand },
];

/** The registrations `word` (the first argument) needs: its own module's, none for --version, all otherwise. */
export async function commandsFor(word: string | undefined): Promise<Register[]> {
  if (word === '--version' || word === '-V') return [];
  const own = MODULES.find((m) => word !== undefined && m.commands.includes(word));
  return Promise.all((own === undefined ? MODULES : [own]).map((m) => m.load()));
}
