// The key router: one pure function from (UI state, key, what the screen shows) to the next UI
// state and what to do. Every key of the dashboard goes through here, so tests can drive it
// without a terminal, and the key map (keymap.ts) stays the single list of keys.
import type { Action, NodeModel, SpeedPreset } from '../cluster-model/index.js';
import type { ClusterRequest } from '../cluster-model/commands/grammar.js';
import { clock } from '../cluster-model/index.js';
import { MARK_KINDS, type MarkKind } from '../cluster-model/replay.js';
import { complete, parseCommandLine } from './command-line.js';
import { BINDINGS, binding, nodeAction, type BindingId } from './keymap.js';
import type { Labels } from './labels.js';
import { nextPanel, type PanelId } from './panels.js';

/** The part of ink's Key the router reads. */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  backspace?: boolean;
  delete?: boolean;
  tab?: boolean;
}

/** Groups of the partition editor, by letter. */
export const GROUP_NAMES = ['A', 'B', 'C', 'D', 'E'] as const;

export type Mode =
  | { kind: 'normal' }
  | { kind: 'help' }
  /** The results of the last actions, whole. */
  | { kind: 'results' }
  /** `via`: a submit sent to that node only (no redirects), as `submit --via` does. */
  | { kind: 'input'; what: 'submit' | 'put' | 'read'; text: string; via?: number }
  /**
   * The `:` command line: `choices` are what Tab could not decide between; `back` counts the
   * history entries recalled with ↑ (0: the line being typed, kept in `draft` meanwhile).
   */
  | { kind: 'command'; text: string; choices: readonly string[]; back: number; draft: string }
  /** group[i] is the group of node i (an index into GROUP_NAMES). */
  | { kind: 'partition'; groups: Record<number, number> }
  /** Asks before quitting a cluster this dashboard owns, or removing node `node`. */
  | { kind: 'confirm'; ask: 'quit' | 'remove'; node: number; then: Intent };

export interface UiState {
  mode: Mode;
  /** The selected node's id. */
  selected: number;
  /** The event count when the scroll was frozen, or null when it follows. */
  frozenAt: number | null;
  /** Event lines scrolled back from the newest. */
  eventsBack: number;
  /** Log columns scrolled back from the tail. */
  logBack: number;
  /** Show only this node's events. */
  filter: number | null;
  /** The exercise's hint is shown. */
  hint: boolean;
  /** Lines the open text (help, results, the exercise text) is scrolled down. */
  textScroll: number;
  /** The command lines run, oldest first. */
  history: readonly string[];
  /** What the lower area shows (Tab cycles). */
  panel: PanelId;
  /** In replay: the kind of mark `[` and `]` jump to. */
  markKind: MarkKind | 'any';
  /** Step mode: the id of the selected held message (null, or one no longer held: the oldest is selected). */
  heldSel: string | null;
}

/** A move of the replay's time cursor (src/cluster-model/replay.ts). */
export type CursorMove =
  | { op: 'step'; dir: 1 | -1 }
  | { op: 'jump'; ms: number }
  | { op: 'play' }
  | { op: 'pause' }
  | { op: 'speed'; x: number }
  | { op: 'mark'; kind: MarkKind | 'any'; dir: 1 | -1 };

export type Intent =
  | { type: 'action'; action: Action }
  /** A command typed on the `:` command line. */
  | { type: 'request'; request: ClusterRequest }
  | { type: 'submit'; text: string; via?: number }
  | { type: 'put'; key: string; value: string }
  | { type: 'trigger' }
  | { type: 'quit' }
  /** Into a replay of this cluster's recording (`on`), or back to the live cluster. */
  | { type: 'replay'; on: boolean }
  | { type: 'cursor'; move: CursorMove }
  /** Something to tell the user on the flash line (a key that does nothing here, and why). */
  | { type: 'note'; text: string };

