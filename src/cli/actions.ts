// The commands that break and mend a running cluster: each becomes one action on the supervisor's
// control API, and prints the supervisor's answer, a sentence of what happened (or, exit 1, why
// not). Progress the supervisor reports meanwhile (a new node catching up) goes to stderr.
import { Argument, type Command } from 'commander';
import { SPEED_PRESETS, type Action, type SpeedPreset } from '../cluster-model/index.js';
import { milliseconds, nodeId, nodeIds, partitionGroups, probability } from './arguments.js';
import { connect, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { paintFor } from './colour.js';
import { CliError, guarded } from './failure.js';
import { sentencesIn, withSentenceLangOption, type LangFlags } from './lang-option.js';

interface ActionFlags extends ClusterFlags, LangFlags {
  json?: boolean;
  drop?: number;
  delay?: number;
  oneWay?: boolean;
}

/** Sends the action and prints the answer. */
async function act(action: Action, flags: ActionFlags): Promise<void> {
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

function define(program: Command, name: string, description: string): Command {
  return withSentenceLangOption(
    withClusterOptions(program.command(name).description(description)).option(
      '--json',
      'print the result as one JSON document: {ok, text, data, outcome or problem}',
    ),
  );
}

/** The command's arguments (as its parsers made them) and options become the action. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- A is where each caller names the tuple its .argument() parsers produce: commander types processedArgs as any[] and cannot check that, so this is the one unchecked step, stated once here rather than cast in every caller
function runs<A extends unknown[]>(cmd: Command, toAction: (args: A, flags: ActionFlags) => Action): Command {
  return cmd.action(
    guarded(cmd.name(), async () => {
      const flags = cmd.opts<ActionFlags>();
      await act(toAction(cmd.processedArgs as A, flags), flags);
    }),
  );
}

function linkAction([from, to]: [number, number], flags: ActionFlags): Action {
  if (flags.drop === undefined && flags.delay === undefined)
    throw new CliError(
      'say what to do to the link: --drop P (1 cuts it), --delay MS, or both; `raft-console heal` removes every fault',
      'usage',
    );
  const action: Action = { op: 'link', from, to };
  if (flags.drop !== undefined) action.drop = flags.drop;
  if (flags.delay !== undefined) action.delayMs = flags.delay;
  if (flags.oneWay === true) action.oneWay = true;
  return action;
}

export function registerActionCommands(program: Command): void {
  const nodes = (what: string) => ['<id...>', what, nodeIds] as const;
  runs(
    define(program, 'kill', 'crash nodes with SIGKILL (they keep what they acknowledged)').argument(...nodes('nodes to kill')),
    ([n]: [number[]]) => ({ op: 'kill', nodes: n }),
  );
  runs(define(program, 'stop', 'stop nodes cleanly with SIGTERM').argument(...nodes('nodes to stop')), ([n]: [number[]]) => ({
    op: 'stop',
    nodes: n,
  }));
  runs(
    define(
      program,
      'restart',
      "start nodes again with the same id and data (stopping them first if running); fails, naming the node's own cause, if one does not stay up",
    ).argument(...nodes('nodes to restart')),
    ([n]: [number[]]) => ({ op: 'restart', nodes: n }),
  );
  runs(
    define(
      program,
      'replace',
      'start a node whose data is damaged or lost again empty, safely: stop it, move its data directory aside (kept, never deleted), start it in recovering mode (no campaign, and no vote that could lose committed entries, until caught up) and wait until it has caught up',
    ).argument('<id>', 'the node to replace', nodeId),
    ([node]: [number]) => ({ op: 'replace', node }),
  );
  runs(
    define(program, 'pause', 'freeze nodes with SIGSTOP, as in a long garbage-collection pause').argument(...nodes('nodes to pause')),
    ([n]: [number[]]) => ({ op: 'pause', nodes: n }),
  );
  runs(define(program, 'resume', 'unfreeze paused nodes with SIGCONT').argument(...nodes('nodes to resume')), ([n]: [number[]]) => ({
    op: 'resume',
    nodes: n,
  }));
  runs(
    define(program, 'partition', 'split the network into groups that cannot reach each other').argument(
      '<groups...>',
      'groups of node ids, ids joined by commas and groups by spaces (e.g. 1,2 3,4,5); nodes left out form one more group',
      partitionGroups,
    ),
    ([groups]: [number[][]]) => ({ op: 'partition', groups }),
  );
  runs(
    define(program, 'isolate', 'cut one node off from all the others').argument('<id>', 'node to isolate', nodeId),
    ([node]: [number]) => ({ op: 'isolate', node }),
  );
  runs(
    define(program, 'link', 'drop or delay the messages between two nodes (both ways unless --one-way)')
      .argument('<a>', 'one end', nodeId)
      .argument('<b>', 'the other end', nodeId)
      .option('--drop <p>', 'share of messages dropped: 0 to 1, or a percentage (1 cuts the link)', probability)
      .option('--delay <ms>', 'delay each message by this many milliseconds (0 to 60000)', milliseconds('--delay', 0, 60_000))
      .option('--one-way', 'only the messages from a to b'),
    linkAction,
  );
  runs(define(program, 'heal', 'remove every partition and link fault'), () => ({ op: 'heal' }));
  runs(define(program, 'campaign', 'make a node start an election now').argument('<id>', 'the node', nodeId), ([node]: [number]) => ({
    op: 'campaign',
    node,
  }));
  runs(define(program, 'transfer', 'hand leadership over to a node').argument('<id>', 'the next leader', nodeId), ([node]: [number]) => ({
    op: 'transfer',
    node,
  }));
  runs(define(program, 'add', 'add a node: it joins as a learner, catches up, then becomes a voter'), () => ({ op: 'add' }));
  runs(
    define(
      program,
      'speed',
      'change how fast the running cluster goes: slow (elections after 1.5-3 s, to watch by eye), normal, fast',
    ).addArgument(new Argument('<preset>', 'the speed').choices(SPEED_PRESETS)),
    ([preset]: [SpeedPreset]) => ({ op: 'speed', preset }),
  );
  runs(
    define(program, 'remove', "take a node out of the cluster's configuration and stop it").argument('<id>', 'the node', nodeId),
    ([node]: [number]) => ({ op: 'remove', node }),
  );
}
