// The live dashboard: the store's snapshots and the UI state drawn by <Dashboard>, and one key
// router for every key (keys.ts). What a key asks for goes to the controller; its result comes
// back on the flash line.
import { useInput, useStdout } from 'ink';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { members, type Action, type ActionResult } from '../cluster-model/index.js';
import { STEP_OPS } from '../cluster-model/control-protocol.js';
import type { ClientRequest, RequestOptions } from '../cluster-model/commands/client-request.js';
import { Dashboard, frameLayout, openText } from './dashboard.js';
import { hidesLog } from './node-table.js';
import type { ExercisePanelView } from '../exercises/types.js';
import { initialUi, route, type CursorMove, type Intent, type KeyContext, type KeyPress, type UiState } from './keys.js';
import type { Labels } from './labels.js';
import { mouseRegions, parseMouse, routeMouse } from './mouse.js';
import type { Size } from './layout.js';
import { scrollMax } from './text-view.js';
import type { DashboardStore } from './store.js';

/** What the dashboard's keys do to the world. */
export interface Controller {
  act(action: Action): Promise<ActionResult>;
  /** Client writes: a sentence saying where the entry committed, or why not. `via`: to that node only. */
  submit(text: string, via?: number): Promise<ActionResult>;
  put(key: string, value: string): Promise<ActionResult>;
  /** Any client command of the `:` command line (submit, put, get, del, cas), sent as it says. */
  request(request: ClientRequest, options: RequestOptions): Promise<ActionResult>;
  /** The exercise's set-up for the current step. */
  trigger(): Promise<ActionResult>;
  quit(): void;
  /** The exercise panel's content now (null without an exercise). */
  exercise(hint: boolean): ExercisePanelView | null;
  /**
   * Into a replay of this cluster's recording (`on`) or back to the live cluster; absent where the
   * dashboard shows a recording only (`raft-console replay`).
   */
  replay?(on: boolean): Promise<ActionResult>;
}

export interface AppProps {
  store: DashboardStore;
  controller: Controller;
  labels: Labels;
  colour: boolean;
  owned: boolean;
  attached: boolean;
  /** A fixed size (tests); otherwise the terminal's, following resizes. */
  size?: Size;
}

/** The terminal's size now; 80x24 where it does not say. */
function terminalSize(stdout: NodeJS.WriteStream): Size {
  return { cols: stdout.columns || 80, rows: stdout.rows || 24 };
}

