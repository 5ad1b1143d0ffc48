// The client commands: `submit` appends an opaque entry to the log, `put`, `get`, `del` and `cas`
// work on the replicated key-value store. They go to the leader, following redirects and retrying
// through elections until --timeout; with --via they go to that one node only and its answer is
// the result, which is how to hand an entry to a leader stranded in a minority and watch it fail.
import { type Command } from 'commander';
import type { RaftClient, WriteResult } from '../client/index.js';
import { where, withClusterClient } from '../cluster-model/request.js';
import { milliseconds, nodeId } from './arguments.js';
import { SECRET_FILE_OPTION, connect, nameFlag, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { EXIT_STATUS, type ExitCode } from '../schema/exit-codes.js';
import { guarded } from './failure.js';
import { runningNode } from './model-queries.js';

interface KvFlags extends ClusterFlags {
  secretFile?: string;
  via?: number;
  timeout: number;
  json?: boolean;
}

type Outcome = { human: string; json: Record<string, unknown>; exit?: ExitCode };

/** Runs one request against the cluster's nodes and prints the outcome. */
async function request(
  flags: KvFlags,
  what: 'write' | 'read',
  run: (client: RaftClient, options: { via?: number; timeoutMs: number }) => Promise<Outcome>,
): Promise<void> {
  const control = await connect(flags);
  const model = control.model;
  await control.close();
  if (flags.via !== undefined) runningNode(model, flags.via, nameFlag(flags));
  const out = await withClusterClient(
    model,
    flags.timeout,
    what,
    (client) => run(client, { via: flags.via, timeoutMs: flags.timeout }),
    flags.secretFile,
  );
  process.stdout.write(`${flags.json === true ? JSON.stringify(out.json) : out.human}\n`);
  if (out.exit !== undefined) process.exitCode = EXIT_STATUS[out.exit];
}

function placed(w: WriteResult): Record<string, unknown> {
  return { index: w.index, term: w.term, leader: w.leader.id, leaderAddress: w.leader.address };
}

function define(program: Command, name: string, description: string, read = false): Command {
  return withClusterOptions(program.command(name).description(description))
    .option(
      '--via <id>',
      `send to this node only, without following redirects: its answer is the result${read ? '' : ' (an entry handed to a stranded leader stays uncommitted)'}`,
      nodeId,
    )
    .option(
      '--timeout <ms>',
      'give up after this long, retries included (milliseconds, or with a unit: 500ms, 2s)',
      milliseconds('--timeout'),
      5000,
    )
    .option('--json', 'print the outcome as one JSON document')
    .option(...SECRET_FILE_OPTION);
}

const quote = (s: string): string => JSON.stringify(s);

export function registerKvCommands(program: Command): void {
  define(program, 'submit', 'append an entry to the replicated log; prints the index and term it committed at and the leader')
    .argument('<text...>', "the entry's text (words are joined with spaces)")
    .action(
      guarded('submit', (words: string[], flags: KvFlags) =>
        request(flags, 'write', async (client, o) => {
          const text = words.join(' ');
          const w = await client.submit(text, o);
          return { human: `committed ${quote(text)} ${where(w)}`, json: { op: 'submit', text, ...placed(w) } };
        }),
      ),
    );

  define(program, 'put', 'set a key in the replicated key-value store')
    .argument('<key>', 'the key')
    .argument('<value>', 'its new value')
    .action(
      guarded('put', (key: string, value: string, flags: KvFlags) =>
        request(flags, 'write', async (client, o) => {
          const w = await client.put(key, value, o);
          const before = w.result.previous === null ? 'a new key' : `was ${quote(w.result.previous)}`;
          return {
            human: `${key} = ${quote(value)} (${before}), committed ${where(w)}`,
            json: { op: 'put', key, value, previous: w.result.previous, ...placed(w) },
          };
        }),
      ),
    );

  define(program, 'get', 'read a key with a linearizable read (ReadIndex on the leader)', true)
    .argument('<key>', 'the key')
    .action(
      guarded('get', (key: string, flags: KvFlags) =>
        request(flags, 'read', async (client, o) => {
          const r = await client.get(key, o);
          const human =
            r.value === null
              ? `${key} is not set (read at commit index ${r.index})`
              : `${key} = ${quote(r.value)} (read at commit index ${r.index})`;
          return { human, json: { key, value: r.value, index: r.index } };
        }),
      ),
    );

  define(program, 'del', 'delete a key')
    .argument('<key>', 'the key')
    .action(
      guarded('del', (key: string, flags: KvFlags) =>
        request(flags, 'write', async (client, o) => {
          const w = await client.delete(key, o);
          const human = w.result.existed
            ? `deleted ${key}, committed ${where(w)}`
            : `${key} was not set: nothing deleted (committed ${where(w)})`;
          return { human, json: { op: 'delete', key, existed: w.result.existed, ...placed(w) } };
        }),
      ),
    );

  define(program, 'cas', 'compare-and-set: set key to new only if it holds expected (exit 1 if it does not)')
    .argument('<key>', 'the key')
    .argument('<expected>', 'the value it must hold now')
    .argument('<new>', 'the value to set')
    .action(
      guarded('cas', (key: string, expected: string, value: string, flags: KvFlags) =>
        request(flags, 'write', async (client, o) => {
          const w = await client.cas(key, expected, value, o);
          const json = {
            op: 'cas',
            key,
            expected,
            value,
            swapped: w.result.swapped,
            current: w.result.swapped ? value : w.result.current,
            ...placed(w),
          };
          if (w.result.swapped) return { human: `${key}: ${quote(expected)} -> ${quote(value)}, committed ${where(w)}`, json };
          const holds = w.result.current === null ? 'is not set' : `holds ${quote(w.result.current)}`;
          return {
            human: `${key} ${holds}, not ${quote(expected)}: nothing changed (the compare committed ${where(w)})`,
            json,
            exit: 'failed',
          };
        }),
      ),
    );
}
