// The top two lines: which cluster, who leads in which term, how far it has committed, the speed,
// fsync, the switches that differ from Raft's defaults, and the safety badge. On an etcd cluster
// the second line starts with the engine; for one attached elsewhere (dashboard --etcd) it gives
// the cluster id and whether changes are allowed instead of the speed, fsync and switches, which
// etcd does not tell from outside.
import { Box, Text } from 'ink';
import type { Labels } from './labels.js';
import { clusterCommit, highestTerm, leaderOf, members } from '../cluster-model/index.js';
import { engineName } from '../cluster-model/engine.js';
import { columns } from './text-width.js';
import type { Model } from './view.js';

export function Header({
  model,
  labels,
  width,
  attached,
  replay = false,
}: {
  model: Model;
  labels: Labels;
  width: number;
  attached: boolean;
  /** The model is a recording's, at a replay's cursor: the line starts by saying so, whatever gives way. */
  replay?: boolean;
}) {
  const leader = leaderOf(model);
  // The supervisor's safety monitor checks every report the nodes make.
  const safety = model.safety;
  const switches = model.switches;
  const nodes = members(model).length;
  // The leader with its own term; a node already in a later term (a candidate cut off, the other
  // side of a partition) is named beside it, never mixed into the leader's term.
  const top = highestTerm(model);
  const term = leader?.raft?.term ?? top;
  const ahead = top > term ? members(model).find((n) => n.raft?.term === top) : undefined;
  // What the top line must keep (leader, term, commit, the badge) comes first; the program's name
  // and the node count give way when the terminal is narrow.
  const who = leader === null ? labels.noLeader : `★ ${labels.leader} n${leader.id}`;
  const aheadText = ahead === undefined ? '' : ` (n${ahead.id} ${labels.aheadAtTerm} ${top})`;
  const vital = `${who} · ${labels.term} ${term}${aheadText} · ${labels.commit} ${clusterCommit(model)}`;
  // The alarm gives way to a shorter word before the commit index would: the line keeps both.
  const alarm = columns(vital) + columns(` ✘ ${labels.unsafe} `) <= width ? labels.unsafe : labels.unsafeShort;
  const badge = safety.ok ? ` ✔ ${labels.safe}` : ` ✘ ${alarm} `;
  const replayBadge = replay ? ` ${labels.replayBadge} ` : '';
  const room = width - columns(badge) - columns(vital) - columns(replayBadge) - (replay ? 1 : 0);
  const cluster = `${model.name} · ${nodes} ${labels.nodes} · `;
  const brand = columns(`raft-console ${cluster}`) <= room;
  const showCluster = brand || columns(cluster) <= room;
  const odd: string[] = [];
  if (!switches.preVote) odd.push('PreVote off');
  if (!switches.checkQuorum) odd.push('CheckQuorum off');
  for (const b of switches.bugs) odd.push(`BUG ${b}`);
  const partition =
    model.partition.length === 0
      ? ''
      : `${labels.partition} ${model.partition.map((g, i) => `${String.fromCharCode(65 + i)}{${g.join(',')}}`).join(' ')}`;
  // The timeouts in milliseconds give way before the switches and the partition would be cut off.
  const fullTiming = `(${model.timing.electionTimeoutMs.min}-${model.timing.electionTimeoutMs.max} ms, ♥ ${model.timing.heartbeatMs} ms)`;
  const topLine = (
    <Box justifyContent="space-between" width={width}>
      <Text wrap="truncate">
        {replay ? (
          <Text color="yellow" bold inverse>
            {replayBadge}
          </Text>
        ) : null}
        {replay ? ' ' : ''}
        {brand ? <Text bold>raft-console </Text> : null}
        {showCluster ? cluster : ''}
        {leader === null ? (
          <Text color="yellow">{labels.noLeader}</Text>
        ) : (
          <Text color="green" bold>
            ★ {labels.leader} n{leader.id}
          </Text>
        )}{' '}
        · {labels.term} {term}
        {ahead === undefined ? null : <Text color="yellow">{aheadText}</Text>} · {labels.commit} {clusterCommit(model)}
      </Text>
      {safety.ok ? (
        <Text color="green" bold>
          {' '}
          ✔ {labels.safe}
        </Text>
      ) : (
        <Text backgroundColor="red" color="white" bold>
          {' '}
          ✘ {alarm}{' '}
        </Text>
      )}
    </Box>
  );
  const broken = safety.ok ? null : (
    <Text color="red" bold>
      {safety.property} (n{safety.nodes.join(', n')}): {safety.text}
    </Text>
  );
  const engine = model.engine;
  if (engine.kind === 'etcd' && engine.remote) {
    const about = [
      engineName(engine),
      ...(engine.clusterIdHex === null ? [] : [`${labels.clusterId} ${engine.clusterIdHex}`]),
      engine.writable ? labels.attachedWritable : labels.attachedReadOnly,
      ...(partition === '' ? [] : [partition]),
    ].join(' · ');
    return (
      <Box flexDirection="column" width={width}>
        {topLine}
        <Text wrap="truncate" dimColor={safety.ok}>
          {!safety.ok ? broken : about}
        </Text>
      </Box>
    );
  }
  const engineText = engine.kind === 'etcd' ? `${engineName(engine)} · ` : '';
  const rest = [
    `${engineText}${labels.speed} ${model.timing.preset} ${fullTiming}`,
    model.fsync ? labels.fsyncOn : labels.fsyncOff,
    ...odd,
    ...(partition === '' ? [] : [partition]),
    ...(attached ? ['attached'] : []),
  ].join(' · ');
  const timing = columns(rest) <= width ? fullTiming : '';
  // Step mode replaces the speed and timeouts: no timer runs, nothing happens unless the learner does it.
  const step = model.step?.on === true;
  return (
    <Box flexDirection="column" width={width}>
      {topLine}
      <Text wrap="truncate" dimColor={safety.ok && !step}>
        {!safety.ok ? (
          broken
        ) : (
          <>
            {step ? (
              <>
                <Text inverse bold color="yellow">
                  {` ${labels.stepMode} `}
                </Text>{' '}
                {labels.stepFrozen}
              </>
            ) : (
              <>
                {engineText}
                {labels.speed} {model.timing.preset}
                {timing === '' ? '' : ` ${timing}`}
              </>
            )}{' '}
            · {model.fsync ? labels.fsyncOn : <Text color="red">{labels.fsyncOff}</Text>}
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
