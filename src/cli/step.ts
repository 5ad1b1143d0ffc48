// `raft-console step`: step mode on a running cluster (ClusterModel.step). `on` freezes every
// node's clock and holds every Raft message; `list` shows what is held, one sentence each;
// `deliver`, `drop`, `fire` and `advance` are the learner's hands; `off` lets everything flow again.
// Each subcommand but `list` is one action on the supervisor's control API, in the cluster
// commands' grammar (src/cluster-model/commands/grammar.ts, STEP_COMMAND, shared with the
// dashboard's command line; actions.ts prints the answer); a bad id or argument is a one-line
// usage error.
import type { Command } from 'commander';
import { heldTextZh } from '../cluster-model/held-text.js';
import { STEP_COMMAND } from '../cluster-model/commands/grammar.js';
import { readModelOnce } from '../cluster-model/model-once.js';
import { registerActionCommands } from './actions.js';
import { folderOptions, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { guarded } from './failure.js';
import { withSentenceLangOption, type LangFlags } from './lang-option.js';

type ListFlags = ClusterFlags & LangFlags & { json?: boolean };

export function registerStepCommand(program: Command): void {
  const step = program.command(STEP_COMMAND.name).description(STEP_COMMAND.description);
  // The subcommands that act are the cluster commands' grammar, which the dashboard's `:step ...` shares.
  registerActionCommands(step, STEP_COMMAND.subcommands, 'step ');
  const list = withSentenceLangOption(
    withClusterOptions(
      step.command('list').description('the messages held now, oldest first: id, from, to, type, term and one sentence each'),
    ).option('--json', 'print the step model as one JSON document: {on, since, held: [{id, from, to, type, term, detail, text, heldAt}]}'),
  );
  list.action(
    guarded('step list', async () => {
      const flags = list.opts<ListFlags>();
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
