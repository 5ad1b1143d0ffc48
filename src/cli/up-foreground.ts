// `up` without --detach: the supervisor runs in this process. On a terminal it opens the live
// dashboard (quitting it stops the cluster); without one (a pipe, CI, --json) the events scroll by,
// one readable line each (or NDJSON with --json), until Ctrl-C or a `down` from another terminal.
import { existsSync } from 'node:fs';
// Modules, not the cluster-model barrel (which brings the client library): `up`, `supervise` and
// every node they start load less so.
import { clusterFolder } from '../cluster-model/folder.js';
import type { SupervisorOptions } from '../cluster-model/launcher.js';
import type { ClusterEvent } from '../cluster-model/model.js';
import { leaderOf } from '../cluster-model/queries.js';
import { openSupervisor, startSupervisor, untilStopped, type OpenedSupervisor, type SupervisorHandle } from '../supervisor/index.js';
import { nameFlag, type ClusterFlags } from './cluster-options.js';
import { paintFor } from './colour.js';
import { eventLine } from '../cluster-model/event-line.js';
import { nextCommands } from './hints.js';
import { canShowDashboard } from '../tui/terminal.js';
import type { Lang } from '../exercises/lang.js';
import { languageOf, type LangFlags } from './lang-option.js';
import { openWithDashboard } from './load-dashboard.js';
import { mouseOf, type MouseFlags } from './mouse-option.js';

export async function runInForeground(o: SupervisorOptions, flags: ClusterFlags & LangFlags & MouseFlags, json: boolean): Promise<void> {
  const dashboard = !json && canShowDashboard();
  const sup = dashboard ? await withDashboard(o, await languageOf(flags), mouseOf(flags)) : await startSupervisor(o);
  if (!dashboard) await headless(sup, flags, json);
  if (!json && existsSync(sup.folder))
    process.stdout.write(
      `cluster ${sup.name} stopped; its data stays in ${sup.folder}: \`raft-console up${nameFlag(flags)}\` starts it again\n`,
    );
}

/**
 * The dashboard opens before the nodes start, so its first frame comes at once and shows them
 * starting, then listening, then electing: ink (the slowest thing to load) loads while the
 * supervisor claims the folder, and the nodes are spawned (synchronously) just before the dashboard
 * builds its first frame, which therefore shows every one spawned. A start that
 * fails (no node could start) closes the dashboard and is this command's error.
 */
async function withDashboard(o: SupervisorOptions, lang: Lang, mouse: boolean): Promise<SupervisorHandle> {
  // Until ink has loaded (a third of a second, more on a busy machine), the terminal says why it waits.
  process.stdout.write(`${paintFor(process.stdout)('dim', `starting the cluster ${clusterFolder(o).name}: opening the dashboard`)}\n`);
  const [sup, { runDashboard }] = await openWithDashboard(openSupervisor(o), (s) => s.stop());
  const started = startNodes(sup);
  const end = await runDashboard({ source: sup, owned: true, attached: false, lang, mouse, recordingCapMb: o.recording?.capMb });
  await sup.stop();
  const failure = await started;
  // Quitting while the nodes start stops them: their failure to start is then no news.
  if (failure !== null && end.why === 'gone') throw failure;
  if (end.why === 'gone') process.stdout.write(`${end.text}\n`);
  return sup;
}

/** Starts the nodes; resolves with why they could not start (the supervisor has stopped then), or null. */
function startNodes(sup: OpenedSupervisor): Promise<Error | null> {
  return sup.startNodes().then(
    () => null,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
}

async function headless(sup: SupervisorHandle, flags: ClusterFlags, json: boolean): Promise<void> {
  const paint = paintFor(process.stdout);
  if (!json)
    process.stdout.write(
      `${paint('dim', 'no terminal for the dashboard (stdin or stdout is not a TTY, or CI is set): running headless, events follow')}\n`,
    );
  const print = (e: ClusterEvent): void => {
    process.stdout.write(`${json ? JSON.stringify(e) : eventLine(e, paint)}\n`);
  };
  // Once there is a leader, what to try from another terminal (with its id where it matters).
  let hinted = json;
  const hint = (): void => {
    const leader = leaderOf(sup.model);
    if (hinted || leader === null) return;
    hinted = true;
    const tries = nextCommands(sup.model, leader.id, flags);
    process.stdout.write(
      `${paint('bold', `cluster ${sup.name} is running, n${leader.id} leads; Ctrl-C stops it. From another terminal, try: ${tries.join(' · ')}`)}\n`,
    );
  };
  for (const e of sup.model.events) print(e);
  hint();
  const off = sup.subscribe((events) => {
    events.forEach(print);
    hint();
  });
  await untilStopped(sup);
  off();
}
