// The client commands: `submit` appends an opaque entry to the log, `put`, `get`, `del` and `cas`
// work on the replicated key-value store. They go to the leader, following redirects and retrying
// through elections until --timeout; with --via they go to that one node only and its answer is
// the result, which is how to hand an entry to a leader stranded in a minority and watch it fail.
// Their names, arguments and answers are the cluster commands' grammar (src/cluster-model/commands),
// which the dashboard's command line shares. On an etcd cluster they go through etcd's key-value API
// to its members' client URLs instead (src/cluster-model/request.ts).
import type { Command } from 'commander';
import { ETCD_SUBMIT_KEY, sendRequest, type ClientRequest, type RequestOptions } from '../cluster-model/commands/client-request.js';
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
  const out = await sendRequest(model, r, o, flags.secretFile);
  process.stdout.write(`${flags.json === true ? JSON.stringify(out.json) : out.human}\n`);
  if (!out.ok) process.exitCode = EXIT_STATUS.failed;
}

/** What differs on an etcd cluster (up --engine etcd, dashboard --etcd), after each command's options. */
const ETCD_HELP: Record<string, string> = {
  write: `
On an etcd cluster this goes through etcd's key-value API to a member's client
URL (the leader first). etcd has no client sessions: a write whose answer was
lost (a timeout, a broken connection) has an unknown outcome, and sending it
again may apply it twice. The answer gives etcd's revision, not a log index
and term.`,
  submit: `
On an etcd cluster, which has no bare log entries, the text is put under the
key ${ETCD_SUBMIT_KEY} (one entry of its log; each submit replaces the last).
etcd has no client sessions: a write whose answer was lost (a timeout, a
broken connection) has an unknown outcome, and sending it again may apply it
twice.`,
  get: `
On an etcd cluster this is etcd's linearizable range read on a member's client
URL (the leader first); the answer gives the revision it was read at.`,
};

export function registerKvCommands(program: Command): void {
  for (const spec of CLIENT_COMMANDS) {
    const cmd = spec
      .grammar(withClusterOptions(program.command(spec.name).description(spec.description)))
      .option('--json', 'print the outcome as one JSON document')
      .option(...SECRET_FILE_OPTION)
      .addHelpText('after', ETCD_HELP[spec.name] ?? ETCD_HELP.write!);
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
