// `raft-console step`: step mode on a running cluster (ClusterModel.step). `on` freezes every
// node's clock and holds every Raft message; `list` shows what is held, one sentence each;
// `deliver`, `drop`, `fire` and `advance` are the learner's hands; `off` lets everything flow again.
// Each subcommand but `list` is one action on the supervisor's control API (actions.ts prints the
// answer); a bad id or argument is a one-line usage error.
import { Argument, InvalidArgumentError, type Command } from 'commander';
import { heldTextZh } from '../cluster-model/held-text.js';
import { nodeId, whole } from '../cluster-model/commands/arguments.js';
import { MAX_ADVANCE_TICKS, STEP_TIMERS, type Action } from '../cluster-model/control-protocol.js';
import { readModelOnce } from '../cluster-model/model-once.js';
import { HELD_ID } from '../cluster-model/model.js';
import { act } from './actions.js';
import { folderOptions, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { CliError, guarded } from './failure.js';
import { withSentenceLangOption, type LangFlags } from './lang-option.js';

type StepFlags = ClusterFlags & LangFlags & { json?: boolean; due?: boolean; timeout: number };

function heldIds(text: string, previous: string[] | undefined): string[] {
  if (!HELD_ID.test(text))
    throw new InvalidArgumentError(
      `a held message's id is its sender and number, e.g. 1.4, got "${text}" (\`raft-console step list\` shows them)`,
    );
  if (previous?.includes(text)) throw new InvalidArgumentError(`${text} is listed twice`);
  return [...(previous ?? []), text];
}

/** One subcommand that sends one action; `make` builds it from commander's processed arguments and the flags. */
function actionCommand(
  step: Command,
  name: string,
  description: string,
  grammar: (cmd: Command) => Command,
  make: (args: unknown[], flags: StepFlags) => Action,
): void {
  const cmd = withSentenceLangOption(
    withClusterOptions(grammar(step.command(name).description(description))).option(
      '--json',
      'print the result as one JSON document: {ok, text, data, outcome or problem}',
    ),
  );
  cmd.action(
    guarded(`step ${name}`, async () => {
      const flags = cmd.opts<StepFlags>();
      await act(make(cmd.processedArgs, flags), { ...flags, timeout: 5000 });
    }),
  );
}

export function registerStepCommand(program: Command): void {
  const step = program
    .command('step')
    .description(
      "step mode: freeze every node's clock and hold every Raft message, then deliver, drop, fire timers and advance time by hand (real processes, real sockets: only the delivery order is yours)",
    );
  actionCommand(
    step,
    'on',
    "freeze every node's clock and hold every Raft message it sends",
    (c) => c,
    () => ({ op: 'step', on: true }),
  );
  actionCommand(
    step,
    'off',
    'leave step mode: the held messages go out in the order they were held, and every clock resumes where it stood',
    (c) => c,
    () => ({ op: 'step', on: false }),
  );
  actionCommand(
    step,
    'deliver',
    'send held messages now, in the order given (--due: every one whose link no fault blocks, oldest first)',
    (c) =>
      c
        .argument('[ids...]', 'held message ids, e.g. 1.4 3.2', heldIds)
        .option('--due', 'every held message whose link no fault blocks, oldest first'),
    ([ids], flags) => {
      const list = (ids ?? []) as string[];
      if (flags.due === true && list.length > 0) throw new CliError('give message ids or --due, not both', 'usage');
      if (flags.due !== true && list.length === 0)
        throw new CliError('say which held messages to deliver: their ids (e.g. 1.4), or --due', 'usage');
      return { op: 'deliver', ids: flags.due === true ? 'due' : list };
    },
  );
  actionCommand(
    step,
    'drop',
    'throw held messages away, as a lossy network would',
    (c) => c.argument('<ids...>', 'held message ids, e.g. 1.4 3.2', heldIds),
    ([ids]) => ({ op: 'drop', ids: ids as string[] }),
  );
  actionCommand(
    step,
    'fire',
    "make a node's election timeout (or a leader's heartbeat timer) come due now: the node runs its own rule",
    (c) => c.argument('<node>', 'the node', nodeId).addArgument(new Argument('<timer>', 'which timer').choices(STEP_TIMERS)),
    ([node, timer]) => ({ op: 'fire', node: node as number, timer: timer as 'election' | 'heartbeat' }),
  );
  actionCommand(
    step,
    'advance',
    "move every node's clock on by some ticks (1 by default): the timers that fall due fire",
    (c) => c.argument('[ticks]', `how many ticks, 1 to ${MAX_ADVANCE_TICKS}`, (t: string) => whole(t, 'ticks', '5', 1, MAX_ADVANCE_TICKS)),
    ([ticks]) => (ticks === undefined ? { op: 'advance' } : { op: 'advance', ticks: ticks as number }),
  );
  const list = withSentenceLangOption(
    withClusterOptions(
      step.command('list').description('the messages held now, oldest first: id, from, to, type, term and one sentence each'),
    ).option('--json', 'print the step model as one JSON document: {on, since, held: [{id, from, to, type, term, detail, text, heldAt}]}'),
  );
  list.action(
    guarded('step list', async () => {
      const flags = list.opts<StepFlags>();
      const model = await readModelOnce({ ...(await folderOptions(flags)), events: false });
      const s = model.step ?? { on: false, since: model.startedAt, held: [] };
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(s)}\n`);
        return;
      }
      const zh = flags.lang === 'zh';
      const head = zh
        ? `单步模式${s.on ? '开启' : '关闭'}：暂扣 ${s.held.length} 条消息`
        : `step mode ${s.on ? 'on' : 'off'}: ${s.held.length === 1 ? '1 message' : `${s.held.length} messages`} held`;
      const lines = s.held.map(
        (h) =>
          `${h.id.padEnd(6)} n${h.from} -> n${h.to}  ${h.type.padEnd(18)} term ${String(h.term).padEnd(3)} ${zh ? heldTextZh(h) : h.text}`,
      );
      process.stdout.write(`${[head, ...lines].join('\n')}\n`);
    }),
  );
}
