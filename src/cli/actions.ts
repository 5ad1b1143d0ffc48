// The commands that break and mend a running cluster: each becomes one action on the supervisor's
// control API, and prints the supervisor's answer, a sentence of what happened (or, exit 1, why
// not). Progress the supervisor reports meanwhile (a new node catching up) goes to stderr. Their
// names, arguments and actions are the cluster commands' grammar (src/cluster-model/commands),
// which the dashboard's command line shares.
import type { Command } from 'commander';
import type { Action } from '../cluster-model/index.js';
import { ACTION_COMMANDS, type CommandOptions, type CommandSpec } from '../cluster-model/commands/grammar.js';
import { connect, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { paintFor } from './colour.js';
import { CliError, guarded } from './failure.js';
import { sentencesIn, withSentenceLangOption, type LangFlags } from './lang-option.js';

type ActionFlags = ClusterFlags & CommandOptions & LangFlags & { json?: boolean };

/** Sends the action and prints the answer (step.ts sends its own this way too). */
export async function act(action: Action, flags: ActionFlags): Promise<void> {
  const client = await connect(flags);
  try {
    const paint = paintFor(process.stderr);
    const words = sentencesIn(flags);
    const off = client.subscribe((events) => {
      for (const e of events)
        if (flags.json !== true && e.node === null && e.type === action.op && e.data?.ok === undefined)
          process.stderr.write(`${paint('dim', words.eventText(e))}\n`);
    });
    const result = await client.act(action);
    off();
    if (!result.ok) throw new CliError(words.resultText(result));
    process.stdout.write(`${flags.json === true ? JSON.stringify(result) : words.resultText(result)}\n`);
  } finally {
    await client.close();
  }
}

/** Registers `specs` on `parent` (the program, or `step` with `path` "step "). */
export function registerActionCommands(parent: Command, specs: readonly CommandSpec[] = ACTION_COMMANDS, path = ''): void {
  for (const spec of specs) {
    const cmd = withSentenceLangOption(
      withClusterOptions(parent.command(spec.name).description(spec.description)).option(
        '--json',
        'print the result as one JSON document: {ok, text, data, outcome or problem}',
      ),
    );
    spec.grammar(cmd).action(
      guarded(`${path}${spec.name}`, async () => {
        const flags = cmd.opts<ActionFlags>();
        const request = spec.request(cmd.processedArgs, flags);
        if (request.type !== 'action') throw new Error(`${spec.name} is not an action`);
        await act(request.action, flags);
      }),
    );
  }
}