export interface KeyContext {
  /** The nodes on screen (removed ones excluded), in order. */
  nodes: readonly Pick<NodeModel, 'id' | 'process'>[];
  /** The partition groups in force (empty when healed). */
  partition: readonly number[][];
  speed: SpeedPreset | 'custom';
  /** Quitting stops the cluster (this dashboard started it): ask first. */
  owned: boolean;
  /** The event count now (freezing keeps this position). */
  eventCount: number;
  exercise: boolean;
  trigger: boolean;
  /** How far the open text can scroll, and the lines of a page of it (from the frame's layout). */
  textMax: number;
  textPage: number;
  /** Why there is no log grid to scroll (etcd does not expose its log entries); absent when there is one. */
  noLog?: string;
  /** Present while the dashboard shows a replay: the cursor, and whether a live cluster is behind it (b, L go back). */
  replay?: { at: number; speed: number; playing: boolean; live: boolean };
  /** Step mode: whether it is on, and the ids of the held messages, oldest first (absent: off). */
  step?: { on: boolean; held: readonly string[] };
  /** The notes of replay and step mode, in the dashboard's language. */
  words: Pick<Labels, 'replayRefusal' | 'replayNoLive' | 'stepOff' | 'stepNoneHeld' | 'selectNode'>;
}

/** The index of the selected held message: `sel` if still held, else the oldest; -1 when none is held. */
export function selectedHeld(held: readonly string[], sel: string | null): number {
  if (held.length === 0) return -1;
  return Math.max(0, sel === null ? 0 : held.indexOf(sel));
}

export function initialUi(firstNode: number): UiState {
  return {
    mode: { kind: 'normal' },
    selected: firstNode,
    frozenAt: null,
    eventsBack: 0,
    logBack: 0,
    filter: null,
    hint: false,
    textScroll: 0,
    history: [],
    panel: 'events',
    markKind: 'election',
    heldSel: null,
  };
}

export interface Routed {
  ui: UiState;
  intents: Intent[];
}

/** How long a read through one node (the g key) waits: the node's own request timeout, and a second more. */
const READ_TIMEOUT_MS = 6000;

const SPEED_ORDER: readonly SpeedPreset[] = ['slow', 'normal', 'fast'];

/** The binding a plain key stands for in normal mode. */
function bindingFor(input: string, key: KeyPress): BindingId | null {
  if (key.leftArrow || key.rightArrow) return 'scroll-log';
  if (key.pageUp || key.pageDown) return 'scroll-events';
  if (key.tab) return 'panel';
  if (input === '[' || input === ']') return 'step-select';
  if (input === ' ') return 'freeze';
  for (const b of BINDINGS) if (b.keys.length === 1 && b.keys === input && b.replay !== 'only') return b.id;
  return null;
}

function quit(ui: UiState, ctx: KeyContext): Routed {
  if (!ctx.owned) return { ui, intents: [{ type: 'quit' }] };
  return { ui: { ...ui, mode: { kind: 'confirm', ask: 'quit', node: ui.selected, then: { type: 'quit' } } }, intents: [] };
}

function moveSelection(ui: UiState, ctx: KeyContext, step: number): UiState {
  const ids = ctx.nodes.map((n) => n.id);
  if (ids.length === 0) return ui;
  const at = Math.max(0, ids.indexOf(ui.selected));
  return { ...ui, selected: ids[(at + step + ids.length) % ids.length]! };
}

/** The partition editor starts from the groups in force, or everyone in group A. */
function editorGroups(ctx: KeyContext): Record<number, number> {
  const groups: Record<number, number> = {};
  for (const n of ctx.nodes) groups[n.id] = 0;
  ctx.partition.forEach((group, g) => {
    for (const id of group) if (id in groups) groups[id] = Math.min(g, GROUP_NAMES.length - 1);
  });
  return groups;
}

function partitionAction(groups: Record<number, number>): Action | null {
  const byGroup = new Map<number, number[]>();
  for (const [id, g] of Object.entries(groups)) byGroup.set(g, [...(byGroup.get(g) ?? []), Number(id)]);
  const list = [...byGroup.entries()].sort((a, b) => a[0] - b[0]).map(([, ids]) => ids.sort((a, b) => a - b));
  return list.length < 2 ? null : { op: 'partition', groups: list };
}

/** The play speeds of a replay, slowest first (- and + step through them). */
export const REPLAY_SPEEDS: readonly number[] = [0.25, 0.5, 1, 2, 4, 8];

/** The order `c` cycles the mark kinds in. */
const MARK_CYCLE: ReadonlyArray<MarkKind | 'any'> = [...MARK_KINDS, 'any'];

