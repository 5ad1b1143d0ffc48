// `raft-console exercise list|start|check`: the workshop exercises. `list` shows them and what is
// done on this machine, `start` runs one on a cluster of its own (the dashboard with the exercise
// panel, or headless), `check` tells a script or an instructor which steps of a running exercise
// are done. Each exercise says whether it runs on etcd (`start --engine etcd`), and why not when not.
import { type Command, Option } from 'commander';
import { ControlClient, DEFAULT_CLUSTER_NAME, SPEED_PRESETS, clusterFolder } from '../cluster-model/index.js';
import { exerciseOn, notOnEngine, whyNotOn } from '../exercises/engine.js';
import { LANGS, resolveLang, type Lang } from '../exercises/lang.js';
import { readExerciseState } from '../exercises/state-file.js';
import type { Exercise } from '../exercises/types.js';
import { clusterName } from './arguments.js';
import { folderOptions, nameFlag, type ClusterFlags } from './cluster-options.js';
import { paintFor } from './colour.js';
import { withEngineOptions } from './engine-option.js';
import type * as Catalog from '../exercises/catalog/index.js';
import type { StartFlags } from './exercise-start.js';
import { CliError, guarded } from './failure.js';
import { MOUSE_OPTION } from './mouse-option.js';
import { openProgress, openSettings } from './settings.js';
import { table } from './table.js';

/** An exercise cluster's name unless --name says otherwise: an exercise never touches the user's own `default`. */
export const EXERCISE_CLUSTER = 'exercise';

/** How an `exercise` command line names this cluster: "" for the exercises' own default. */
export function exerciseFlag(flags: ClusterFlags): string {
  return nameFlag({ ...flags, name: flags.name === EXERCISE_CLUSTER ? DEFAULT_CLUSTER_NAME : flags.name });
}

interface LangFlags {
  lang?: Lang;
  json?: boolean;
}

// The exercises are loaded only by these commands: every node process starts through this CLI.
async function catalog(): Promise<typeof Catalog> {
  return import('../exercises/catalog/index.js');
}

async function exerciseNamed(name: string): Promise<Exercise> {
  const { EXERCISES, findExercise } = await catalog();
  const e = findExercise(name);
  if (e === null)
    throw new CliError(
      `there is no exercise "${name}": give a number from 1 to ${EXERCISES.length} or an id such as ${EXERCISES[0]!.id} (see \`raft-console exercise list\`)`,
      'usage',
    );
  return e;
}

function withLang(cmd: Command): Command {
  return cmd.addOption(
    new Option('--lang <lang>', 'language of the texts (default: the `language` setting, else the locale)').choices(LANGS),
  );
}

function withExerciseCluster(cmd: Command): Command {
  return cmd
    .option('--name <name>', "the exercise cluster's name (one per learner on a shared machine)", clusterName, EXERCISE_CLUSTER)
    .option('--data-dir <dir>', "the exercise cluster's folder (default: <data-folder>/<name>)");
}

async function language(flags: LangFlags): Promise<Lang> {
  return resolveLang(flags.lang, await openSettings());
}

/** "2025-11-25", for when an exercise was completed. */
function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

async function list(flags: LangFlags): Promise<void> {
  const lang = await language(flags);
  const done = (await openProgress()).completed();
  const { EXERCISES } = await catalog();
  const rows = EXERCISES.map((e) => ({
    number: e.number,
    id: e.id,
    title: e.title[lang],
    minutes: e.minutes,
    completedAt: done.get(e.id) ?? null,
    etcd: { runs: e.etcd.runs, why: whyNotOn(e, 'etcd')?.[lang] ?? null },
  }));
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  const paint = paintFor(process.stdout);
  const lines = table(
    ['#', 'ID', 'MIN', 'DONE', 'ETCD', 'TITLE'],
    rows.map((r) => [
      r.number,
      r.id,
      r.minutes,
      r.completedAt === null ? { text: '-', style: 'dim' as const } : { text: `✔ ${day(r.completedAt)}`, style: 'green' as const },
      r.etcd.runs ? { text: '✔', style: 'green' as const } : { text: '-', style: 'dim' as const },
      r.title,
    ]),
    paint,
  );
  const start =
    lang === 'zh'
      ? [
          '开始一个练习：raft-console exercise start <编号或 id>',
          'ETCD 一列打勾的练习也能在 etcd 上运行：raft-console exercise start <编号> --engine etcd',
        ]
      : [
          'start one with: raft-console exercise start <number or id>',
          'those ticked under ETCD also run on etcd: raft-console exercise start <number> --engine etcd',
        ];
  const notOnEtcd = rows.flatMap((r) => (r.etcd.why === null ? [] : [`  ${r.number}. ${r.etcd.why}`]));
  const why = lang === 'zh' ? '其他练习不能在 etcd 上运行，因为：' : 'the others do not run on etcd:';
  process.stdout.write(
    `${[...lines, ...start.map((l) => paint('dim', l)), paint('dim', why), ...notOnEtcd.map((l) => paint('dim', l))].join('\n')}\n`,
  );
}

