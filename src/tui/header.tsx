// The top two lines: which cluster, who leads in which term, how far it has committed, the speed,
// fsync, the switches that differ from Raft's defaults, and the safety badge.
import { Box, Text } from 'ink';
import type { Labels } from './labels.js';
import { clusterCommit, highestTerm, leaderOf, members } from '../cluster-model/index.js';
import type { Model } from './view.js';

export function Header({ model, labels, width, attached }: { model: Model; labels: Labels; width: number; attached: boolean }) {
  const leader = leaderOf(model);
  // The supervisor's safety monitor checks every report the nodes make.
  const safety = model.safety;
  const switches = model.switches;
  const nodes = members(model).length;
  const odd: string[] = [];
  if (!switches.preVote) odd.push('PreVote off');
  if (!switches.checkQuorum) odd.push('CheckQuorum off');
  for (const b of switches.bugs) odd.push(`BUG ${b}`);
  const partition =
    model.partition.length === 0
      ? ''
      : `partition ${model.partition.map((g, i) => `${String.fromCharCode(65 + i)}{${g.join(',')}}`).join(' ')}`;
  return (
    <Box flexDirection="column" width={width}>
      <Box justifyContent="space-between" width={width}>
        <Text wrap="truncate">
          <Text bold>raft-console</Text> {model.name} · {nodes} {labels.nodes} ·{' '}
          {leader === null ? (
            <Text color="yellow">{labels.noLeader}</Text>
          ) : (
            <Text color="green" bold>
              ★ {labels.leader} n{leader.id}
            </Text>
          )}{' '}
          · {labels.term} {highestTerm(model)} · {labels.commit} {clusterCommit(model)}
        </Text>
        {safety.ok ? (
          <Text color="green" bold>
            {' '}
            ✔ {labels.safe}
          </Text>
        ) : (
          <Text backgroundColor="red" color="white" bold>
            {' '}
            ✘ {labels.unsafe}{' '}
          </Text>
        )}
      </Box>
      <Text wrap="truncate" dimColor={safety.ok}>
        {!safety.ok ? (
          <Text color="red" bold>
            {safety.property} (n{safety.nodes.join(', n')}): {safety.text}
          </Text>
        ) : (
          <>
            {labels.speed} {model.timing.preset} ({model.timing.electionTimeoutMs.min}-{model.timing.electionTimeoutMs.max} ms, ♥{' '}
            {model.timing.heartbeatMs} ms) · {model.fsync ? labels.fsyncOn : <Text color="red">{labels.fsyncOff}</Text>}
            {odd.length > 0 ? (
              <Text color="red" bold>
                {' '}
                · {odd.join(' · ')}
              </Text>
            ) : null}
            {partition === '' ? '' : <Text color="yellow"> · {partition}</Text>}
            {attached ? ' · attached' : ''}
          </>
        )}
      </Text>
    </Box>
  );
}
