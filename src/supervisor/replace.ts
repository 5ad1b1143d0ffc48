// `replace <id>`: the safe procedure for a node whose data is damaged or lost, in one action. Stop
// it, move its data directory aside (never delete it: it is the operator's evidence and maybe their
// only copy), raise its acknowledged mark to the cluster's term and commit, and start it empty: it
// comes up in recovering mode (node/lost-data.ts), neither votes nor campaigns, and catches up from
// the leader. The action waits until it has.
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import type { NodeId } from '../raft/types.js';
import type { Done } from './actions.js';
import { ClusterError } from '../cluster-model/errors.js';
import type { Fleet } from './fleet.js';
import type { Outcome } from '../cluster-model/outcome.js';

/** How long the empty node may take to catch up before the action reports it has not. */
const CATCH_UP_MS = 60_000;

export async function replaceNode(f: Fleet, id: NodeId): Promise<Done> {
  const node = f.member(id);
  if (node.process.state === 'starting')
    throw new ClusterError(`cannot replace n${id}: it is starting; wait until it has started`, {
      code: 'node-state',
      node: id,
      op: 'replace',
      state: 'starting',
    });
  const others = f.members().filter((n) => n.id !== id);
  // The cluster's term and commit as far as any node reported them: every entry the node could
  // have helped commit is at or below this commit, every vote it could have cast at or below this term.
  const term = Math.max(0, ...f.members().map((n) => n.raft?.term ?? 0));
  const commit = Math.max(0, ...f.members().map((n) => n.raft?.commit ?? 0));
  if (others.every((n) => n.process.state !== 'running'))
    throw new ClusterError(`cannot replace n${id}: no other node is running to catch it up from; restart the others first`);

  if (f.isLive(node)) await f.stop(id);
  const dir = f.dataDir(f.fileNode(id));
  let movedTo: string | null = null;
  if (existsSync(dir)) {
    movedTo = `${dir}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(dir, movedTo);
  }
  const mark = f.marks.get(id);
  f.marks.seen(id, { term: Math.max(term, mark?.term ?? 0), commit: Math.max(commit, mark?.commit ?? 0) });
  await f.marks.flush();
  const until = f.marks.get(id)!;
  const moved = movedTo === null ? 'it had no data directory' : `its old data directory is kept in ${movedTo}`;
  f.live.say('replace', `replacing n${id}: ${moved}; it starts empty and catches up to entry ${until.commit} before it votes again`, {
    node: id,
    outcome: { code: 'replacing', node: id, movedTo, untilIndex: until.commit } satisfies Outcome,
  });
  f.live.restarting(id);
  await f.start(id);

  const started = Date.now();
  const caughtUp = await f.live.until(() => (node.raft?.commit ?? 0) >= until.commit && node.process.state === 'running', CATCH_UP_MS);
  const data = { node: id, movedTo, untilIndex: until.commit, aboveTerm: until.term, caughtUp };
  if (!caughtUp)
    throw new ClusterError(
      `n${id} started empty (${moved}) but has not caught up to entry ${until.commit} within ${CATCH_UP_MS / 1000} s: a leader must be running and reach it (heal the network, restart nodes); it keeps catching up, check \`raft-console status\``,
    );
  const tookMs = Date.now() - started;
  return {
    text: `replaced n${id}: ${moved}; it started empty and caught up to entry ${until.commit} in ${(tookMs / 1000).toFixed(1)} s; it votes again once the term is above ${until.term}`,
    data,
    outcome: { code: 'replaced', node: id, movedTo, untilIndex: until.commit, aboveTerm: until.term, tookMs },
  };
}
