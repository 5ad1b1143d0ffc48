// Every key of the dashboard, as data: the one list that feeds the key router (keys.ts), the footer,
// the `?` overlay and the README's table. Each binding names the command line that does the same
// from another terminal, so the dashboard teaches its own scripting.
import type { Action, ActionOp } from '../cluster-model/index.js';

export type BindingId =
  | 'select'
  | 'kill'
  | 'restart'
  | 'stop'
  | 'pause'
  | 'isolate'
  | 'campaign'
  | 'transfer'
  | 'remove'
  | 'partition'
  | 'heal'
  | 'submit'
  | 'submit-via'
  | 'put'
  | 'read'
  | 'add'
  | 'speed'
  | 'command'
  | 'freeze'
  | 'filter'
  | 'scroll-log'
  | 'scroll-events'
  | 'follow'
  | 'results'
  | 'panel'
  | 'step'
  | 'step-select'
  | 'deliver'
  | 'drop'
  | 'deliver-due'
  | 'fire-election'
  | 'fire-heartbeat'
  | 'advance'
  | 'mouse'
  | 'hint'
  | 'trigger'
  | 'replay'
  | 'replay-step'
  | 'replay-jump'
  | 'replay-play'
  | 'replay-speed'
  | 'replay-mark'
  | 'replay-kind'
  | 'replay-live'
  | 'help'
  | 'quit';

export interface Binding {
  id: BindingId;
  /** The keys as the help shows them. */
  keys: string;
  /** One or two words for the footer. */
  label: string;
  /** What it does, for the help overlay. */
  help: string;
  /** The command that does the same from another terminal ("" when it has none). */
  cli: string;
  /** The actions the key sends: a cluster whose engine can do none of them does not offer it (engine-ops.ts). */
  ops?: readonly ActionOp[];
  /** Acts on the selected node. */
  onNode?: true;
  /** Only while an exercise runs. */
  exercise?: true;
  /**
   * In replay: `only`, a key of the replay's own (its key may mean something else live); `too`, a
   * key that works the same there (selection, scrolling, help). Every other key is refused in
   * replay: the cluster on screen is the past, there is nothing to act on.
   */
  replay?: 'only' | 'too';
  /** Only in step mode (S). */
  step?: true;
}