async function check(name: string, flags: ClusterFlags & LangFlags): Promise<void> {
  const exercise = await exerciseNamed(name);
  const lang = await language(flags);
  const folder = await folderOptions(flags);
  // Connecting proves the cluster runs (exit 3 and how to start it, when it does not).
  await (await ControlClient.connect(folder)).close();
  const state = await readExerciseState(clusterFolder(folder).folder);
  if (state === null)
    throw new CliError(
      `the cluster ${flags.name} was not started by an exercise: start one with \`raft-console exercise start ${exercise.number}${exerciseFlag(flags)}\``,
    );
  if (state.exercise !== exercise.id)
    throw new CliError(
      `the cluster ${flags.name} runs exercise ${state.number} (${state.exercise}), not ${exercise.number} (${exercise.id}): \`raft-console exercise check ${state.number}${exerciseFlag(flags)}\``,
    );
  // The steps of the form it runs in on its cluster's engine.
  const steps = exerciseOn(exercise, state.engine).steps.map((s, i) => ({
    id: s.id,
    number: i + 1,
    text: s.text[lang],
    done: state.steps[i]?.done === true,
    at: state.steps[i]?.at ?? null,
  }));
  const doneCount = steps.filter((s) => s.done).length;
  if (flags.json === true) {
    process.stdout.write(
      `${JSON.stringify({ exercise: exercise.id, number: exercise.number, title: exercise.title[lang], cluster: flags.name, done: doneCount === steps.length, steps })}\n`,
    );
    return;
  }
  const paint = paintFor(process.stdout);
  const current = steps.find((s) => !s.done);
  const lines = [
    paint(
      'bold',
      `exercise ${exercise.number} · ${exercise.title[lang]} on the cluster ${flags.name}: ${doneCount} of ${steps.length} steps done`,
    ),
    ...steps.map((s) =>
      s.done
        ? paint('green', `✔ ${s.number}. ${s.text}`)
        : s === current
          ? paint('bold', `▸ ${s.number}. ${s.text}`)
          : paint('dim', `○ ${s.number}. ${s.text}`),
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerExerciseCommand(program: Command): Command {
  const exercise = program
    .command('exercise')
    .description('the workshop exercises: guided, self-checking Raft scenarios (list, start, check)');
  withLang(exercise.command('list').description('list the exercises, their length and which are completed on this machine'))
    .option('--json', 'print [{number, id, title, minutes, completedAt}] as one JSON document')
    .action(guarded('exercise list', (flags: LangFlags) => list(flags)));
  withEngineOptions(
    withExerciseCluster(
      withLang(
        exercise
          .command('start')
          .description('start the cluster an exercise needs and guide you through it (the dashboard on a terminal, headless otherwise)')
          .argument('<exercise>', 'its number (1-11) or id'),
      ),
    )
      .option('--headless', 'no dashboard: print each step as it is checked, read h (hint), x (set-up) and q (quit) lines on stdin')
      .option('--solve', 'let the exercise solve itself with its automatic solution, for a demonstration (headless, it stops once done)')
      .addOption(new Option('--speed <preset>', "run faster or slower than the exercise's own speed").choices(SPEED_PRESETS)),
    {
      engine: 'the Raft implementation its cluster runs (`exercise list` shows which exercises run on etcd)',
      etcdBin: 'the etcd binary, with --engine etcd (default: etcd from PATH)',
      default: 'raft-console',
    },
  )
    .option(...MOUSE_OPTION)
    .action(
      guarded('exercise start', async (name: string, flags: StartFlags) => {
        const exercise = await exerciseNamed(name);
        const engine = flags.engine ?? 'raft-console';
        if (flags.etcdBin !== undefined && engine !== 'etcd') throw new CliError('--etcd-bin goes with --engine etcd', 'usage');
        const why = whyNotOn(exercise, engine);
        if (why !== null)
          throw new CliError(
            notOnEngine({ code: 'not-on-engine', exercise: `${exercise.number} (${exercise.id})`, engine, why }, await language(flags)),
            'usage',
          );
        await (await import('./exercise-start.js')).startExercise(exercise, flags);
      }),
    );
  withExerciseCluster(
    withLang(
      exercise
        .command('check')
        .description('show which steps of a running exercise are done')
        .argument('<exercise>', 'its number (1-11) or id'),
    ),
  )
    .option('--json', 'print {exercise, number, title, cluster, done, steps: [{id, number, text, done, at}]} as one JSON document')
    .action(guarded('exercise check', (name: string, flags: ClusterFlags & LangFlags) => check(name, flags)));
  return exercise;
}
