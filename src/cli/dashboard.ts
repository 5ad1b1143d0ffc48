// `raft-console dashboard`: the live dashboard for a cluster started elsewhere (`up --detach`, or
// another terminal's `up`), or, with --etcd, for an etcd cluster that runs on other machines
// (read-only unless --allow-changes). Quitting closes the dashboard and leaves the cluster running.
import { type Command } from 'commander';
import type { ClusterSource } from '../cluster-model/source.js';
import { connect, nameFlag, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { checkEtcdFlags, etcdAttachOptions, withEtcdOptions, type EtcdFlags } from './etcd-options.js';
import { openSettings } from './settings.js';
import { CliError, guarded } from './failure.js';
import { canShowDashboard } from '../tui/terminal.js';
import { languageOf, withLangOption, type LangFlags } from './lang-option.js';
import { openWithDashboard } from './load-dashboard.js';
import { MOUSE_OPTION, mouseOf, type MouseFlags } from './mouse-option.js';

type DashboardFlags = ClusterFlags & LangFlags & MouseFlags & EtcdFlags;

/** The flags that only mean something with --etcd. */
const ETCD_ONLY = ['cacert', 'cert', 'key', 'user', 'allowChanges', 'interval'] as const;

/** What the dashboard shows, and the line printed when it closes. */
async function openSource(flags: DashboardFlags): Promise<{ source: ClusterSource & { close(): Promise<void> }; closing: () => string }> {
  if (flags.etcd === undefined) {
    const client = await connect(flags);
    return {
      source: client,
      closing: () => `dashboard closed; cluster ${client.model.name} keeps running (\`raft-console down${nameFlag(flags)}\` stops it)`,
    };
  }
  const options = await etcdAttachOptions({ ...flags, etcd: flags.etcd });
  // Loaded only for --etcd: the JSON gateway's client is not needed otherwise.
  const { EtcdAttachment } = await import('../cluster-model/etcd-attach.js');
  const attachment = await EtcdAttachment.open(options);
  return { source: attachment, closing: () => `dashboard closed; detached from etcd at ${attachment.model.name}, which keeps running` };
}

export function registerDashboardCommand(program: Command): Command {
  return withEtcdOptions(
    withLangOption(
      withClusterOptions(
        program
          .command('dashboard')
          .description(
            'open the live dashboard on a running cluster (quitting leaves the cluster running); with --etcd, on an etcd cluster that runs elsewhere',
          )
          .option(...MOUSE_OPTION),
      ),
    ),
  ).action(
    guarded('dashboard', async (flags: DashboardFlags, cmd: Command) => {
      checkEtcdFlags(flags, cmd, ETCD_ONLY);
      if (!canShowDashboard())
        throw new CliError(
          flags.etcd !== undefined
            ? 'the dashboard needs a terminal (stdin and stdout a TTY, CI unset)'
            : `the dashboard needs a terminal (stdin and stdout a TTY, CI unset): here, watch with \`raft-console events --follow${nameFlag(flags)}\` and \`raft-console status${nameFlag(flags)}\``,
        );
      // ink takes longer to load than the cluster to answer: both at once.
      const [{ source, closing }, { runDashboard }] = await openWithDashboard(openSource(flags), (o) => o.source.close());
      try {
        const lang = await languageOf(flags);
        const recordingCapMb = (await openSettings()).get('recording-cap');
        const end = await runDashboard({ source, owned: false, attached: true, lang, mouse: mouseOf(flags), recordingCapMb });
        process.stdout.write(`${end.why === 'gone' ? end.text : closing()}\n`);
      } finally {
        await source.close();
      }
    }),
  );
}