export const BINDINGS: readonly Binding[] = [
  { id: 'select', keys: '↑ ↓ j k 1-9', label: 'select', help: 'select a node (digits pick it by id)', cli: '', replay: 'too' },
  {
    id: 'kill',
    ops: ['kill'],
    keys: 'x',
    label: 'kill',
    help: 'kill the node: SIGKILL, a crash (it keeps only what it persisted)',
    cli: 'raft-console kill <id>',
    onNode: true,
  },
  {
    id: 'restart',
    ops: ['restart'],
    keys: 'r',
    label: 'restart',
    help: 'restart a killed, stopped or crashed node from its data directory',
    cli: 'raft-console restart <id>',
    onNode: true,
  },
  {
    id: 'stop',
    ops: ['stop'],
    keys: 's',
    label: 'stop',
    help: 'stop the node cleanly (SIGTERM)',
    cli: 'raft-console stop <id>',
    onNode: true,
  },
  {
    id: 'pause',
    ops: ['pause', 'resume'],
    keys: 'z',
    label: 'pause',
    help: 'pause or resume the node (SIGSTOP / SIGCONT): frozen as in a long GC pause',
    cli: 'raft-console pause <id> / resume <id>',
    onNode: true,
  },
  {
    id: 'isolate',
    ops: ['isolate'],
    keys: 'i',
    label: 'isolate',
    help: 'cut the node off from every other node',
    cli: 'raft-console isolate <id>',
    onNode: true,
  },
  {
    id: 'campaign',
    ops: ['campaign'],
    keys: 'e',
    label: 'election',
    help: 'make the node start an election now',
    cli: 'raft-console campaign <id>',
    onNode: true,
  },
  {
    id: 'transfer',
    ops: ['transfer'],
    keys: 't',
    label: 'transfer',
    help: 'transfer leadership to the node',
    cli: 'raft-console transfer <id>',
    onNode: true,
  },
  {
    id: 'remove',
    ops: ['remove'],
    keys: '-',
    label: 'remove',
    help: 'remove the node from the cluster (asks first)',
    cli: 'raft-console remove <id>',
    onNode: true,
  },
  {
    id: 'add',
    ops: ['add'],
    keys: '+',
    label: 'add node',
    help: 'add a new node: it joins as a learner and votes once caught up',
    cli: 'raft-console add',
  },
  {
    id: 'partition',
    ops: ['partition'],
    keys: 'p',
    label: 'partition',
    help: 'open the partition editor: put nodes in groups, then apply',
    cli: 'raft-console partition 1,2 3,4,5',
  },
  { id: 'heal', ops: ['heal'], keys: 'h', label: 'heal', help: 'heal every partition and link fault', cli: 'raft-console heal' },
  { id: 'submit', keys: 'n', label: 'submit', help: 'submit a new entry to the log (a line of text)', cli: 'raft-console submit <text>' },
  {
    id: 'submit-via',
    keys: 'N',
    label: 'submit via',
    help: 'submit an entry to the selected node only, without redirects: a node cut off from the majority takes it and cannot commit it',
    cli: 'raft-console submit --via <id> <text>',
    onNode: true,
  },
  { id: 'put', keys: 'v', label: 'put', help: 'put a key and value in the replicated store', cli: 'raft-console put <key> <value>' },
  {
    id: 'read',
    keys: 'g',
    label: 'read',
    help: 'read a key through the selected node only, without redirects: see who answers, with what, and how it confirmed it (the reads panel, Tab)',
    cli: 'raft-console get --via <id> <key>',
    onNode: true,
  },
  {
    id: 'speed',
    ops: ['speed'],
    keys: 'f',
    label: 'speed',
    help: 'change the speed preset: slow, normal, fast',
    cli: 'raft-console speed fast',
  },
  {
    id: 'command',
    keys: ':',
    label: 'command',
    help: 'type a cluster command as on the command line (:link 1 2 --drop 30%, :put k v, :step deliver 1.4); tab completes, ↑ ↓ recall',
    cli: 'raft-console <command>',
  },
  { id: 'freeze', keys: 'space', label: 'freeze', help: 'freeze or unfreeze the event scroll (the cluster keeps running)', cli: '' },
  {
    id: 'filter',
    keys: '/',
    label: 'filter',
    help: "show only the selected node's events; again for all",
    cli: 'raft-console events --follow',
    replay: 'too',
  },
  {
    id: 'scroll-log',
    keys: '← →',
    label: 'log',
    help: 'scroll the log grid back and forward',
    cli: 'raft-console log <id>',
    replay: 'too',
  },
  {
    id: 'scroll-events',
    keys: 'PgUp PgDn',
    label: 'events',
    help: 'scroll the events back and forward; while the help, the results or the exercise text (H) is open, scroll that',
    cli: '',
    replay: 'too',
  },
  { id: 'follow', keys: 'G', label: 'follow', help: 'follow the tail again (log grid and events)', cli: '', replay: 'too' },
  {
    id: 'results',
    keys: 'm',
    label: 'results',
    help: 'show the results of your last actions in full, newest first',
    cli: '',
    replay: 'too',
  },
  {
    id: 'panel',
    keys: 'Tab',
    label: 'panel',
    help: 'switch the lower panel: events, messages per link, reads, members',
    cli: '',
    replay: 'too',
  },
  {
    id: 'step',
    ops: ['step'],
    keys: 'S',
    label: 'step mode',
    help: "step mode on or off: every node's clock stops and every Raft message waits in a list until you deliver it; off lets time and the held messages flow again",
    cli: 'raft-console step on / off',
  },
  {
    id: 'step-select',
    ops: ['deliver', 'drop'],
    keys: '[ ]',
    label: 'message',
    help: 'step mode: select the previous or next message in flight',
    cli: 'raft-console step list',
    step: true,
  },
  {
    id: 'deliver',
    ops: ['deliver'],
    keys: 'd',
    label: 'deliver',
    help: 'step mode: deliver the selected message now, over the real socket',
    cli: 'raft-console step deliver <id>',
    step: true,
  },
  {
    id: 'drop',
    ops: ['drop'],
    keys: 'o',
    label: 'drop',
    help: 'step mode: drop the selected message, as a lossy network would',
    cli: 'raft-console step drop <id>',
    step: true,
  },
  {
    id: 'deliver-due',
    ops: ['deliver'],
    keys: 'D',
    label: 'deliver all',
    help: 'step mode: deliver every held message whose link no fault blocks, oldest first',
    cli: 'raft-console step deliver --due',
    step: true,
  },
  {
    id: 'fire-election',
    ops: ['fire'],
    keys: 'E',
    label: 'timeout',
    help: "step mode: fire the selected node's election timeout now",
    cli: 'raft-console step fire <id> election',
    onNode: true,
    step: true,
  },
  {
    id: 'fire-heartbeat',
    ops: ['fire'],
    keys: 'B',
    label: 'heartbeat',
    help: 'step mode: make the selected node (a leader) send its heartbeats now',
    cli: 'raft-console step fire <id> heartbeat',
    onNode: true,
    step: true,
  },
  {
    id: 'advance',
    ops: ['advance'],
    keys: '.',
    label: 'tick',
    help: "step mode: move every node's clock on by one tick",
    cli: 'raft-console step advance',
    step: true,
  },
  {
    id: 'mouse',
    keys: 'click wheel',
    label: 'mouse',
    help: "click a node's row to select it; the wheel scrolls the events or the log grid under it",
    cli: '',
    replay: 'too',
  },
  {
    id: 'hint',
    keys: 'H',
    label: 'hint',
    help: 'show or hide the hint for the current step and the whole exercise text (on a narrow screen in place of the table)',
    cli: '',
    exercise: true,
    replay: 'too',
  },
  {
    id: 'trigger',
    keys: 'X',
    label: 'set up',
    help: 'let the exercise set up its situation (shown when the step has one); after a fault of yours took the step off its path, set the step up again',
    cli: '',
    exercise: true,
  },
  {
    id: 'replay',
    keys: 'b',
    label: 'replay',
    help: "replay this cluster's last minutes from its recording (the cluster keeps running); b or L again goes back to live",
    cli: 'raft-console replay --name <cluster>',
    replay: 'too',
  },
  { id: 'replay-step', keys: ', .', label: 'step', help: 'replay: step back / forward one event', cli: '', replay: 'only' },
  { id: 'replay-jump', keys: '< >', label: '±1s', help: 'replay: jump back / forward one second', cli: '', replay: 'only' },
  { id: 'replay-play', keys: 'space p', label: 'play', help: 'replay: play or pause', cli: '', replay: 'only' },
  {
    id: 'replay-speed',
    keys: '- +',
    label: 'speed',
    help: 'replay: play slower / faster (0.25x to 8x)',
    cli: '',
    replay: 'only',
  },
  {
    id: 'replay-mark',
    keys: '[ ]',
    label: 'mark',
    help: 'replay: jump to the previous / next mark of the chosen kind (the time bar names them)',
    cli: '',
    replay: 'only',
  },
  {
    id: 'replay-kind',
    keys: 'c',
    label: 'kind',
    help: 'replay: choose the kind of mark [ ] jumps to: election, commit, fault, safety alarm, any',
    cli: '',
    replay: 'only',
  },
  { id: 'replay-live', keys: 'L', label: 'live', help: 'replay: back to the live cluster', cli: '', replay: 'only' },
  { id: 'help', keys: '?', label: 'help', help: 'show or hide this help', cli: '', replay: 'too' },
  {
    id: 'quit',
    keys: 'q',
    label: 'quit',
    help: 'quit (stops the cluster if this dashboard started it, after asking)',
    cli: 'raft-console down',
    replay: 'too',
  },
];

export function binding(id: BindingId): Binding {
  const b = BINDINGS.find((x) => x.id === id);
  if (b === undefined) throw new Error(`no key binding ${id}`);
  return b;
}

/** The action a node key sends for node `id`; `paused` says whether the node is paused now (z toggles). */
export function nodeAction(id: BindingId, node: number, paused: boolean): Action | null {
  switch (id) {
    case 'kill':
      return { op: 'kill', nodes: [node] };
    case 'restart':
      return { op: 'restart', nodes: [node] };
    case 'stop':
      return { op: 'stop', nodes: [node] };
    case 'pause':
      return paused ? { op: 'resume', nodes: [node] } : { op: 'pause', nodes: [node] };
    case 'isolate':
      return { op: 'isolate', node };
    case 'campaign':
      return { op: 'campaign', node };
    case 'transfer':
      return { op: 'transfer', node };
    case 'remove':
      return { op: 'remove', node };
    default:
      return null;
  }
}

/** Whether the cluster offers `b`: a key that sends actions needs one its engine can do. */
export function offered(b: Binding, unsupported: ReadonlySet<ActionOp>): boolean {
  return b.ops === undefined || b.ops.some((op) => !unsupported.has(op));
}
