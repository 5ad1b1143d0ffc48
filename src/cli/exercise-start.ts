// `raft-console exercise start <id>`: starts the exercise's own cluster and guides the learner.
// On a terminal, the dashboard with the exercise panel; otherwise (or with --headless) each step is
// printed as it is checked, and lines typed on stdin ask for a hint (h), run the exercise's set-up
// (x) or stop (q). The cluster is deleted at the end: an exercise starts from scratch each time.
import { createInterface } from 'node:readline';
import type { EngineFlags } from './engine-option.js';
import type { SpeedPreset } from '../cluster-model/index.js';
import { supervisorLauncher, untilStopped } from '../supervisor/index.js';
import { resolveLang, type Lang } from '../exercises/lang.js';
import { startSession, type ExerciseSession } from '../exercises/session.js';
import type { Exercise } from '../exercises/types.js';
import type * as Tui from '../tui/run.js';
import { canShowDashboard } from '../tui/terminal.js';
import { folderOptions, nameFlag, type ClusterFlags } from './cluster-options.js';
import { paintFor, type Paint } from './colour.js';
import { exerciseFlag } from './exercise.js';
import { CliError } from './failure.js';
import { openWithDashboard } from './load-dashboard.js';
import { mouseOf, type MouseFlags } from './mouse-option.js';
import { openProgress, openSettings } from './settings.js';

export interface StartFlags extends ClusterFlags, MouseFlags, EngineFlags {
  lang?: Lang;
  headless?: boolean;
  solve?: boolean;
  speed?: SpeedPreset;
}

/** The headless runner's own words. */
const WORDS = {
  en: {
    exercise: 'exercise',
    minutes: (n: number) => `about ${n} min`,
    goal: 'goal',
    predict: 'predict',
    answer: 'answer',
    hint: 'hint',
    step: 'step',
    setUp: 'x + Enter',
    /** Before how to put right a fault that took the step off its path. */
    fix: 'to put it right',
    or: '; ',
    keys: (flag: string) =>
      `type h + Enter for a hint, x + Enter for the exercise's set-up when a step offers one, q + Enter to stop; from another terminal: raft-console status${flag}`,
    solving: 'the exercise solves itself (--solve)',
    starting: 'starting its cluster; the dashboard opens once it is up',
    complete: (n: number) => `all ${n} steps done: exercise complete`,
    stopHint: 'q + Enter or Ctrl-C stops its cluster',
    summary: (done: number, all: number) => `${done} of ${all} steps done`,
    /** Between a word and what it introduces. */
    colon: ': ',
  },
  zh: {
    exercise: '练习',
    minutes: (n: number) => `约 ${n} 分钟`,
    goal: '目标',
    predict: '预测',
    answer: '答案',
    hint: '提示',
    step: '步骤',
    setUp: 'x + 回车',
    fix: '纠正方法',
    or: '；',
    keys: (flag: string) =>
      `输入 h + 回车查看提示，步骤提供设置时输入 x + 回车执行，q + 回车停止；在另一个终端中：raft-console status${flag}`,
    solving: '练习自动完成中（--solve）',
    starting: '正在启动它的集群；集群就绪后打开仪表盘',
    complete: (n: number) => `全部 ${n} 个步骤完成：练习结束`,
    stopHint: 'q + 回车或 Ctrl-C 停止它的集群',
    summary: (done: number, all: number) => `完成了 ${all} 个步骤中的 ${done} 个`,
    colon: '：',
  },
} as const;

/** How the command line names the engine: "" for raft-console's own. */
function engineFlag(flags: StartFlags): string {
  return flags.engine === undefined || flags.engine === 'raft-console' ? '' : ` --engine ${flags.engine}`;
}

export async function startExercise(exercise: Exercise, flags: StartFlags): Promise<void> {
  const lang = resolveLang(flags.lang, await openSettings());
  const dashboard = flags.headless !== true && canShowDashboard();
  const progress = await openProgress();
  // The terminal says what is happening while the exercise's cluster starts, and ink loads meanwhile.
  if (dashboard)
    process.stdout.write(
      `${paintFor(process.stdout)('dim', `${WORDS[lang].exercise} ${exercise.number} · ${exercise.title[lang]}: ${WORDS[lang].starting}`)}\n`,
    );
  const capMb = (await openSettings()).get('recording-cap');
  const starting = startSession({
    exercise,
    lang,
    // Recorded like any cluster (\`raft-console replay --name exercise\`), and kept when the exercise ends.
    launcher: { start: (o) => supervisorLauncher.start({ ...o, recording: { capMb } }), purge: (o) => supervisorLauncher.purge(o) },
    folder: await folderOptions(flags),
    speed: flags.speed,
    engine: flags.engine,
    etcdBin: flags.etcdBin,
    // A learner watches unless the exercise solves itself: phases they must see wait for their key.
    paced: flags.solve !== true,
  });
  const [session, tui] = dashboard ? await openWithDashboard(starting, (s) => s.stop()) : [await starting, null];
  // What the callbacks below saw, read once the session is over (fields, because TypeScript takes a
  // `let` that only callbacks assign for its first value). The completion is recorded once, when the
  // last step is done, and written before the command ends.
  const outcome: { recorded?: Promise<void>; failure?: string } = {};
  session.onSteps(() => {
    if (session.tracker.done) outcome.recorded ??= progress.markCompleted(exercise.id, Date.now());
  });
  const solving =
    flags.solve === true
      ? // The solution of the exercise's form for its engine.
        session.exercise.solution(session.driver()).catch((err: unknown) => {
          outcome.failure = err instanceof Error ? err.message : String(err);
        })
      : null;
  try {
    if (tui !== null) await withDashboard(tui, session, lang, flags, capMb);
    else await headless(session, lang, flags, solving);
  } finally {
    await session.stop();
  }
  await outcome.recorded;
  if (outcome.failure !== undefined) throw new CliError(`the automatic solution did not finish: ${outcome.failure}`);
}

