// The client commands: `submit` appends an opaque entry to the log, `put`, `get`, `del` and `cas`
// work on the replicated key-value store. They go to the leader, following redirects and retrying
// through elections until --timeout; with --via they go to that one node only and its answer is
// the result, which is how to hand an entry to a leader stranded in a minority and watch it fail.
// Their names, arguments and answers are the cluster commands' grammar (src/cluster-model/commands),
// which the dashboard's command line shares.
import type { Command } from 'commander';
import { withClusterClient } from '../cluster-model/request.js';
import { answer, requestKind, type ClientRequest, type RequestOptions } from '../cluster-model/commands/client-request.js';
import { CLIENT_COMMANDS, type CommandOptions } from '../cluster-model/commands/grammar.js';
import { SECRET_FILE_OPTION, connect, nameFlag, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { EXIT_STATUS } from '../schema/exit-codes.js';
import { guarded } from './failure.js';
import { runningNode } from './model-queries.js';

type KvFlags = ClusterFlags & CommandOptions & { secretFile?: string; json?: boolean };

/** Runs one request against the cluster's nodes and prints the outcome. */
async function request(flags: KvFlags, r: ClientRequest, o: RequestOptions): Promise<void> {
  const control = await connect(flags);
  const model = control.model;
  await control.close();
  if (o.via !== undefined) runningNode(model, o.via, nameFlag(flags));
  const out = await withClusterClient(model, o.timeoutMs, requestKind(r), (client) => answer(client, r, o), flags.secretFile);
  process.stdout.write(`${flags.json === true ? JSON.stringify(out.json) : out.human}\n`);
  if (!out.ok) process.exitCode = EXIT_STATUS.failed;
}

export function registerKvCommands(program: Command): void {
  for (const spec of CLIENT_COMMANDS) {
    const cmd = spec
      .grammar(withClusterOptions(program.command(spec.name).description(spec.description)))
      .option('--json', 'print the outcome as one JSON document')
      .option(...SECRET_FILE_OPTION);
    cmd.action(
      guarded(spec.name, async () => {
        const flags = cmd.opts<KvFlags>();
        const made = spec.request(cmd.processedArgs, flags);
        if (made.type !== 'client') throw new Error(`${spec.name} is not a client request`);
        await request(flags, made.request, made);
      }),
    );
  }
}
