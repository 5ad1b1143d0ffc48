// `raft-console replay`: a cluster's recording (src/cluster-model/replay.ts) on the dashboard, at
// a time cursor; without a terminal (or with --json), what the recording holds, one line each.
// Recordings are made by every cluster into its folder, by `check --out DIR` into DIR, and by an
// exercise's cluster into its folder, kept when the exercise ends.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command } from 'commander';
import { clusterFolder } from '../cluster-model/folder.js';
import { plural } from '../cluster-model/plural.js';
import { MARK_KINDS, openReplay, type MarkKind, type ReplaySource } from '../cluster-model/replay.js';
import { canShowDashboard } from '../tui/terminal.js';
import { folderOptions, withClusterOptions, type ClusterFlags } from './cluster-options.js';
import { namedOwnCluster } from './etcd-options.js';
import { CliError, guarded } from './failure.js';
import { languageOf, withLangOption, type LangFlags } from './lang-option.js';
import { openWithDashboard } from './load-dashboard.js';
import { MOUSE_OPTION, mouseOf, type MouseFlags } from './mouse-option.js';
import { openSettings } from './settings.js';

type ReplayFlags = ClusterFlags & LangFlags & MouseFlags & { json?: boolean };

/** The recording a command line names: a path (a folder or a file), or a cluster by --name. */
async function targetOf(path: string | undefined, flags: ReplayFlags, cmd: Command): Promise<{ folder: string } | { file: string }> {
  if (path !== undefined) {
    if (namedOwnCluster(cmd)) throw new CliError("give either a recording's path or --name (or --data-dir), not both", 'usage');
    const full = resolve(path);
    if (!existsSync(full))
      throw new CliError(
        `there is no ${full}: give a cluster's folder, a \`check --out\` folder or a recording file, or a cluster's --name`,
      );
    return statSync(full).isDirectory() ? { folder: full } : { file: full };
  }
  const { name, folder } = clusterFolder(await folderOptions(flags));
  if (!existsSync(folder))
    throw new CliError(
      `there is no cluster named ${name} (no folder ${folder}): check the name with \`raft-console status --name ${name}\`, or give a recording's path`,
    );
  return { folder };
}

const MARK_NAMES: Record<MarkKind, [string, string]> = {
  election: ['election', 'elections'],
  commit: ['commit', 'commits'],
  fault: ['fault', 'faults'],
  alarm: ['safety alarm', 'safety alarms'],
};

/** How long, in words: "4 min 12 s". */
function span(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** What the recording holds, one line each; or as one JSON object. */
function summary(replay: ReplaySource, json: boolean): string {
  const { from, to } = replay.cursor;
  const counts = Object.fromEntries(MARK_KINDS.map((k) => [k, replay.cursor.marks().filter((m) => m.kind === k).length])) as Record<
    MarkKind,
    number
  >;
  const name = replay.model.name;
  if (json)
    return JSON.stringify({
      name,
      from,
      to,
      durationMs: to - from,
      events: replay.recorded.events,
      marks: counts,
      files: replay.recorded.files,
    });
  return [
    `recording of the cluster ${name}`,
    `from ${new Date(from).toISOString()}`,
    `to   ${new Date(to).toISOString()} (${span(to - from)})`,
    plural(replay.recorded.events, 'event'),
    ...MARK_KINDS.map((k) => `${counts[k]} ${MARK_NAMES[k][counts[k] === 1 ? 0 : 1]}`),
    `${plural(replay.recorded.files.length, 'file')}: ${replay.recorded.files.join(', ')}`,
  ].join('\n');
}

export function registerReplayCommand(program: Command): Command {
  return withLangOption(
    withClusterOptions(
      program
        .command('replay')
        .argument('[path]', "a cluster's folder, a `check --out` folder, or one recording file (default: the cluster --name names)")
        .description("replay a cluster's recording on the dashboard, at a time cursor (without a terminal, or with --json: what it holds)")
        .option('--json', 'print what the recording holds as one JSON object instead of opening the dashboard')
        .option(...MOUSE_OPTION),
    ),
  ).action(
    guarded('replay', async (path: string | undefined, flags: ReplayFlags, cmd: Command) => {
      const target = await targetOf(path, flags, cmd);
      // The cap bounds the size of the files a replay reads (a segment is an eighth of it).
      const opts = { capMb: (await openSettings()).get('recording-cap') };
      if (flags.json === true || !canShowDashboard()) {
        const replay = await openReplay(target, opts);
        process.stdout.write(`${summary(replay, flags.json === true)}\n`);
        return;
      }
      const [replay, { runDashboard }] = await openWithDashboard(openReplay(target, opts), () => Promise.resolve());
      const lang = await languageOf(flags);
      try {
        await runDashboard({ source: replay, owned: false, attached: true, lang, mouse: mouseOf(flags) });
      } finally {
        replay.cursor.pause();
      }
    }),
  );
}
