// `raft-console dashboard`: the live dashboard for a cluster started elsewhere (`up --detach`, or
// another terminal's `up`). Quitting closes the dashboard and leaves the cluster running.
import { type Command } from 'commander';
import { connect, nameFlag, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { CliError, guarded } from './failure.js';
import { canShowDashboard } from '../tui/terminal.js';
import { languageOf, withLangOption, type LangFlags } from './lang-option.js';
import { openWithDashboard } from './load-dashboard.js';
import { MOUSE_OPTION, mouseOf, type MouseFlags } from './mouse-option.js';

export function registerDashboardCommand(program: Command): Command {
  return withLangOption(
    withClusterOptions(
      program
        .command('dashboard')
        .description('open the live dashboard on a running cluster (quitting leaves the cluster running)')
        .option(...MOUSE_OPTION),
    ),
  ).action(
    guarded('dashboard', async (flags: ClusterFlags & LangFlags & MouseFlags) => {
      if (!canShowDashboard())
        throw new CliError(
          `the dashboard needs a terminal (stdin and stdout a TTY, CI unset): here, watch with \`raft-console events --follow${nameFlag(flags)}\` and \`raft-console status${nameFlag(flags)}\``,
        );
      // ink takes longer to load than the control API to answer: both at once.
      const [client, { runDashboard }] = await openWithDashboard(connect(flags), (c) => c.close());
      try {
        const lang = await languageOf(flags);
        const end = await runDashboard({ source: client, owned: false, attached: true, lang, mouse: mouseOf(flags) });
        if (end.why === 'gone') process.stdout.write(`${end.text}\n`);
        else
          process.stdout.write(
            `dashboard closed; cluster ${client.model.name} keeps running (\`raft-console down${nameFlag(flags)}\` stops it)\n`,
          );
      } finally {
        await client.close();
      }
    }),
  );
}
