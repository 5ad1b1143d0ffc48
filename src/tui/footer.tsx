// The bottom two lines: the result of the last action (the flash line), and the most useful keys:
// during an exercise, the keys the current step needs come first. A result longer than its line
// says so, and `m` shows the last results whole.
import { Box, Text } from 'ink';
import type { ActionOp } from '../cluster-model/index.js';
import { BINDINGS, binding, offered, type Binding, type BindingId } from './keymap.js';
import type { Mode } from './keys.js';
import type { Labels } from './labels.js';
import type { Flash } from './store.js';
import { wrapped, type Line } from './text-view.js';
import { clipColumns, columns, tailColumns } from './text-width.js';

const FLASH_MS = 6000;
const NONE: ReadonlySet<ActionOp> = new Set();

/** The footer's keys, most useful first: the later ones give way on narrow screens. */
const FOOTER_ORDER: readonly BindingId[] = [
  'hint',
  'trigger',
  'kill',
  'restart',
  'partition',
  'heal',
  'submit',
  'command',
  'step',
  'pause',
  'isolate',
  'campaign',
  'submit-via',
  'help',
  'quit',
];

/** The footer's keys in a replay: the cursor's keys, then the way back to live. */
const REPLAY_FOOTER: readonly BindingId[] = [
  'replay-live',
  'replay-step',
  'replay-jump',
  'replay-play',
  'replay-mark',
  'replay-kind',
  'replay-speed',
  'help',
  'quit',
];

/** In step mode, its keys come first. */
const STEP_FIRST: readonly BindingId[] = [
  'deliver',
  'step-select',
  'drop',
  'deliver-due',
  'fire-election',
  'fire-heartbeat',
  'advance',
  'step',
];

/** The commands a binding does the same as ("raft-console pause <id> / resume <id>": pause, resume). */
function verbs(b: Binding): string[] {
  return [...b.cli.matchAll(/(?:raft-console|\/)\s+([a-z]+)/g)].map((m) => m[1]!);
}

/**
 * The footer's keys in order: the set-up and the keys of the step's command first, then the usual
 * ones. A key does the step's command when its own command line has the same verb and every option
 * the step's command gives (`+` is a plain `add`, not `add --learner`); when no key does, the `:`
 * command line comes first instead.
 */
export function footerOrder(stepCommand: string | null, stepMode = false): BindingId[] {
  const [verb, ...rest] = stepCommand?.split(' ') ?? [];
  const options = rest.filter((w) => w.startsWith('--'));
  const step =
    verb === undefined
      ? []
      : BINDINGS.filter((b) => verbs(b).includes(verb) && options.every((o) => b.cli.split(' ').includes(o))).map((b) => b.id);
  const first: BindingId[] = [
    ...(stepMode ? STEP_FIRST : []),
    'trigger',
    ...(verb !== undefined && step.length === 0 ? ['command' as const] : step),
  ];
  return [...first, ...FOOTER_ORDER.filter((id) => !first.includes(id))];
}

/** The footer's keys that fit the width, in order; help and quit always stay. */
function fitting(keys: readonly Binding[], width: number, label: (b: Binding) => string): Binding[] {
  const shown = (b: Binding): number => columns(b.keys) + 1 + columns(label(b)) + 1;
  const always = keys.filter((b) => b.id === 'help' || b.id === 'quit');
  let room = width - always.reduce((n, b) => n + shown(b), 0);
  const out: Binding[] = [];
  for (const b of keys) {
    if (always.includes(b)) out.push(b);
    else if (shown(b) <= room) {
      out.push(b);
      room -= shown(b);
    }
  }
  return out;
}

/** The `m` overlay: the last results whole, newest first. */
export function resultLines(results: readonly Flash[], labels: Labels, width: number): Line[] {
  const title: Line = [{ text: labels.resultsTitle, bold: true }];
  if (results.length === 0) return [title, [{ text: labels.resultsNone, dim: true }]];
  return [
    title,
    ...[...results]
      .reverse()
      .flatMap((r) =>
        wrapped(r.text, width, { colour: r.ok ? 'green' : 'red' }, { text: r.ok ? '✔ ' : '✘ ', colour: r.ok ? 'green' : 'red' }),
      ),
  ];
}

