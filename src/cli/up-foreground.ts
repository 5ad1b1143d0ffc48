// `up` without --detach: the supervisor runs in this process and its events scroll by, one
// readable line each (or NDJSON with --json), until Ctrl-C or a `down` from another terminal
// stops the cluster. The live dashboard will take this place.
import { existsSync } from 'node:fs';
import { startSupervisor, untilStopped, type ClusterEvent, type SupervisorOptions } from '../cluster/index.js';
import { nameFlag, type ClusterFlags } from './cluster-options.js';
import { paintFor } from './colour.js';
import { eventLine } from './event-line.js';
import { nextCommands } from './hints.js';
import { leaderOf } from './model-queries.js';

export async function runInForeground(o: SupervisorOptions, flags: ClusterFlags, json: boolean): Promise<void> {
  const sup = await startSupervisor(o);
  const paint = paintFor(process.stdout);
  const print = (e: ClusterEvent): void => {
    process.stdout.write(`${json ? JSON.stringify(e) : eventLine(e, paint)}\n`);
  };
  // Once there is a leader, what to try from another terminal (with its id where it matters).
  let hinted = json;
  const hint = (): void => {
    const leader = leaderOf(sup.model);
    if (hinted || leader === null) return;
    hinted = true;
    const tries = nextCommands(sup.model.nodes, leader.id, flags, sup.model.timing);
    process.stdout.write(`${paint('bold', `cluster ${sup.name} is running, n${leader.id} leads; Ctrl-C stops it. From another terminal, try: ${tries.join(' · ')}`)}\n`);
  };
  for (const e of sup.model.events) print(e);
  hint();
  const off = sup.onChange((events) => {
    events.forEach(print);
    hint();
  });
  await untilStopped(sup);
  off();
  if (!json && existsSync(sup.folder)) process.stdout.write(`cluster ${sup.name} stopped; its data stays in ${sup.folder}: \`raft-console up${nameFlag(flags)}\` starts it again\n`);
}
