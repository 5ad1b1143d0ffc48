// The bottom two lines: the result of the last action (the flash line), and the most useful keys.
import { Box, Text } from 'ink';
import { BINDINGS } from './keymap.js';
import type { Mode } from './keys.js';
import type { Flash } from './store.js';

const FLASH_MS = 6000;

export function Footer({ flash, now, mode, width, exercise, gone }: { flash: Flash | null; now: number; mode: Mode; width: number; exercise: boolean; gone: string | null }) {
  let status: React.ReactNode = null;
  if (gone !== null) status = <Text color="red" bold>{gone}: q quits</Text>;
  else if (mode.kind === 'confirm') status = <Text color="yellow" bold>{mode.question}</Text>;
  else if (mode.kind === 'input')
    status = (
      <Text>
        <Text color="cyan" bold>{mode.what === 'submit' ? 'submit entry> ' : 'put key value> '}</Text>
        {mode.text}
        <Text inverse> </Text>
        <Text dimColor>  enter sends, esc cancels</Text>
      </Text>
    );
  else if (flash !== null && now - flash.ts < FLASH_MS) status = <Text color={flash.ok ? 'green' : 'red'}>{flash.ok ? '✔' : '✘'} {flash.text}</Text>;
  const keys = BINDINGS.filter((b) => b.footer === true && (exercise || b.exercise !== true));
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">{status ?? ' '}</Text>
      <Text wrap="truncate">
        {keys.map((b) => (
          <Text key={b.id}>
            <Text color="cyan" bold>{b.keys}</Text>
            <Text dimColor> {b.label}  </Text>
          </Text>
        ))}
      </Text>
    </Box>
  );
}
