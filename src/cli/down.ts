// `raft-console down [--purge]`: stops the cluster's nodes and its supervisor, and returns once
// the supervisor process is gone. Its data stays for the next `up`, unless --purge deletes it; a
// cluster that is not running can be purged too (how to start over with another node count).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Command } from 'commander';
import { CLUSTER_FILE, SUPERVISOR_LOG, clusterFolder, forgetElsewhere, plural } from '../cluster-model/index.js';
import { endOrphanNodes } from '../supervisor/index.js';
import { connect, folderOptions, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { CliError, asCliError, guarded } from './failure.js';

interface DownFlags extends ClusterFlags {
  purge?: boolean;
  json?: boolean;
}

/** How long the supervisor may take to exit once its nodes are stopped. */
const EXIT_WAIT_MS = 10_000;

/** Whether the process exists and is not a zombie (an orphan that nobody reaped is gone all the same). */
function running(pid: number): boolean {
  if (existsSync('/proc')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function print(flags: DownFlags, doc: Record<string, unknown>, text: string): void {
  process.stdout.write(`${flags.json === true ? JSON.stringify(doc) : text}\n`);
}

/** `down --purge` of a cluster that is not running: delete its folder, if it is one. */
async function purgeStopped(flags: DownFlags): Promise<void> {
  const options = await folderOptions(flags);
  const { name, folder } = clusterFolder(options);
  if (!existsSync(folder)) throw new CliError(`there is no cluster named ${name} (no folder ${folder}): nothing to delete`, 'not-running');
  // A detached start that failed before the cluster existed leaves its supervisor's log alone there.
  const failedStart = readdirSync(folder).every((f) => f === SUPERVISOR_LOG);
  if (!existsSync(join(folder, CLUSTER_FILE)) && !failedStart)
    throw new CliError(`${folder} has no ${CLUSTER_FILE}, so it is not a raft-console cluster folder: not deleting it`);
  // Nodes frozen (paused) when their supervisor died cannot see it is gone: end them first.
  const ended = endOrphanNodes(folder);
  await rm(folder, { recursive: true, force: true });
  await forgetElsewhere(options, name, folder);
  const text = `deleted the stopped cluster ${name} (${folder})${ended.length === 0 ? '' : `, after killing ${plural(ended.length, 'node process', 'node processes')} its supervisor left frozen (pid ${ended.join(', ')})`}`;
  print(flags, { ok: true, text, purged: true }, text);
}

export function registerDownCommand(program: Command): Command {
  return withClusterOptions(
    program
      .command('down')
      .description('stop the cluster (its data stays for the next `up`)')
      .option('--purge', "also delete the cluster's folder: its data, logs and settings")
      .option('--json', 'print the result as one JSON document'),
  ).action(
    guarded('down', async (flags: DownFlags) => {
      let client;
      try {
        client = await connect(flags);
      } catch (err) {
        if (flags.purge === true && asCliError(err)?.code === 'not-running') return purgeStopped(flags);
        throw err;
      }
      const pid = client.model.supervisorPid;
      const closed = new Promise<void>((resolve) => client.onGone(() => resolve()));
      const result = await client.act({ op: 'down', purge: flags.purge === true });
      if (!result.ok) {
        await client.close();
        throw new CliError(result.text);
      }
      await closed;
      const until = Date.now() + EXIT_WAIT_MS;
      while (running(pid)) {
        if (Date.now() > until)
          throw new CliError(
            `the nodes are stopped but the supervisor (pid ${pid}) has not exited after ${EXIT_WAIT_MS / 1000} s: \`kill ${pid}\` ends it`,
          );
        await sleep(20);
      }
      print(flags, { ...result, purged: flags.purge === true }, result.text);
    }),
  );
}
