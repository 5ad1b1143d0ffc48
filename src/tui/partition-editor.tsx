// The partition editor: each node in a group (A-E); enter applies the partition, everyone in one
// group heals the network.
import { Box, Text } from 'ink';
import type { Labels } from './labels.js';
import { GROUP_NAMES } from './keys.js';
import { members } from '../cluster-model/index.js';
import type { Model } from './view.js';
import { wrapColumns } from './text-width.js';

export function PartitionEditor({
  model,
  groups,
  selected,
  width,
  rows,
  labels,
}: {
  model: Model;
  groups: Record<number, number>;
  selected: number;
  width: number;
  rows: number;
  labels: Labels;
}) {
  const nodes = members(model);
  // The instructions wrap: their end (how to apply and cancel) must not be cut off.
  const title = wrapColumns(labels.partitionTitle, width);
  const summary = GROUP_NAMES.map((g, i) => ({ g, ids: nodes.filter((n) => (groups[n.id] ?? 0) === i).map((n) => n.id) }))
    .filter((x) => x.ids.length > 0)
    .map((x) => `${x.g}{${x.ids.join(',')}}`)
    .join(' | ');
  return (
    <Box flexDirection="column" width={width} height={rows}>
      {title.map((line, i) => (
        <Text key={i} color="yellow" bold wrap="truncate">
          {line}
        </Text>
      ))}
      <Text wrap="truncate">
        {'      '}
        {GROUP_NAMES.map((g) => ` ${g} `).join('')}
      </Text>
      {nodes.slice(0, Math.max(0, rows - 2 - title.length)).map((n) => (
        <Text key={n.id} wrap="truncate">
          <Text color="cyan" bold>
            {n.id === selected ? '▸ ' : '  '}
          </Text>
          <Text bold={n.id === selected}>{`n${n.id}`.padEnd(4)}</Text>
          {GROUP_NAMES.map((_, i) => ((groups[n.id] ?? 0) === i ? ' ● ' : ' · ')).join('')}
        </Text>
      ))}
      <Text wrap="truncate" dimColor>
        → {summary.includes('|') ? summary : 'one group: enter heals the network'}
      </Text>
    </Box>
  );
}
