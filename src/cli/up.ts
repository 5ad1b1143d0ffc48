// `raft-console up [n]`: starts a cluster, in this terminal (the live dashboard, or its events
// scrolling by without a terminal) or with --detach in the background (back to the prompt once a
// leader is elected).
import { type Command } from 'commander';
import { nodeCount } from './arguments.js';
import { folderOptions, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { guarded } from './failure.js';
import { withLangOption, type LangFlags } from './lang-option.js';
import { MOUSE_OPTION, type MouseFlags } from './mouse-option.js';
import { openSettings } from './settings.js';
import { supervisorOptions, withSwitchOptions, withTimingOptions, type SwitchFlags, type TimingFlags } from './supervisor-options.js';
import { withEngineOptions, type EngineFlags } from './engine-option.js';
import { runDetached } from './up-detached.js';
import { runInForeground } from './up-foreground.js';

interface UpFlags extends ClusterFlags, TimingFlags, SwitchFlags, EngineFlags, LangFlags, MouseFlags {
  detach?: boolean;
  json?: boolean;
}

export function registerUpCommand(program: Command): Command {
  const cmd = program
    .command('up')
    .description(
      'start a cluster of n nodes (default: the configured count, 5) and open the live dashboard (headless without a terminal); --detach runs it in the background',
    )
    .argument('[n]', 'number of nodes of a new cluster (1-15); an existing cluster keeps its own', nodeCount)
    .option('--detach', 'run the cluster in the background and return once it has a leader')
    .option('--json', 'print events as NDJSON (with --detach: one JSON document about the cluster)')
    .option(...MOUSE_OPTION);
  return withLangOption(withEngineOptions(withSwitchOptions(withTimingOptions(withClusterOptions(cmd))))).action(
    guarded('up', async (n: number | undefined, flags: UpFlags) => {
      const o = await supervisorOptions(await folderOptions(flags), n, flags, await openSettings());
      if (flags.detach === true) await runDetached(o, flags, flags.json === true);
      else await runInForeground(o, flags, flags.json === true);
    }),
  );
}
