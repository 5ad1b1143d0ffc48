// `raft-console dashboard`: the live dashboard is not built yet. Until it is, this says so and
// points at what shows the same things today.
import { Command } from 'commander';
import { nameFlag, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { CliError, guarded } from './failure.js';

export function registerDashboardCommand(program: Command): Command {
  return withClusterOptions(program.command('dashboard').description('the live dashboard (not available yet)')).action(
    guarded('dashboard', async (flags: ClusterFlags) => {
      throw new CliError(
        `the live dashboard is not available yet: watch the cluster with \`raft-console events --follow${nameFlag(flags)}\` and \`raft-console status${nameFlag(flags)}\`, or run \`raft-console up\` in the foreground to see its events`,
      );
    }),
  );
}
