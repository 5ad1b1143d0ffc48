// `raft-console events`: the cluster's story as the supervisor keeps it (its recent history), and
// with --follow every new event as it happens, until Ctrl-C or the cluster stops. Repeated transport
// noise is folded into one line with a count (cluster-model/event-fold.ts) unless --no-fold or --json.
import { type Command } from 'commander';
import { EVENT_KINDS, EventFold, foldEvents, foldedText, type ClusterEvent, type FoldedEvent } from '../cluster-model/index.js';
import { InvalidArgumentError } from 'commander';
import { indexArg, nodeIds } from './arguments.js';
import { connect, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { paintFor } from './colour.js';
import { eventLine } from '../cluster-model/event-line.js';
import { didYouMean } from './did-you-mean.js';
import { guarded } from './failure.js';
import { sentencesIn, withSentenceLangOption, type LangFlags } from './lang-option.js';

interface EventsFlags extends ClusterFlags, LangFlags {
  follow?: boolean;
  node?: number[];
  kind?: string[];
  last?: number;
  json?: boolean;
  fold: boolean;
}

/** A folded run's count comes out when the run ends (with --follow): it shows when the last of the run happened. */
const FOLLOW_FLUSH_MS = 10_000;

function kinds(text: string, previous: string[] | undefined): string[] {
  const listed = text.split(',').map((k) => k.trim());
  const unknown = listed.filter((k) => !EVENT_KINDS.includes(k));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `no event kind "${unknown.join('", "')}"${unknown.length === 1 ? didYouMean(unknown[0]!, EVENT_KINDS) : ''}: the kinds are ${EVENT_KINDS.join(', ')}`,
    );
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
      .option('--no-fold', 'print every event, instead of one line with a count for repeated transport noise ("cannot reach n5 (×12)")')
      .option('--json', 'one JSON object per event (NDJSON): {ts, node, kind, type, text, data}; never folded'),
  );
  return withSentenceLangOption(command).action(
    guarded('events', async (flags: EventsFlags) => {
      const client = await connect(flags);
      const paint = paintFor(process.stdout);
      const words = sentencesIn(flags);
      const fold = flags.fold && flags.json !== true;
      const print = (e: ClusterEvent): void => {
        process.stdout.write(
          `${flags.json === true ? JSON.stringify(e) : eventLine(e, paint, words.eventText(e, client.model.timing.tickMs))}\n`,
        );
      };
      // A run's count is printed after its first line, so it carries the time of the run's last event.
      const printFolded = (f: FoldedEvent): void => print({ ...f.event, ts: f.lastTs, text: foldedText(f) });
      const wanted = (e: ClusterEvent): boolean =>
        (flags.node === undefined || (e.node !== null && flags.node.includes(e.node))) &&
        (flags.kind === undefined || flags.kind.includes(e.kind));
      const history = client.model.events.filter(wanted);
      const shown = history.slice(flags.last === undefined ? 0 : Math.max(0, history.length - flags.last));
      if (fold) foldEvents(shown).forEach((f) => print({ ...f.event, text: foldedText(f) }));
      else shown.forEach(print);
      if (flags.follow !== true) {
        await client.close();
        return;
      }
      const live = new EventFold();
      client.subscribe((events) => {
        for (const e of events.filter(wanted))
          if (fold) live.push(e).forEach(printFolded);
          else print(e);
      });
      // Noise that goes on with nothing else happening (a node retrying a stopped peer) still shows its count now and then.
      const flusher = fold ? setInterval(() => live.flush().forEach(printFolded), FOLLOW_FLUSH_MS) : undefined;
      let interrupted = false;
      process.once('SIGINT', () => {
        interrupted = true;
        void client.close();
      });
      await new Promise<void>((resolve) =>
        client.onGone((why) => {
          clearInterval(flusher);
          live.flush().forEach(printFolded);
          // Ctrl-C closed the connection: no news to tell.
          if (!interrupted && flags.json !== true) process.stderr.write(`${why}\n`);
          resolve();
        }),
      );
    }),
  );
}
