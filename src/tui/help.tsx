// The `?` overlay: every key, what it does, and the command that does the same from another terminal.
import { Box, Text } from 'ink';
import { BINDINGS } from './keymap.js';
import type { Labels } from './labels.js';

export function Help({ width, rows, labels, exercise }: { width: number; rows: number; labels: Labels; exercise: boolean }) {
  const keys = BINDINGS.filter((b) => exercise || b.exercise !== true);
  const wide = width >= 110;
  return (
    <Box flexDirection="column" width={width} height={rows}>
      <Text bold wrap="truncate">{labels.helpTitle}</Text>
      {keys.slice(0, Math.max(0, rows - 1)).map((b) => (
        <Box key={b.id} width={width}>
          <Box width={13} flexShrink={0}>
            <Text color="cyan" bold>{b.keys}</Text>
          </Box>
          <Box width={wide ? width - 13 - 40 : width - 13} flexShrink={0}>
            <Text wrap="truncate">{b.help}</Text>
          </Box>
          {wide ? (
            <Box width={40} flexShrink={0}>
              <Text dimColor wrap="truncate">{b.cli}</Text>
            </Box>
          ) : null}
        </Box>
      ))}
    </Box>
  );
}
