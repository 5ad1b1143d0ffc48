// The commands that act on a running cluster, as one grammar: each command's name, its arguments
// and options with their parsers, and the request its words make (an action for the supervisor, or
// a client request to the nodes). The CLI registers its commander commands from here (adding how to
// find the cluster, --json and the like), and the dashboard's `:` command line parses a typed line
// with the same definitions, so the two can never disagree. Nothing here prints or exits.
import { Argument, type Command } from 'commander';
import { MAX_ADVANCE_TICKS, STEP_TIMERS, type Action, type StepTimer } from '../control-protocol.js';
import type { SpeedPreset } from '../model.js';
import { SPEED_PRESETS } from '../timing.js';
import { heldIds, milliseconds, nodeId, nodeIds, partitionGroups, probability, whole } from './arguments.js';
import type { ClientRequest, RequestOptions } from './client-request.js';

/** What a cluster command asks for. */
export type ClusterRequest = { type: 'action'; action: Action } | ({ type: 'client'; request: ClientRequest } & RequestOptions);

/** A command line that parses but makes no sense (a link with nothing to do to it): the fix, for people. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

/** The options any cluster command may have, as commander hands them over once parsed. */
export interface CommandOptions {
  drop?: number;
  delay?: number;
  oneWay?: boolean;
  learner?: boolean;
  due?: boolean;
  via?: number;
  timeout: number;
}

/**
 * What the words after a command's name may be, for completion: node ids, the ids of held messages
 * (step mode), or one of a few words. An argument with choices of its own (`fire <node> <timer>`)
 * completes those instead.
 */
export type Completes = 'nodes' | 'held' | readonly string[] | null;

export interface CommandSpec {
  name: string;
  description: string;
  /** How it reaches the cluster: an action of the supervisor, or a client request to the nodes. */
  kind: 'action' | 'client';
  completes: Completes;
  /** Adds the command's own arguments and options to `cmd`. */
  grammar(cmd: Command): Command;
  /** The request the parsed command makes (commander's processedArgs and opts()); throws UsageError. */
  request(args: unknown[], options: CommandOptions): ClusterRequest;
  /** A command made of subcommands (`step on`, `step deliver 1.4`): they make the requests, it makes none. */
  subcommands?: readonly CommandSpec[];
}

/** One command of the grammar; `A` names the tuple its argument parsers produce. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- A is where each command names the tuple its .argument() parsers produce: commander types processedArgs as any[] and cannot check that, so this is the one unchecked step, stated once here rather than cast in every command
function command<A extends unknown[]>(
  name: string,
  description: string,
  kind: CommandSpec['kind'],
  completes: Completes,
  grammar: (cmd: Command) => Command,
  request: (args: A, options: CommandOptions) => ClusterRequest,
): CommandSpec {
  return { name, description, kind, completes, grammar, request: (args, options) => request(args as A, options) };
}

const act = (action: Action): ClusterRequest => ({ type: 'action', action });

/** A command whose argument is node ids: one (`<id>`), or a list (`<id...>`). */
function onNodes<T>(
  op: string,
  description: string,
  argument: string,
  what: string,
  parse: (text: string, previous: T | undefined) => T,
  make: (value: T) => Action,
): CommandSpec {
  return command(
    op,
    description,
    'action',
    'nodes',
    (cmd) => cmd.argument(argument, what, parse),
    ([value]: [T]) => act(make(value)),
  );
}

function nodesCommand(op: 'kill' | 'stop' | 'restart' | 'pause' | 'resume', description: string, what: string): CommandSpec {
  return onNodes(op, description, '<id...>', what, nodeIds, (nodes) => ({ op, nodes }));
}

function nodeCommand(
  op: 'replace' | 'isolate' | 'campaign' | 'transfer' | 'promote' | 'remove',
  description: string,
  what: string,
): CommandSpec {
  return onNodes(op, description, '<id>', what, nodeId, (node) => ({ op, node }));
}

function bareCommand(op: 'heal', description: string): CommandSpec {
  return command(
    op,
    description,
    'action',
    null,
    (cmd) => cmd,
    () => act({ op }),
  );
}

function linkAction([from, to]: [number, number], o: CommandOptions): ClusterRequest {
  if (o.drop === undefined && o.delay === undefined)
    throw new UsageError('say what to do to the link: --drop P (1 cuts it), --delay MS, or both; `raft-console heal` removes every fault');
  const action: Action = { op: 'link', from, to };
  if (o.drop !== undefined) action.drop = o.drop;
  if (o.delay !== undefined) action.delayMs = o.delay;
  if (o.oneWay === true) action.oneWay = true;
  return act(action);
}

