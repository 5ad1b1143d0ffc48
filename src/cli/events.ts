// `raft-console events`: the cluster's story as the supervisor keeps it (its recent history), and
// with --follow every new event as it happens, until Ctrl-C or the cluster stops.
import { type Command } from 'commander';
import { EVENT_KINDS, type ClusterEvent } from '../cluster-model/index.js';
import { InvalidArgumentError } from 'commander';
import { indexArg, nodeIds } from './arguments.js';
import { connect, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { paintFor } from './colour.js';
import { eventLine } from '../cluster-model/event-line.js';
import { guarded } from './failure.js';
import { sentencesIn, withSentenceLangOption, type LangFlags } from './lang-option.js';

interface EventsFlags extends ClusterFlags, LangFlags {
  follow?: boolean;
  node?: number[];
  kind?: string[];
  last?: number;
  json?: boolean;
}

function kinds(text: string, previous: string[] | undefined): string[] {
  const listed = text.split(',').map((k) => k.trim());
  const unknown = listed.filter((k) => !EVENT_KINDS.includes(k));
  if (unknown.length > 0)
    throw new InvalidArgumentError(`no event kind "${unknown.join('", "')}": the kinds are ${EVENT_KINDS.join(', ')}`);
  return [...(previous ?? []), ...listed];
}

export function registerEventsCommand(program: Command): Command {
  const command = withClusterOptions(
    program
      .command('events')
      .description("print the cluster's recent events; --follow keeps printing new ones")
      .option('--follow', 'keep printing events as they happen, until Ctrl-C or the cluster stops')
      .option('--last <n>', 'only the last n events of the history (counted after --node and --kind)', indexArg('--last'))
      .option('--node <id...>', "only the events of these nodes (the supervisor's own are kept with --kind supervisor)", nodeIds)
      .option('--kind <kind...>', `only events of these kinds: ${EVENT_KINDS.join(', ')}`, kinds)
      .option('--json', 'one JSON object per event (NDJSON): {ts, node, kind, type, text, data}'),
  );
  return withSentenceLangOption(command).action(
    guarded('events', async (flags: EventsFlags) => {
      const client = await connect(flags);
      const paint = paintFor(process.stdout);
      const words = sentencesIn(flags);
      const print = (e: ClusterEvent): void => {
        process.stdout.write(
          `${flags.json === true ? JSON.stringify(e) : eventLine(e, paint, words.eventText(e, client.model.timing.tickMs))}\n`,
        );
      };
      const wanted = (e: ClusterEvent): boolean =>
        (flags.node === undefined || (e.node !== null && flags.node.includes(e.node))) &&
        (flags.kind === undefined || flags.kind.includes(e.kind));
      const history = client.model.events.filter(wanted);
      history.slice(flags.last === undefined ? 0 : Math.max(0, history.length - flags.last)).forEach(print);
      if (flags.follow !== true) {
        await client.close();
        return;
      }
      client.subscribe((events) => events.filter(wanted).forEach(print));
      let interrupted = false;
      process.once('SIGINT', () => {
        interrupted = true;
        void client.close();
      });
      await new Promise<void>((resolve) =>
        client.onGone((why) => {
          // Ctrl-C closed the connection: no news to tell.
          if (!interrupted && flags.json !== true) process.stderr.write(`${why}\n`);
          resolve();
        }),
      );
    }),
  );
}
