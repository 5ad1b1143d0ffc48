// `up --detach`: starts `raft-console supervise` in the background (a session of its own, so
// closing the terminal leaves it running), waits for its ready line and then for a leader, says
// where the cluster is and what to try, and returns. Its first line on stdout says whether it started
// (supervise-main.ts); its stderr goes to supervisor.log in the cluster folder, read back when it
// exits without a word.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
// Modules, not the cluster-model barrel (which brings the client library): `up`, `supervise` and
// every node they start load less so.
import { SUPERVISOR_LOG } from '../cluster-model/control-protocol.js';
import { ControlClient } from '../cluster-model/control-client.js';
import { ClusterError } from '../cluster-model/errors.js';
import { clusterFolder } from '../cluster-model/folder.js';
import type { SupervisorOptions } from '../cluster-model/launcher.js';
import type { ClusterModel, NodeModel } from '../cluster-model/model.js';
import { plural } from '../cluster-model/plural.js';
import { leaderOf, members } from '../cluster-model/queries.js';
import { until } from '../cluster-model/source.js';
import { describeSwitches, isDefault, keptSwitches } from '../cluster-model/switches.js';
import { describeSnapshotEvery } from '../cluster-model/snapshots.js';
import { describeTiming } from '../cluster-model/timing.js';
import { parseSuperviseLine, type ReadyLine } from '../supervisor/index.js';
import { nameFlag, type ClusterFlags } from './cluster-options.js';
import { paintFor } from './colour.js';
import { CliError } from './failure.js';
import { nextCommands } from './hints.js';
import { superviseArgs } from './supervisor-options.js';

const BIN = fileURLToPath(new URL('../../bin/raft-console.js', import.meta.url));
/** Starting the nodes takes a second or two; past this something is stuck. */
const READY_TIMEOUT_MS = 60_000;

/**
 * Resolves with the ready line, or rejects with why the supervisor did not start: the problem of its
 * "failed" line, or what it wrote to its log before it exited without one.
 */
function readyLine(child: ChildProcess, logPath: string, logFrom: number): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    const stopWaiting = (): void => {
      clearTimeout(timer);
      child.off('close', onClose);
      lines.close();
    };
    // Left running for the user to look at: this process no longer waits for it.
    const letGo = (why: string): void => {
      child.stdout!.destroy();
      child.unref();
      reject(new CliError(`the supervisor (pid ${child.pid}) ${why}: see ${logPath}; stop it with \`kill ${child.pid}\``));
    };
    const timer = setTimeout(() => {
      stopWaiting();
      letGo(`was not ready after ${READY_TIMEOUT_MS / 1000} s`);
    }, READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (text) => {
      stopWaiting();
      const line = parseSuperviseLine(text);
      if (!line.ok) letGo(`wrote something other than its ready line (${line.problem})`);
      // The supervisor's own error, the cause and the fix: passed on as it is.
      else if (line.value.type === 'failed') reject(new ClusterError(line.value.text, line.value.problem));
      else resolve(line.value);
    });
    // 'close', not 'exit': its stdout is read to the end first, so a "failed" line is never missed.
    const onClose = (): void => {
      clearTimeout(timer);
      void readFile(logPath)
        .then((all) => all.subarray(logFrom).toString('utf8').trim())
        .then((text) => reject(new CliError(`the supervisor exited before it was ready${text === '' ? '' : `:\n${text}`}`)), reject);
    };
    child.once('close', onClose);
  });
}

function report(model: ClusterModel, leader: NodeModel, o: SupervisorOptions, flags: ClusterFlags, json: boolean): void {
  const nodes = members(model);
  if (json) {
    const doc = {
      name: model.name,
      clusterId: model.clusterId,
      folder: model.folder,
      supervisorPid: model.supervisorPid,
      leader: leader.id,
      term: leader.raft!.term,
      timing: model.timing,
      switches: model.switches,
      snapshotEvery: model.snapshotEvery,
      nodes: nodes.map((n) => ({ id: n.id, address: n.address, pid: n.process.pid })),
    };
    process.stdout.write(`${JSON.stringify(doc)}\n`);
    return;
  }
  const paint = paintFor(process.stdout);
  const tries = nextCommands(model, leader.id, flags);
  const kept = keptSwitches(o.raft, model.switches);
  process.stdout.write(
    [
      paint('bold', `cluster ${model.name} is up: ${plural(nodes.length, 'node')}, n${leader.id} leads term ${leader.raft!.term}`),
      `  ${describeTiming(model.timing)}; ${describeSnapshotEvery(model.snapshotEvery)}`,
      ...(isDefault(model.switches)
        ? []
        : [paint(model.switches.bugs.length > 0 ? 'red' : 'yellow', `  raft: ${describeSwitches(model.switches)}`)]),
      ...(kept === null ? [] : [paint('yellow', `  note: ${kept}`)]),
      `  folder ${model.folder} (supervisor pid ${model.supervisorPid}, its log in ${SUPERVISOR_LOG})`,
      `  try: ${tries.join('\n       ')}`,
    ].join('\n') + '\n',
  );
}

export async function runDetached(o: SupervisorOptions, flags: ClusterFlags, json: boolean): Promise<void> {
  const { folder } = clusterFolder(o);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const logPath = join(folder, SUPERVISOR_LOG);
  const log = await open(logPath, 'a', 0o600);
  let child: ChildProcess;
  let logFrom: number;
  try {
    logFrom = (await log.stat()).size;
    child = spawn(process.execPath, [BIN, ...superviseArgs(o)], { detached: true, stdio: ['ignore', 'pipe', log.fd] });
  } finally {
    await log.close();
  }
  const ready = await readyLine(child, logPath, logFrom);
  child.stdout!.destroy();
  child.unref();

  const client = await ControlClient.connect({ name: ready.name, dataDir: ready.folder });
  try {
    const t = client.model.timing.electionTimeoutMs;
    const timeoutMs = Math.max(10_000, 10 * t.max);
    const leader = (await until(client, (m) => leaderOf(m) !== null, timeoutMs)) ? leaderOf(client.model) : null;
    if (leader === null)
      throw new CliError(
        `the cluster ${ready.name} started (supervisor pid ${ready.supervisorPid}) but elected no leader within ${timeoutMs / 1000} s: ` +
          `see \`raft-console events${nameFlag(flags)}\` and \`raft-console status${nameFlag(flags)}\`; \`raft-console down${nameFlag(flags)}\` stops it`,
      );
    report(client.model, leader, o, flags, json);
  } finally {
    await client.close();
  }
}