/** The commands that become one action of the supervisor, in the order `--help` lists them. */
export const ACTION_COMMANDS: readonly CommandSpec[] = [
  nodesCommand('kill', 'crash nodes with SIGKILL (they keep what they acknowledged)', 'nodes to kill'),
  nodesCommand('stop', 'stop nodes cleanly with SIGTERM', 'nodes to stop'),
  nodesCommand(
    'restart',
    "start nodes again with the same id and data (stopping them first if running); fails, naming the node's own cause, if one does not stay up",
    'nodes to restart',
  ),
  nodeCommand(
    'replace',
    'start a node whose data is damaged or lost again empty, safely: stop it, move its data directory aside (kept, never deleted), start it in recovering mode (no campaign, and no vote that could lose committed entries, until caught up) and wait until it has caught up',
    'the node to replace',
  ),
  nodesCommand('pause', 'freeze nodes with SIGSTOP, as in a long garbage-collection pause', 'nodes to pause'),
  nodesCommand('resume', 'unfreeze paused nodes with SIGCONT', 'nodes to resume'),
  command(
    'partition',
    'split the network into groups that cannot reach each other',
    'action',
    'nodes',
    (cmd) =>
      cmd.argument(
        '<groups...>',
        'groups of node ids, ids joined by commas and groups by spaces (e.g. 1,2 3,4,5); nodes left out form one more group',
        partitionGroups,
      ),
    ([groups]: [number[][]]) => act({ op: 'partition', groups }),
  ),
  nodeCommand('isolate', 'cut one node off from all the others', 'node to isolate'),
  command(
    'link',
    'drop or delay the messages between two nodes (both ways unless --one-way)',
    'action',
    'nodes',
    (cmd) =>
      cmd
        .argument('<a>', 'one end', nodeId)
        .argument('<b>', 'the other end', nodeId)
        .option('--drop <p>', 'share of messages dropped: 0 to 1, or a percentage (1 cuts the link)', probability)
        .option('--delay <ms>', 'delay each message by this many milliseconds (0 to 60000)', milliseconds('--delay', 0, 60_000))
        .option('--one-way', 'only the messages from a to b'),
    linkAction,
  ),
  bareCommand('heal', 'remove every partition and link fault'),
  nodeCommand('campaign', 'make a node start an election now', 'the node'),
  nodeCommand('transfer', 'hand leadership over to a node', 'the next leader'),
  command(
    'add',
    'add a node: it joins as a learner, catches up, then becomes a voter (--learner: it stays a learner until `promote`)',
    'action',
    null,
    (cmd) => cmd.option('--learner', 'stop once it has joined as a learner: it catches up on its own, `promote <id>` makes it a voter'),
    (_args: [], o) => act(o.learner === true ? { op: 'add', learner: true } : { op: 'add' }),
  ),
  nodeCommand(
    'promote',
    'make a learner (added with `add --learner`) a voter: once it has caught up, its promotion is committed',
    'the learner',
  ),
  command(
    'speed',
    'change how fast the running cluster goes: slow (elections after 1.5-3 s, to watch by eye), normal, fast',
    'action',
    SPEED_PRESETS,
    (cmd) => cmd.addArgument(new Argument('<preset>', 'the speed').choices(SPEED_PRESETS)),
    ([preset]: [SpeedPreset]) => act({ op: 'speed', preset }),
  ),
  nodeCommand('remove', "take a node out of the cluster's configuration and stop it", 'the node'),
];

const HELD_IDS = 'held message ids, e.g. 1.4 3.2';

