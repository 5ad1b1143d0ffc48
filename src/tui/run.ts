// Opens the dashboard in this terminal: the alternate screen (restored on quit, on a signal and
// on a crash), the store publishing at a bounded rate, and ink rendering at most 15 frames a
// second. Import it lazily (ink and react take a while to load). Resolves when the user quits, when the cluster goes away, or on a signal.
import { render } from 'ink';
import { createElement } from 'react';
import type { ActionResult } from '../cluster-model/index.js';
import { ClusterError } from '../cluster-model/errors.js';
import { EXIT_STATUS } from '../schema/exit-codes.js';
import { App, type Controller } from './app.js';
import type { ExercisePanelView } from '../exercises/types.js';
import type { Lang } from '../exercises/lang.js';
import { labelsFor } from './labels.js';
import { MOUSE_OFF, MOUSE_ON } from './mouse.js';
import type { ClusterSource } from '../cluster-model/source.js';
import { DashboardStore, isReplay } from './store.js';
import { openReplay } from '../cluster-model/replay.js';
import { replaySwitch } from './replay-switch.js';
import { clientRequest, putValue, submitEntry } from './writes.js';

/** A snapshot every 125 ms at most while the cluster changes (eight frames a second: a frame of a
 * 9-node cluster at 160x48 costs about 10 ms of CPU, mostly in ink's output), every 250 ms when idle. */
const PUBLISH_MS = 125;
const IDLE_MS = 250;

export interface ExerciseHooks {
  view(hint: boolean): ExercisePanelView | null;
  /** The exercise's set-up for the current step (the X key). */
  trigger(): Promise<ActionResult>;
}

export interface DashboardOptions {
  source: ClusterSource;
  /** Quitting stops the cluster: the dashboard asks first. */
  owned: boolean;
  /** Attached to a cluster started elsewhere (shown in the header). */
  attached: boolean;
  lang: Lang;
  /** Take clicks and the wheel (the terminal then leaves text selection to Shift-drag); default on. */
  mouse?: boolean;
  /** The cluster's recording cap in MB (the `recording-cap` setting), which bounds a replay's files (b). */
  recordingCapMb?: number;
  exercise?: ExerciseHooks;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

export type DashboardEnd = { why: 'quit' } | { why: 'gone'; text: string } | { why: 'signal'; signal: NodeJS.Signals };

const ENTER_ALT = '\u001b[?1049h\u001b[H';
const LEAVE_ALT = '\u001b[?25h\u001b[?1049l';

export async function runDashboard(o: DashboardOptions): Promise<DashboardEnd> {
  const stdout = o.stdout ?? process.stdout;
  const stdin = o.stdin ?? process.stdin;
  const store = new DashboardStore(o.source);
  const colour = process.env.FORCE_COLOR !== '0' && stdout.hasColors();

  const mouse = o.mouse ?? true;
  let restored = false;
  // Every way out (quit, a signal, a crash, the process exiting) gives the terminal back as it was:
  // mouse reports off, the main screen, the cursor shown.
  const restore = (): void => {
    if (restored) return;
    restored = true;
    stdout.write((mouse ? MOUSE_OFF : '') + LEAVE_ALT);
  };
  let finish: (end: DashboardEnd) => void = () => {};
  const ended = new Promise<DashboardEnd>((resolve) => {
    finish = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => finish({ why: 'signal', signal });
  const onCrash = (err: unknown): void => {
    restore();
    // A ClusterError is a sentence with its fix (a replay's damaged line, found when the cursor
    // first passes it); anything else is a bug, and keeps its stack.
    const text = err instanceof ClusterError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`raft-console dashboard: ${text}\n`);
    process.exit(EXIT_STATUS.failed);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('exit', restore);
  const offGone = o.source.onGone((text) => finish({ why: 'gone', text }));

  const labels = labelsFor(o.lang);
  const controller: Controller = {
    act: (action) => o.source.act(action),
    submit: (text, via) => submitEntry(o.source.model, text, via),
    put: (key, value) => putValue(o.source.model, key, value),
    request: (request, options) => clientRequest(o.source.model, request, options),
    trigger: () => o.exercise?.trigger() ?? Promise.resolve({ ok: false, text: 'no exercise is running' }),
    quit: () => finish({ why: 'quit' }),
    exercise: (hint) => o.exercise?.view(hint) ?? null,
    // A dashboard opened on a recording has no live cluster to switch to.
    ...(isReplay(o.source)
      ? {}
      : { replay: replaySwitch(o.source, store, (target, opts) => openReplay(target, { ...opts, capMb: o.recordingCapMb }), labels) }),
  };

  stdout.write(ENTER_ALT + (mouse ? MOUSE_ON : ''));
  store.start(PUBLISH_MS, IDLE_MS);
  const app = render(createElement(App, { store, controller, labels, colour, owned: o.owned, attached: o.attached }), {
    stdout,
    stdin,
    exitOnCtrlC: false,
    patchConsole: true,
    maxFps: 15,
  });
  try {
    return await ended;
  } finally {
    app.unmount();
    store.stop();
    offGone();
    for (const s of signals) process.off(s, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('exit', restore);
    restore();
  }
}