export function Footer({
  flash,
  now,
  mode,
  width,
  exercise,
  trigger,
  stepCommand,
  stepMode,
  gone,
  replay = false,
  live = true,
  unsupported = NONE,
  labels,
}: {
  flash: Flash | null;
  now: number;
  mode: Mode;
  width: number;
  exercise: boolean;
  trigger: boolean;
  /** The command of the exercise's current step: its key comes first. */
  stepCommand: string | null;
  /** Step mode is on: its keys come first (and are shown only then). */
  stepMode: boolean;
  gone: string | null;
  /** The dashboard shows a replay: its keys, not the actions. */
  replay?: boolean;
  /** A live cluster is behind the replay (L goes back to it); not for `raft-console replay`. */
  live?: boolean;
  /** The actions the cluster's engine cannot do (unsupportedOps): their keys give way to others. */
  unsupported?: ReadonlySet<ActionOp>;
  labels: Labels;
}) {
  const label = (b: Binding): string => labels.keys[b.id]?.label ?? b.label;
  let status: React.ReactNode = null;
  if (gone !== null)
    status = (
      <Text color="red" bold>
        {gone}: {labels.goneQuit}
      </Text>
    );
  else if (mode.kind === 'confirm')
    status = (
      <Text color="yellow" bold>
        {mode.ask === 'quit' ? labels.askQuit : labels.askRemove(mode.node)}
      </Text>
    );
  else if (mode.kind === 'input' || mode.kind === 'command') {
    const prompt =
      mode.kind === 'command'
        ? ':'
        : mode.what === 'put'
          ? labels.putPrompt
          : mode.what === 'read'
            ? labels.readViaPrompt(mode.via ?? 0)
            : mode.via === undefined
              ? labels.submitPrompt
              : labels.submitViaPrompt(mode.via);
    const keys = ` ${mode.kind === 'command' && mode.choices.length > 0 ? mode.choices.join(' ') : mode.kind === 'command' ? labels.commandKeys : labels.inputKeys}`;
    // A long line keeps its end (where the typing is) in sight: its start gives way.
    const text = tailColumns(mode.text, Math.max(1, width - columns(prompt) - Math.min(columns(keys), width >> 1) - 1));
    status = (
      <Text>
        <Text color="cyan" bold>
          {prompt}
        </Text>
        {text}
        <Text inverse> </Text>
        <Text dimColor>{clipColumns(keys, Math.max(0, width - columns(prompt) - columns(text) - 1))}</Text>
      </Text>
    );
  } else if (flash !== null && now - flash.ts < FLASH_MS) {
    // A result longer than the line ends with where to read it whole.
    const more = ` (${labels.resultsKey})`;
    const full = `${flash.ok ? '✔' : '✘'} ${flash.text}`;
    status = (
      <Text color={flash.ok ? 'green' : 'red'}>
        {columns(full) <= width ? full : clipColumns(full, width - columns(more))}
        {columns(full) <= width ? null : <Text color="cyan">{more}</Text>}
      </Text>
    );
  }
  const keys = fitting(
    (replay ? REPLAY_FOOTER.filter((id) => live || id !== 'replay-live') : footerOrder(exercise ? stepCommand : null, stepMode))
      .map(binding)
      .filter(
        (b) =>
          (exercise || b.exercise !== true) && (stepMode || b.step !== true) && (trigger || b.id !== 'trigger') && offered(b, unsupported),
      ),
    width,
    label,
  );
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">{status ?? ' '}</Text>
      <Text wrap="truncate">
        {keys.map((b, i) => (
          <Text key={b.id}>
            {i === 0 ? '' : ' '}
            <Text color="cyan" bold>
              {b.keys}
            </Text>
            <Text dimColor> {label(b)}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