const STEP_SUBCOMMANDS: readonly CommandSpec[] = [
  bareStep('on', "freeze every node's clock and hold every Raft message it sends", { op: 'step', on: true }),
  bareStep('off', 'leave step mode: the held messages go out in the order they were held, and every clock resumes where it stood', {
    op: 'step',
    on: false,
  }),
  command(
    'deliver',
    'send held messages now, in the order given (--due: every one whose link no fault blocks, oldest first)',
    'action',
    'held',
    (cmd) => cmd.argument('[ids...]', HELD_IDS, heldIds).option('--due', 'every held message whose link no fault blocks, oldest first'),
    ([ids]: [string[] | undefined], o) => {
      const list = ids ?? [];
      if (o.due === true && list.length > 0) throw new UsageError('give message ids or --due, not both');
      if (o.due !== true && list.length === 0) throw new UsageError('say which held messages to deliver: their ids (e.g. 1.4), or --due');
      return act({ op: 'deliver', ids: o.due === true ? 'due' : list });
    },
  ),
  command(
    'drop',
    'throw held messages away, as a lossy network would',
    'action',
    'held',
    (cmd) => cmd.argument('<ids...>', HELD_IDS, heldIds),
    ([ids]: [string[]]) => act({ op: 'drop', ids }),
  ),
  command(
    'fire',
    "make a node's election timeout (or a leader's heartbeat timer) come due now: the node runs its own rule",
    'action',
    'nodes',
    (cmd) => cmd.argument('<node>', 'the node', nodeId).addArgument(new Argument('<timer>', 'which timer').choices(STEP_TIMERS)),
    ([node, timer]: [number, StepTimer]) => act({ op: 'fire', node, timer }),
  ),
  command(
    'advance',
    "move every node's clock on by some ticks (1 by default): the timers that fall due fire",
    'action',
    null,
    (cmd) =>
      cmd.argument('[ticks]', `how many ticks, 1 to ${MAX_ADVANCE_TICKS}`, (t: string) => whole(t, 'ticks', '5', 1, MAX_ADVANCE_TICKS)),
    ([ticks]: [number | undefined]) => act(ticks === undefined ? { op: 'advance' } : { op: 'advance', ticks }),
  ),
];

/**
 * Step mode (ClusterModel.step) and the learner's hands in it: each subcommand is one action of the
 * supervisor. `raft-console step list` (the CLI's own: it reads the model, it acts on nothing) is
 * the step panel on the dashboard.
 */
export const STEP_COMMAND: CommandSpec & { subcommands: readonly CommandSpec[] } = {
  name: 'step',
  description:
    "step mode: freeze every node's clock and hold every Raft message, then deliver, drop, fire timers and advance time by hand (real processes, real sockets: only the delivery order is yours)",
  kind: 'action',
  completes: null,
  grammar: (cmd) => cmd,
  // `step` alone.
  request: () => {
    throw new UsageError(`say what to do in step mode: step ${STEP_SUBCOMMANDS.map((c) => c.name).join('|')}`);
  },
  subcommands: STEP_SUBCOMMANDS,
};

function bareStep(name: 'on' | 'off', description: string, action: Action): CommandSpec {
  return command(
    name,
    description,
    'action',
    null,
    (cmd) => cmd,
    () => act(action),
  );
}

/** --via and --timeout, which every client command takes. */
function sending(read: boolean) {
  return (cmd: Command): Command =>
    cmd
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
      );
}

/** Arguments first (they come before the options in `--help` too), then --via and --timeout. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- A is handed on to command(), the one unchecked step
function clientCommand<A extends unknown[]>(
  name: string,
  description: string,
  args: (cmd: Command) => Command,
  request: (args: A) => ClientRequest,
): CommandSpec {
  const read = name === 'get';
  return command(
    name,
    description,
    'client',
    null,
    (cmd) => sending(read)(args(cmd)),
    (parsed: A, o) => ({ type: 'client', request: request(parsed), via: o.via, timeoutMs: o.timeout }),
  );
}

/** The client commands: an entry for the log, and the key-value store's operations. */
export const CLIENT_COMMANDS: readonly CommandSpec[] = [
  clientCommand(
    'submit',
    'append an entry to the replicated log; prints the index and term it committed at and the leader',
    (cmd) => cmd.argument('<text...>', "the entry's text (words are joined with spaces)"),
    ([words]: [string[]]) => ({ op: 'submit', text: words.join(' ') }),
  ),
  clientCommand(
    'put',
    'set a key in the replicated key-value store',
    (cmd) => cmd.argument('<key>', 'the key').argument('<value>', 'its new value'),
    ([key, value]: [string, string]) => ({ op: 'put', key, value }),
  ),
  clientCommand(
    'get',
    'read a key with a linearizable read (ReadIndex on the leader)',
    (cmd) => cmd.argument('<key>', 'the key'),
    ([key]: [string]) => ({ op: 'get', key }),
  ),
  clientCommand(
    'del',
    'delete a key',
    (cmd) => cmd.argument('<key>', 'the key'),
    ([key]: [string]) => ({ op: 'del', key }),
  ),
  clientCommand(
    'cas',
    'compare-and-set: set key to new only if it holds expected (exit 1 if it does not)',
    (cmd) => cmd.argument('<key>', 'the key').argument('<expected>', 'the value it must hold now').argument('<new>', 'the value to set'),
    ([key, expected, value]: [string, string, string]) => ({ op: 'cas', key, expected, value }),
  ),
];

/** Every command that acts on a running cluster. */
export const CLUSTER_COMMANDS: readonly CommandSpec[] = [...ACTION_COMMANDS, STEP_COMMAND, ...CLIENT_COMMANDS];
