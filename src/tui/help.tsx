// The `?` overlay: every key, what it does, and the command that does the same from another
// terminal. In two columns (without the commands) when the rows are too few for one.
import { Box, Text } from 'ink';
import { BINDINGS, type Binding } from './keymap.js';
import type { Labels } from './labels.js';
import { fit } from './text-width.js';

const KEYS_WIDTH = 13;
const CLI_WIDTH = 40;

function Entry({
  b,
  width,
  cli,
  labels,
  keysWidth = KEYS_WIDTH,
}: {
  b: Binding;
  width: number;
  cli: boolean;
  labels: Labels;
  keysWidth?: number;
}) {
  const helpWidth = width - keysWidth - (cli ? CLI_WIDTH : 0);
  // Each column's text is cut a column short of its box, measured in terminal columns (CJK takes
  // two), so that neighbouring columns never run together.
  return (
    <Box width={width}>
      <Box width={keysWidth} flexShrink={0}>
        <Text color="cyan" bold wrap="truncate">
          {fit(b.keys, keysWidth - 1)}
        </Text>
      </Box>
      <Box width={helpWidth} flexShrink={0}>
        <Text wrap="truncate">{fit(labels.keys[b.id]?.help ?? b.help, helpWidth - 1)}</Text>
      </Box>
      {cli ? (
        <Box width={CLI_WIDTH} flexShrink={0}>
          <Text dimColor wrap="truncate">
            {fit(b.cli, CLI_WIDTH)}
          </Text>
        </Box>
      ) : null}
    </Box>
  );
}

export function Help({ width, rows, labels, exercise }: { width: number; rows: number; labels: Labels; exercise: boolean }) {
  const keys = BINDINGS.filter((b) => exercise || b.exercise !== true);
  const lines = rows - 1;
  if (keys.length <= lines)
    return (
      <Box flexDirection="column" width={width} height={rows}>
        <Text bold wrap="truncate">
          {labels.helpTitle}
        </Text>
        {keys.map((b) => (
          <Entry key={b.id} b={b} width={width} cli={width >= 110} labels={labels} />
        ))}
      </Box>
    );
  const half = Math.floor(width / 2);
  const split = Math.ceil(keys.length / 2);
  return (
    <Box flexDirection="column" width={width} height={rows}>
      <Text bold wrap="truncate">
        {labels.helpTitle}
      </Text>
      <Box width={width}>
        {[keys.slice(0, split), keys.slice(split)].map((column, i) => (
          <Box key={i} flexDirection="column" width={half}>
            {column.slice(0, lines).map((b) => (
              <Entry key={b.id} b={b} width={half - 1} cli={false} labels={labels} keysWidth={12} />
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