/** The replay's own key, if `input` is one. */
function replayBindingFor(input: string, key: KeyPress): BindingId | null {
  if (input === ' ') return 'replay-play';
  if (input === '=') return 'replay-speed';
  if (key.ctrl || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return null;
  for (const b of BINDINGS) if (b.replay === 'only' && b.keys.split(' ').includes(input)) return b.id;
  return null;
}

/** The replay's keys move its cursor; keys that only look work as live; the rest are refused: the past cannot be changed. */
function replayKey(ui: UiState, input: string, key: KeyPress, ctx: KeyContext, replay: NonNullable<KeyContext['replay']>): Routed | null {
  const id = replayBindingFor(input, key);
  const cursor = (move: CursorMove): Routed => ({ ui, intents: [{ type: 'cursor', move }] });
  // The first of a pair of keys goes back in time (, < [), the second forward.
  const dir: 1 | -1 = id !== null && binding(id).keys.split(' ')[0] === input ? -1 : 1;
  switch (id) {
    case 'replay-step':
      return cursor({ op: 'step', dir });
    case 'replay-jump':
      return cursor({ op: 'jump', ms: dir * 1000 });
    case 'replay-play':
      return cursor(replay.playing ? { op: 'pause' } : { op: 'play' });
    case 'replay-speed': {
      const at = REPLAY_SPEEDS.findIndex((x) => x >= replay.speed);
      const now = at < 0 ? REPLAY_SPEEDS.length - 1 : at;
      const next = REPLAY_SPEEDS[Math.max(0, Math.min(REPLAY_SPEEDS.length - 1, now + (input === '-' ? -1 : 1)))]!;
      return cursor({ op: 'speed', x: next });
    }
    case 'replay-mark':
      return cursor({ op: 'mark', kind: ui.markKind, dir });
    case 'replay-kind':
      return { ui: { ...ui, markKind: MARK_CYCLE[(MARK_CYCLE.indexOf(ui.markKind) + 1) % MARK_CYCLE.length]! }, intents: [] };
    case 'replay-live':
      return goLive(ui, replay, ctx);
    default:
      break;
  }
  const live = bindingFor(input, key);
  if (live === 'replay') return goLive(ui, replay, ctx);
  if (live === null || binding(live).replay === 'too') return null;
  // The exercise's set-up is no part of a replay either, but says nothing outside an exercise.
  if (live === 'trigger' && !ctx.exercise) return { ui, intents: [] };
  return { ui, intents: [{ type: 'note', text: ctx.words.replayRefusal(clock(replay.at), replay.live) }] };
}

function goLive(ui: UiState, replay: NonNullable<KeyContext['replay']>, ctx: KeyContext): Routed {
  if (!replay.live) return { ui, intents: [{ type: 'note', text: ctx.words.replayNoLive }] };
  return { ui, intents: [{ type: 'replay', on: false }] };
}

/** The keys of step mode (S): deliver or drop the selected message, fire a timer, advance the clocks. */
function stepKey(ui: UiState, id: BindingId, input: string, ctx: KeyContext): Routed {
  const step = ctx.step;
  const note = (text: string): Routed => ({ ui, intents: [{ type: 'note', text }] });
  const act = (action: Action, next: UiState = ui): Routed => ({ ui: next, intents: [{ type: 'action', action }] });
  if (step?.on !== true) return note(ctx.words.stepOff);
  const at = selectedHeld(step.held, ui.heldSel);
  const none = ctx.words.stepNoneHeld;
  switch (id) {
    case 'step-select':
      if (at < 0) return note(none);
      return {
        ui: { ...ui, heldSel: step.held[Math.max(0, Math.min(step.held.length - 1, at + (input === '[' ? -1 : 1)))]! },
        intents: [],
      };
    case 'deliver':
    case 'drop': {
      if (at < 0) return note(none);
      // The selection moves on to the message after it; after the last, back to the oldest.
      const next = { ...ui, heldSel: step.held[at + 1] ?? null };
      const ids = [step.held[at]!];
      return act(id === 'deliver' ? { op: 'deliver', ids } : { op: 'drop', ids }, next);
    }
    case 'deliver-due':
      return at < 0 ? note(none) : act({ op: 'deliver', ids: 'due' }, { ...ui, heldSel: null });
    case 'fire-election':
    case 'fire-heartbeat':
      if (!ctx.nodes.some((n) => n.id === ui.selected)) return note(ctx.words.selectNode);
      return act({ op: 'fire', node: ui.selected, timer: id === 'fire-election' ? 'election' : 'heartbeat' });
    default:
      return act({ op: 'advance', ticks: 1 });
  }
}

function normal(ui: UiState, input: string, key: KeyPress, ctx: KeyContext): Routed {
  const none = (next: UiState = ui): Routed => ({ ui: next, intents: [] });
  if (ctx.replay !== undefined) {
    const routed = replayKey(ui, input, key, ctx, ctx.replay);
    if (routed !== null) return routed;
  }
  if (key.upArrow || input === 'k') return none(moveSelection(ui, ctx, -1));
  if (key.downArrow || input === 'j') return none(moveSelection(ui, ctx, 1));
  if (/^[1-9]$/.test(input)) {
    const id = Number(input);
    if (ctx.nodes.some((n) => n.id === id)) return none({ ...ui, selected: id });
    return { ui, intents: [{ type: 'note', text: `there is no n${id}: the nodes are ${ctx.nodes.map((n) => `n${n.id}`).join(' ')}` }] };
  }
  const id = bindingFor(input, key);
  if (id === null) return none();
  const selected = ctx.nodes.find((n) => n.id === ui.selected);
  switch (id) {
    case 'remove':
      return none({
        ...ui,
        mode: { kind: 'confirm', ask: 'remove', node: ui.selected, then: { type: 'action', action: { op: 'remove', node: ui.selected } } },
      });
    case 'kill':
    case 'restart':
    case 'stop':
    case 'pause':
    case 'isolate':
    case 'campaign':
    case 'transfer': {
      if (selected === undefined) return { ui, intents: [{ type: 'note', text: ctx.words.selectNode }] };
      const action = nodeAction(id, selected.id, selected.process.state === 'paused');
      return { ui, intents: action === null ? [] : [{ type: 'action', action }] };
    }
    case 'add':
      return { ui, intents: [{ type: 'action', action: { op: 'add' } }] };
    case 'heal':
      return { ui, intents: [{ type: 'action', action: { op: 'heal' } }] };
    case 'partition':
      return none({ ...ui, mode: { kind: 'partition', groups: editorGroups(ctx) } });
    case 'submit':
      return none({ ...ui, mode: { kind: 'input', what: 'submit', text: '' } });
    case 'submit-via':
      if (selected === undefined) return { ui, intents: [{ type: 'note', text: ctx.words.selectNode }] };
      return none({ ...ui, mode: { kind: 'input', what: 'submit', text: '', via: selected.id } });
    case 'put':
      return none({ ...ui, mode: { kind: 'input', what: 'put', text: '' } });
    case 'read':
      if (selected === undefined) return { ui, intents: [{ type: 'note', text: ctx.words.selectNode }] };
      return none({ ...ui, mode: { kind: 'input', what: 'read', text: '', via: selected.id } });
    case 'command':
      return none({ ...ui, mode: { kind: 'command', text: '', choices: [], back: 0, draft: '' } });
    case 'speed': {
      const at = SPEED_ORDER.indexOf(ctx.speed as SpeedPreset);
      return { ui, intents: [{ type: 'action', action: { op: 'speed', preset: SPEED_ORDER[(at + 1) % SPEED_ORDER.length]! } }] };
    }
    case 'freeze':
      return none({ ...ui, frozenAt: ui.frozenAt === null ? ctx.eventCount : null, eventsBack: 0 });
    case 'filter':
      return none({ ...ui, filter: ui.filter === null ? ui.selected : null, eventsBack: 0 });
    case 'scroll-log':
      if (ctx.noLog !== undefined) return { ui, intents: [{ type: 'note', text: ctx.noLog }] };
      return none({ ...ui, logBack: Math.max(0, ui.logBack + (key.leftArrow ? 10 : -10)) });
    case 'scroll-events':
      // The exercise text, while open, takes the page keys (the events are behind it or beside it).
      if (ctx.exercise && ui.hint) return none(scrollText(ui, ctx, key.pageUp ? -ctx.textPage : ctx.textPage));
      return none({ ...ui, eventsBack: Math.max(0, ui.eventsBack + (key.pageUp ? 5 : -5)) });
    case 'follow':
      return none({ ...ui, logBack: 0, eventsBack: 0, frozenAt: null });
    case 'hint':
      return ctx.exercise ? none({ ...ui, hint: !ui.hint, textScroll: 0 }) : none();
    case 'trigger':
      if (!ctx.exercise) return none();
      return ctx.trigger
        ? { ui, intents: [{ type: 'trigger' }] }
        : { ui, intents: [{ type: 'note', text: 'this step has nothing to set up: do it with the keys' }] };
    case 'help':
      return none({ ...ui, mode: { kind: 'help' }, textScroll: 0 });
    case 'results':
      return none({ ...ui, mode: { kind: 'results' }, textScroll: 0 });
    case 'panel':
      return none({ ...ui, panel: nextPanel(ui.panel) });
    case 'step':
      return { ui: { ...ui, heldSel: null }, intents: [{ type: 'action', action: { op: 'step', on: ctx.step?.on !== true } }] };
    case 'step-select':
    case 'deliver':
    case 'drop':
    case 'deliver-due':
    case 'fire-election':
    case 'fire-heartbeat':
    case 'advance':
      return stepKey(ui, id, input, ctx);
    case 'quit':
      return quit(ui, ctx);
    case 'replay':
      return { ui, intents: [{ type: 'replay', on: true }] };
    case 'select':
    case 'mouse':
    case 'replay-step':
    case 'replay-jump':
    case 'replay-play':
    case 'replay-speed':
    case 'replay-mark':
    case 'replay-kind':
    case 'replay-live':
      return none();
  }
}

function scrollText(ui: UiState, ctx: KeyContext, by: number): UiState {
  return { ...ui, textScroll: Math.max(0, Math.min(ctx.textMax, ui.textScroll + by)) };
}

/** The help and the results: the arrows and page keys scroll them, any other key closes them. */
function textMode(ui: UiState, input: string, key: KeyPress, ctx: KeyContext): Routed {
  const by =
    key.upArrow || input === 'k'
      ? -1
      : key.downArrow || input === 'j'
        ? 1
        : key.pageUp
          ? -ctx.textPage
          : key.pageDown || input === ' '
            ? ctx.textPage
            : null;
  if (by === null) return { ui: { ...ui, mode: { kind: 'normal' }, textScroll: 0 }, intents: [] };
  return { ui: scrollText(ui, ctx, by), intents: [] };
}

function inputMode(ui: UiState, mode: Extract<Mode, { kind: 'input' }>, input: string, key: KeyPress): Routed {
  const back = { ...ui, mode: { kind: 'normal' } as Mode };
  if (key.escape) return { ui: back, intents: [] };
  if (key.return) {
    const text = mode.text.trim();
    if (text === '') return { ui: back, intents: [] };
    if (mode.what === 'submit')
      return { ui: back, intents: [{ type: 'submit', text, ...(mode.via === undefined ? {} : { via: mode.via }) }] };
    // A read through one node waits as long as the node's own request timeout (5 s), so that its
    // refusal, not the dashboard's impatience, is the answer.
    if (mode.what === 'read')
      return {
        ui: back,
        intents: [
          { type: 'request', request: { type: 'client', request: { op: 'get', key: text }, via: mode.via, timeoutMs: READ_TIMEOUT_MS } },
        ],
      };
    const m = /^([^\s=]+)\s*[=\s]\s*(.+)$/.exec(text);
    if (m === null) return { ui, intents: [{ type: 'note', text: 'type a key and a value: color red (or color=red)' }] };
    return { ui: back, intents: [{ type: 'put', key: m[1]!, value: m[2]! }] };
  }
  if (key.backspace || key.delete) return { ui: { ...ui, mode: { ...mode, text: mode.text.slice(0, -1) } }, intents: [] };
  if (key.ctrl || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown)
    return { ui, intents: [] };
  return { ui: { ...ui, mode: { ...mode, text: (mode.text + input).slice(0, 200) } }, intents: [] };
}

/** How many command lines ↑ can recall. */
const HISTORY = 50;

function commandMode(ui: UiState, mode: Extract<Mode, { kind: 'command' }>, input: string, key: KeyPress, ctx: KeyContext): Routed {
  const back = { ...ui, mode: { kind: 'normal' } as Mode };
  const edit = (text: string, choices: readonly string[] = []): Routed => ({
    ui: { ...ui, mode: { ...mode, text: text.slice(0, 200), choices } },
    intents: [],
  });
  if (key.escape) return { ui: back, intents: [] };
  if (key.return) {
    const line = mode.text.trim();
    if (line === '') return { ui: back, intents: [] };
    const history = [...ui.history.filter((h) => h !== line), line].slice(-HISTORY);
    const parsed = parseCommandLine(line);
    // The prompt closes either way, so the result line shows the outcome; ↑ brings a wrong line back.
    return {
      ui: { ...back, history },
      intents: [parsed.ok ? { type: 'request', request: parsed.request } : { type: 'note', text: parsed.text }],
    };
  }
  if (key.tab) {
    const c = complete(
      mode.text,
      ctx.nodes.map((n) => n.id),
      ctx.step?.held ?? [],
    );
    return edit(c.text, c.choices);
  }
  if (key.upArrow || key.downArrow) {
    const to = Math.max(0, Math.min(ui.history.length, mode.back + (key.upArrow ? 1 : -1)));
    if (to === mode.back) return { ui, intents: [] };
    const draft = mode.back === 0 ? mode.text : mode.draft;
    const text = to === 0 ? draft : ui.history[ui.history.length - to]!;
    return { ui: { ...ui, mode: { kind: 'command', text, choices: [], back: to, draft } }, intents: [] };
  }
  if (key.backspace || key.delete) return edit(mode.text.slice(0, -1));
  if (key.ctrl || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return { ui, intents: [] };
  return edit(mode.text + input);
}

function partitionMode(ui: UiState, mode: Extract<Mode, { kind: 'partition' }>, input: string, key: KeyPress, ctx: KeyContext): Routed {
  const back = { ...ui, mode: { kind: 'normal' } as Mode };
  if (key.escape || input === 'q') return { ui: back, intents: [] };
  if (key.upArrow || input === 'k') return { ui: moveSelection(ui, ctx, -1), intents: [] };
  if (key.downArrow || input === 'j') return { ui: moveSelection(ui, ctx, 1), intents: [] };
  if (/^[1-9]$/.test(input) && ctx.nodes.some((n) => n.id === Number(input)))
    return { ui: { ...ui, selected: Number(input) }, intents: [] };
  const set = (g: number): Routed => ({ ui: { ...ui, mode: { ...mode, groups: { ...mode.groups, [ui.selected]: g } } }, intents: [] });
  const letter = GROUP_NAMES.indexOf(input.toUpperCase() as (typeof GROUP_NAMES)[number]);
  if (letter >= 0 && input.length === 1) return set(letter);
  const current = mode.groups[ui.selected] ?? 0;
  if (key.leftArrow) return set(Math.max(0, current - 1));
  if (key.rightArrow) return set(Math.min(GROUP_NAMES.length - 1, current + 1));
  if (key.return) {
    const action = partitionAction(mode.groups);
    if (action === null) return { ui: back, intents: [{ type: 'action', action: { op: 'heal' } }] };
    return { ui: back, intents: [{ type: 'action', action }] };
  }
  return { ui, intents: [] };
}

/** One key press: the next UI state and what to do. */
export function route(ui: UiState, input: string, key: KeyPress, ctx: KeyContext): Routed {
  const mode = ui.mode;
  if (key.ctrl && input === 'c') {
    // A second Ctrl-C while asking means it.
    if (mode.kind === 'confirm' && mode.then.type === 'quit') return { ui, intents: [{ type: 'quit' }] };
    return quit({ ...ui, mode: { kind: 'normal' } }, ctx);
  }
  switch (mode.kind) {
    case 'normal':
      return normal(ui, input, key, ctx);
    case 'help':
    case 'results':
      return textMode(ui, input, key, ctx);
    case 'input':
      return inputMode(ui, mode, input, key);
    case 'command':
      return commandMode(ui, mode, input, key, ctx);
    case 'partition':
      return partitionMode(ui, mode, input, key, ctx);
    case 'confirm':
      return { ui: { ...ui, mode: { kind: 'normal' } }, intents: input === 'y' || input === 'Y' ? [mode.then] : [] };
  }
}