function useTerminalSize(fixed: Size | undefined): Size {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => fixed ?? terminalSize(stdout));
  useEffect(() => {
    if (fixed !== undefined) return;
    const onResize = (): void => setSize(terminalSize(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return size;
}

/** One character of keys that arrived together, as the key it is: Enter, Tab, Backspace, Ctrl-<letter>, or itself. */
function keyOf(ch: string): [string, KeyPress] {
  if (ch === '\r' || ch === '\n') return ['', { return: true }];
  if (ch === '\t') return ['', { tab: true }];
  if (ch === '\u007f' || ch === '\b') return ['', { backspace: true }];
  const code = ch.charCodeAt(0);
  return code < 0x20 ? [String.fromCharCode(code + 0x60), { ctrl: true }] : [ch, {}];
}

export function App({ store, controller, labels, colour, owned, attached, size: fixed }: AppProps) {
  const snap = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const size = useTerminalSize(fixed);
  const [ui, setUi] = useState<UiState>(() => initialUi(members(snap.model)[0]?.id ?? 1));
  // Keys can arrive faster than frames: route each against the state the previous key left.
  const latest = useRef(ui);
  const exercise = controller.exercise(ui.hint);

  const perform = (intent: Intent): void => {
    const report = (p: Promise<ActionResult>, story: boolean): void => {
      p.then(
        (r) => store.note(r.ok, labels.resultText(r), story),
        // A request that never got an answer is told in the story too: the supervisor could not.
        (err: unknown) => store.note(false, err instanceof Error ? err.message : String(err), true),
      ).finally(() => store.publish());
    };
    switch (intent.type) {
      case 'action':
        // What a step key causes (the messages held after it) is marked in the list.
        if (STEP_OPS.includes(intent.action.op)) store.markHeld();
        // The supervisor tells its actions in the events itself.
        return report(controller.act(intent.action), false);
      case 'submit':
        return report(controller.submit(intent.text, intent.via), true);
      case 'put':
        return report(controller.put(intent.key, intent.value), true);
      case 'request': {
        const r = intent.request;
        if (r.type === 'action') return report(controller.act(r.action), false);
        return report(controller.request(r.request, { via: r.via, timeoutMs: r.timeoutMs }), true);
      }
      case 'trigger':
        return report(controller.trigger(), true);
      case 'note':
        store.note(false, intent.text);
        store.publish();
        return;
      case 'quit':
        controller.quit();
        return;
      case 'replay':
        if (controller.replay === undefined) return;
        return report(controller.replay(intent.on), false);
      case 'cursor':
        return moveCursor(intent.move);
    }
  };

  const moveCursor = (move: CursorMove): void => {
    const cursor = store.cursor;
    if (cursor === null) return;
    switch (move.op) {
      case 'step':
        cursor.stepEvent(move.dir);
        break;
      case 'jump':
        cursor.jump(move.ms);
        break;
      case 'play':
        cursor.play();
        break;
      case 'pause':
        cursor.pause();
        break;
      case 'speed':
        cursor.setSpeed(move.x);
        break;
      case 'mark': {
        if (!cursor.nextMark(move.kind, move.dir)) {
          store.note(false, labels.replayNoMark(labels.markKinds[move.kind], move.dir));
          break;
        }
        // What happened there, in the recording's words.
        const here = cursor.marks().find((m) => m.ts === cursor.at && (move.kind === 'any' || m.kind === move.kind));
        if (here !== undefined) store.note(true, here.text);
        break;
      }
    }
    // The frame follows the key at once, not at the next tick of the store.
    store.publish();
  };

  const move = (next: UiState): void => {
    if (next === latest.current) return;
    latest.current = next;
    setUi(next);
  };

  useInput((input, key) => {
    const model = store.getSnapshot().model;
    // A mouse report is never a key: its digits would select nodes.
    const mouse = parseMouse(input);
    if (mouse !== null) {
      const nodes = members(model);
      return move(
        routeMouse(
          latest.current,
          mouse,
          mouseRegions(latest.current, frameLayout(store.getSnapshot(), size, exercise !== null), nodes.length),
          nodes.map((n) => n.id),
        ),
      );
    }
    // The scrolling text on screen (after the keys before this one) bounds the scroll keys.
    const context = (ui: UiState): KeyContext => {
      const snapshot = store.getSnapshot();
      const text = openText(snapshot, ui, size, labels, exercise);
      return {
        nodes: members(model),
        partition: model.partition,
        speed: model.timing.preset,
        owned,
        eventCount: store.getSnapshot().eventCount,
        exercise: exercise !== null,
        trigger: exercise?.trigger != null,
        textMax: text === null ? 0 : scrollMax(text.lines.length, text.rows),
        textPage: text === null ? 1 : Math.max(1, text.rows - 2),
        ...(hidesLog(model) ? { noLog: labels.noLogGrid } : {}),
        words: labels,
        ...(snapshot.replay == null
          ? {}
          : {
              replay: {
                at: snapshot.replay.at,
                speed: snapshot.replay.speed,
                playing: snapshot.replay.playing,
                live: controller.replay !== undefined,
              },
            }),
        ...(model.step === undefined ? {} : { step: { on: model.step.on, held: model.step.held.map((h) => h.id) } }),
      };
    };
    // Keys typed quickly arrive together ("5x", or "hi\r" in the input line): each is a key of its
    // own, the control characters among them the keys they stand for.
    const keys: Array<[string, KeyPress]> =
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a typed character is one code point, one key: graphemes (Intl.Segmenter) would make one key of "\r\n"
      input.length > 1 ? [...input].map(keyOf) : [[input, key]];
    for (const [k, flags] of keys) {
      const routed = route(latest.current, k, flags, context(latest.current));
      move(routed.ui);
      for (const intent of routed.intents) perform(intent);
    }
  });

  return (
    <Dashboard
      snap={snap}
      ui={ui}
      size={size}
      labels={labels}
      colour={colour}
      attached={attached}
      exercise={exercise}
      live={controller.replay !== undefined}
    />
  );
}
