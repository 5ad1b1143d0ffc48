// The bottom two lines: the result of the last action (the flash line), and the most useful keys.
import { Box, Text } from 'ink';
import { binding, type Binding, type BindingId } from './keymap.js';
import type { Mode } from './keys.js';
import type { Labels } from './labels.js';
import type { Flash } from './store.js';
import { columns } from './text-width.js';

const FLASH_MS = 6000;

/** The footer's keys, most useful first: the later ones give way on narrow screens. */
const FOOTER_ORDER: readonly BindingId[] = [
  'hint',
  'trigger',
  'kill',
  'restart',
  'partition',
  'heal',
  'submit',
  'pause',
  'isolate',
  'campaign',
  'submit-via',
  'help',
  'quit',
];

/** The footer's keys that fit the width, in order; help and quit always stay. */
function fitting(keys: readonly Binding[], width: number, label: (b: Binding) => string): Binding[] {
  const shown = (b: Binding): number => columns(b.keys) + 1 + columns(label(b)) + 2;
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

export function Footer({
  flash,
  now,
  mode,
  width,
  exercise,
  trigger,
  gone,
  labels,
}: {
  flash: Flash | null;
  now: number;
  mode: Mode;
  width: number;
  exercise: boolean;
  trigger: boolean;
  gone: string | null;
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
  else if (mode.kind === 'input')
    status = (
      <Text>
        <Text color="cyan" bold>
          {mode.what === 'put' ? labels.putPrompt : mode.via === undefined ? labels.submitPrompt : labels.submitViaPrompt(mode.via)}
        </Text>
        {mode.text}
        <Text inverse> </Text>
        <Text dimColor> {labels.inputKeys}</Text>
      </Text>
    );
  else if (flash !== null && now - flash.ts < FLASH_MS)
    status = (
      <Text color={flash.ok ? 'green' : 'red'}>
        {flash.ok ? '✔' : '✘'} {flash.text}
      </Text>
    );
  const keys = fitting(
    FOOTER_ORDER.map(binding).filter((b) => (exercise || b.exercise !== true) && (trigger || b.id !== 'trigger')),
    width,
    label,
  );
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">{status ?? ' '}</Text>
      <Text wrap="truncate">
        {keys.map((b) => (
          <Text key={b.id}>
            <Text color="cyan" bold>
              {b.keys}
            </Text>
            <Text dimColor> {label(b)} </Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