async function withDashboard(tui: typeof Tui, session: ExerciseSession, lang: Lang, flags: StartFlags, capMb: number): Promise<void> {
  const { runDashboard } = tui;
  const end = await runDashboard({
    source: session.cluster,
    owned: true,
    attached: false,
    lang,
    mouse: mouseOf(flags),
    recordingCapMb: capMb,
    exercise: { view: (hint) => session.view({ hint }), trigger: () => session.trigger() },
  });
  if (end.why === 'gone') process.stdout.write(`${end.text}\n`);
  // What stays in the scrollback once the dashboard is gone.
  const paint = paintFor(process.stdout);
  const view = session.view({ hint: false });
  const done = view.steps.filter((s) => s.done).length;
  process.stdout.write(
    `${paint('bold', `${WORDS[lang].exercise} ${view.number} · ${view.title}: ${WORDS[lang].summary(done, view.steps.length)}`)}\n`,
  );
  if (view.explanation !== null) process.stdout.write(`${view.explanation}\n`);
  if (done < view.steps.length)
    process.stdout.write(`${paint('dim', `raft-console exercise start ${view.number}${exerciseFlag(flags)}${engineFlag(flags)}`)}\n`);
}

/** Prints the exercise, then each step as it is checked; reads h, x and q lines. */
async function headless(session: ExerciseSession, lang: Lang, flags: StartFlags, solving: Promise<void> | null): Promise<void> {
  const w = WORDS[lang];
  const paint: Paint = paintFor(process.stdout);
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const first = session.view({ hint: false });
  const count = first.steps.length;
  say(paint('bold', `${w.exercise} ${first.number} · ${first.title} · ${w.minutes(session.exercise.minutes)}`));
  say(`${w.goal}${w.colon}${first.goal}`);
  if (first.prediction !== null) say(paint('yellow', `? ${w.predict}${w.colon}${first.prediction}`));
  first.steps.forEach((s, i) => say(paint('dim', `  ${i + 1}. ${s.text}`)));
  say(paint('dim', solving === null ? w.keys(nameFlag(flags)) : w.solving));

  let answered = first.answer !== null;
  let offered: string | null = null;
  let detour: string | null = null;
  /** The current step, the answer once revealed, the set-up when one is offered, and a fault that took the step off its path. */
  const show = (): void => {
    const v = session.view({ hint: false });
    const off = v.detour === null ? null : [...v.detour.what, ...v.detour.fix].join(' ');
    if (off !== null && off !== detour) {
      for (const what of v.detour!.what) say(paint('yellow', `⚠ ${what}`));
      say(paint('yellow', `${w.fix}${w.colon}${v.detour!.fix.join(w.or)}`));
    }
    detour = off;
    if (v.answer !== null && !answered) {
      answered = true;
      say(paint('cyan', `${w.answer}${w.colon}${v.answer}`));
    }
    const label = v.trigger?.label ?? null;
    if (label !== null && label !== offered && solving === null) say(paint('magenta', `${w.setUp}${w.colon}${label}`));
    offered = label;
  };
  const current = (): void => {
    const v = session.view({ hint: false });
    const i = v.steps.findIndex((s) => s.current);
    if (i >= 0) say(paint('bold', `▸ ${w.step} ${i + 1}/${count}${w.colon}${v.steps[i]!.text}`));
    else {
      say(paint('green', `✔ ${w.complete(count)}`));
      say(v.explanation!);
      if (solving === null) say(paint('dim', w.stopHint));
    }
  };
  for (const s of session.tracker.progress().filter((p) => p.done)) say(paint('green', `✔ ${s.text}`));
  current();
  show();
  const offSteps = session.onSteps((changes) => {
    for (const c of changes) say(paint('green', `✔ ${c.number}. ${c.text}`));
    current();
    show();
  });
  const offChanges = session.cluster.subscribe(show);

  let lines: ReturnType<typeof createInterface> | null = null;
  if (solving === null) {
    lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      const command = line.trim().toLowerCase();
      if (command === 'h') say(paint('cyan', `${w.hint}${w.colon}${session.view({ hint: true }).hint ?? '-'}`));
      else if (command === 'x')
        void session.trigger().then((r) => say(r.ok ? paint('magenta', `▸ ${r.text}`) : paint('red', `✗ ${r.text}`)));
      else if (command === 'q') void session.stop();
      else if (command !== '') say(paint('dim', w.keys(nameFlag(flags))));
    });
  } else void solving.then(() => session.stop());

  await untilStopped({ stop: () => session.stop(), stopped: session.ended.then(() => undefined) });
  lines?.close();
  offSteps();
  offChanges();
}
