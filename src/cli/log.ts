// `raft-console log <id>`: one node's log as that node holds it, entry by entry: index, term, kind,
// whether it knows the entry committed, and the command in words. Comparing two nodes' logs after a
// partition shows which entries were replaced.
import { ClusterError, plural } from '../cluster-model/index.js';
import { type Command } from 'commander';
import { RaftClient, type LogPage } from '../client/index.js';
import { clusterSecret } from '../cluster-model/index.js';
import { decodeCommand } from '../kv/index.js';
import { MAX_TERM_OR_INDEX, type Entry } from '../raft/types.js';
import { indexArg, nodeId } from './arguments.js';
import { SECRET_FILE_OPTION, connect, nameFlag, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { explainClientError } from '../cluster-model/request.js';
import { paintFor } from './colour.js';
import { CliError, guarded } from './failure.js';
import { runningNode } from './model-queries.js';
import { table } from './table.js';

interface LogFlags extends ClusterFlags {
  from?: number;
  to?: number;
  json?: boolean;
  secretFile?: string;
}

type LogEntry = LogPage['entries'][number];

/** The entry's content in words: `put color="red"`, `submit "hello"`, `add-learner n6`. */
function describe(e: Entry): string {
  if (e.type === 'noop') return '(no-op: the leader of a new term commits with it)';
  if (e.type === 'config')
    return `${e.change.type} n${e.change.node} -> voters ${e.membership.voters.join(',')}${e.membership.learners.length > 0 ? `, learners ${e.membership.learners.join(',')}` : ''}`;
  const decoded = decodeCommand(e.data);
  if (!decoded.ok) return `(not a command: ${decoded.error.message})`;
  const c = decoded.command;
  const q = JSON.stringify;
  switch (c.op) {
    case 'submit':
      return `submit ${q(c.text)}`;
    case 'put':
      return `put ${c.key}=${q(c.value)}`;
    case 'delete':
      return `del ${c.key}`;
    case 'cas':
      return `cas ${c.key} ${c.expected === null ? '(absent)' : q(c.expected)} -> ${q(c.value)}`;
  }
}

/** Every entry from `from` to `to`, a page (at most 1000 entries) at a time. */
async function readLog(client: RaftClient, id: number, from: number, to: number): Promise<LogPage> {
  const first = await client.log(id, { from, to });
  const entries: LogEntry[] = [...first.entries];
  let commit = first.commit;
  while (entries.length > 0 && entries.at(-1)!.index < to) {
    const page = await client.log(id, { from: entries.at(-1)!.index + 1, to });
    if (page.entries.length === 0) break;
    entries.push(...page.entries);
    commit = page.commit;
  }
  return { firstIndex: first.firstIndex, commit, entries };
}

export function registerLogCommand(program: Command): Command {
  return withClusterOptions(
    program
      .command('log')
      .description("show one node's log: index, term, committed or not, and each command")
      .argument('<id>', 'the node', nodeId)
      .option('--from <n>', 'first index to show', indexArg('--from'))
      .option('--to <n>', 'last index to show', indexArg('--to'))
      .option('--json', 'print {node, firstIndex, commit, entries} as one JSON document')
      .option(...SECRET_FILE_OPTION),
  ).action(
    guarded('log', async (id: number, flags: LogFlags) => {
      const from = flags.from ?? 1;
      const to = flags.to ?? MAX_TERM_OR_INDEX;
      if (to < from) throw new CliError(`--to (${to}) must not be below --from (${from})`, 'usage');
      const control = await connect(flags);
      const model = control.model;
      await control.close();
      if (model.engine.kind === 'etcd')
        throw new ClusterError(
          `etcd does not expose its log entries: \`raft-console status${nameFlag(flags)}\` shows each member's commit and applied index, and \`raft-console events${nameFlag(flags)}\` what its log lines told`,
          { code: 'engine-unsupported', op: 'log', engine: 'etcd', remote: model.engine.remote },
        );
      const node = runningNode(model, id, nameFlag(flags));
      const client = new RaftClient({
        clusterId: model.clusterId,
        secret: clusterSecret(model.folder, flags.secretFile),
        nodes: [{ id, address: node.address }],
      });
      let log: LogPage;
      try {
        log = await readLog(client, id, from, to).catch((err: unknown) => {
          throw explainClientError(err, model, 'request');
        });
      } finally {
        client.close();
      }
      if (flags.json === true) {
        const entries = log.entries.map((e) => ({ ...e, text: describe(e) }));
        process.stdout.write(`${JSON.stringify({ node: id, firstIndex: log.firstIndex, commit: log.commit, entries })}\n`);
        return;
      }
      const paint = paintFor(process.stdout);
      const rows = log.entries.map((e) => [
        e.index,
        e.term,
        e.committed ? { text: 'yes' } : { text: 'no', style: 'yellow' as const },
        e.type,
        describe(e),
      ]);
      const compacted = log.firstIndex > 1 ? `; entries before ${log.firstIndex} are compacted into a snapshot` : '';
      process.stdout.write(
        `${paint('bold', `n${id}'s log`)}: ${plural(log.entries.length, 'entry', 'entries')} shown, committed up to ${log.commit}${compacted}\n`,
      );
      if (rows.length > 0) process.stdout.write(`${table(['INDEX', 'TERM', 'COMMITTED', 'TYPE', 'ENTRY'], rows, paint).join('\n')}\n`);
    }),
  );
}
