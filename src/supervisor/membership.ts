// Growing and shrinking a running cluster, one server at a time (dissertation 4.1): a new node joins
// as a learner, is promoted to voter once it holds every committed entry (at once, or when asked:
// `add --learner`, then `promote`), and a removed node is stopped only after its removal is
// committed. Progress is told as events, since catching up can take a while.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfChange, NodeId } from '../raft/types.js';
import { checkPromotable, checkRemovable, votersNow, type Done } from './actions.js';
import { ClusterError } from '../cluster-model/errors.js';
import type { Fleet } from './fleet.js';
import { filterFor } from './links.js';
import type { Outcome } from '../cluster-model/outcome.js';
import { freePorts, busyPort } from './ports.js';

/** How long a new learner may take to catch up before the supervisor gives up on promoting it. */
const CATCH_UP_MS = 30_000;

/**
 * Proposes a change to the leader, retrying while there is no leader, leadership moves, or the
 * previous change is still in flight; resolves with the index of the configuration entry.
 */
async function propose(f: Fleet, change: ConfChange, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const leader = await f.awaitLeader(Math.max(0, until - Date.now()));
    const answer = await f.tell(leader.id, { op: 'conf-change', change }).catch((err: unknown) => ({
      ok: false,
      text: err instanceof Error ? err.message : String(err),
    }));
    if (answer !== null && answer.ok) {
      // A proposed change's answer carries its entry's index; committed() also checks the
      // configuration itself.
      return 'index' in answer && typeof answer.index === 'number' ? answer.index : (f.live.node(leader.id)?.raft?.lastIndex ?? 0);
    }
    const why = answer?.text ?? `n${leader.id} is paused`;
    if (/invalid change/.test(why) || Date.now() >= until) throw new ClusterError(why);
    await sleep(Math.max(50, f.file.timing.heartbeatMs));
  }
}

/** Waits until a running node has committed `index` with the change in its configuration. */
async function committed(f: Fleet, index: number, applied: (voters: NodeId[], learners: NodeId[]) => boolean, what: string): Promise<void> {
  const ok = await f.live.until(
    () =>
      f
        .members()
        .some(
          (n) =>
            n.process.state === 'running' &&
            n.raft !== null &&
            n.raft.commit >= index &&
            applied(n.raft.membership.voters, n.raft.membership.learners),
        ),
    f.electionWaitMs() * 2,
  );
  if (!ok)
    throw new ClusterError(
      `${what} was proposed at entry ${index} but has not committed: a majority must be running and connected (heal the network, restart nodes), then check \`raft-console status\``,
    );
}

/** A new node, started and in the configuration as a learner. */
interface Joined {
  id: NodeId;
  port: number;
  /** The configuration entry that made it a learner. */
  index: number;
}

/** What a failure after the node has started leaves behind, and the commands that deal with it. */
function stays(op: 'add' | 'promote', id: NodeId): string {
  return op === 'add'
    ? `; it stays in the cluster as it is: \`raft-console remove ${id}\` takes it out`
    : `; it stays a learner: \`raft-console promote ${id}\` tries again, \`raft-console remove ${id}\` takes it out`;
}

/** Starts a new, empty node and adds it to the configuration as a learner: it receives the log but does not vote. */
async function joinAsLearner(f: Fleet): Promise<Joined> {
  // Fail before spawning anything when no change could be made now.
  await f.awaitLeader();
  const id = Math.max(0, ...f.file.nodes.map((n) => n.id)) + 1;
  const base = f.file.basePort;
  let port: number;
  if (base === null) [port] = (await freePorts(1)) as [number];
  else {
    port = base + id - 1;
    if ((await busyPort([port])) !== null)
      throw new ClusterError(
        `port ${port} (--base-port ${base} + ${id - 1}) for n${id} is in use: stop what uses it (try: ss -ltnp 'sport = :${port}')`,
      );
  }
  await f.live.nodeAdded({ id, port, dataDir: `n${id}`, joined: true });
  f.live.say('add', `adding n${id} at 127.0.0.1:${port}: every node learns its address, then it starts empty and waits to be added`, {
    node: id,
    outcome: { code: 'adding', node: id, port } satisfies Outcome,
  });
  await Promise.all(
    f
      .members()
      .filter((n) => n.id !== id)
      .map((n) => f.tell(n.id, { op: 'add-peer', peer: id, host: '127.0.0.1', port })),
  );
  await f.start(id);

  const index = await propose(f, { type: 'add-learner', node: id }, f.electionWaitMs()).catch((err: unknown) => {
    throw new ClusterError(
      `n${id} started but could not be added as a learner: ${err instanceof Error ? err.message : String(err)}${stays('add', id)}`,
    );
  });
  f.live.say('add', `n${id} joins as a learner (entry ${index}): it receives the log but does not vote`, {
    node: id,
    index,
    outcome: { code: 'learner', node: id, index } satisfies Outcome,
  });
  return { id, port, index };
}

/**
 * Waits until the learner holds every committed entry (and at least entry `from`), telling its
 * progress as `op` events; then proposes its promotion to voter and waits for that to commit.
 * Resolves with the promotion's entry.
 */
async function promoteLearner(f: Fleet, id: NodeId, op: 'add' | 'promote', from: number): Promise<number> {
  const fix = stays(op, id);
  const me = f.live.node(id)!;
  const target = (): number => f.leader()?.raft?.commit ?? Infinity;
  const progress = setInterval(() => {
    const holds = me.raft?.lastIndex ?? 0;
    const of = target();
    f.live.say(op, `n${id} is catching up: it holds ${holds} of ${of} committed entries`, {
      node: id,
      outcome: { code: 'catching-up', node: id, holds, of: Number.isFinite(of) ? of : null } satisfies Outcome,
    });
  }, 1000);
  const caughtUp = await f.live
    .until(() => (me.raft?.lastIndex ?? 0) >= Math.max(from, target()), CATCH_UP_MS)
    .finally(() => clearInterval(progress));
  if (!caughtUp)
    throw new ClusterError(
      `n${id} has not caught up after ${CATCH_UP_MS / 1000} s (it holds ${me.raft?.lastIndex ?? 0} of ${target()} entries)${op === 'add' ? ', so it stays a learner' : ''}${fix}`,
    );

  const promotedAt = await propose(f, { type: 'promote', node: id }, f.electionWaitMs()).catch((err: unknown) => {
    throw new ClusterError(`n${id} caught up but could not be promoted: ${err instanceof Error ? err.message : String(err)}${fix}`);
  });
  await committed(f, promotedAt, (voters) => voters.includes(id), `promoting n${id}`);
  return promotedAt;
}

/**
 * A new node: it joins as a learner, catches up and is promoted to voter; with `learner`, it stops
 * once the node has joined as a learner (it catches up on its own; `promote` makes it a voter).
 */
export async function addNode(f: Fleet, learner = false): Promise<Done> {
  const { id, port, index } = await joinAsLearner(f);
  if (learner)
    return {
      text: `added n${id} at 127.0.0.1:${port} as a learner (entry ${index}): it receives the log but does not vote; \`raft-console promote ${id}\` makes it a voter once it has caught up`,
      data: { node: id, port },
      outcome: { code: 'added-learner', node: id, port, index },
    };
  const promotedAt = await promoteLearner(f, id, 'add', index);
  const voters = f.membership().voters.length;
  return {
    text: `added n${id} at 127.0.0.1:${port}: joined as a learner, caught up, promoted to voter (entry ${promotedAt}); ${votersNow(voters)}`,
    data: { node: id, port },
    outcome: { code: 'added', node: id, port, index: promotedAt, voters },
  };
}

/** A learner (`add --learner`) becomes a voter: once it has caught up, its promotion is proposed and committed. */
export async function promoteNode(f: Fleet, id: NodeId): Promise<Done> {
  checkPromotable(
    f,
    id,
    `: it is in no configuration, as its joining did not go through (\`raft-console remove ${id}\` takes it out, \`raft-console add --learner\` adds a new one)`,
  );
  const at = await promoteLearner(f, id, 'promote', 0);
  const count = f.membership().voters.length;
  return {
    text: `promoted n${id} to voter (entry ${at}); ${votersNow(count)}`,
    data: { node: id },
    outcome: { code: 'promoted', node: id, index: at, voters: count },
  };
}

export async function removeNode(f: Fleet, id: NodeId): Promise<Done> {
  const node = checkRemovable(f, id);
  const before = f.membership();
  const inConfig = before.voters.includes(id) || before.learners.includes(id);
  const wasLeader = f.leader()?.id === id;
  let note = `n${id} was not in the configuration`;
  let committedAt = 0;
  if (inConfig) {
    const at = await propose(f, { type: 'remove', node: id }, f.electionWaitMs());
    f.live.say('remove', `removing n${id} (entry ${at}): it is stopped once the change commits`, {
      node: id,
      index: at,
      outcome: { code: 'removing', node: id, index: at } satisfies Outcome,
    });
    committedAt = at;
    await committed(f, at, (voters, learners) => !voters.includes(id) && !learners.includes(id), `removing n${id}`);
    note = `the change committed at entry ${at}${wasLeader ? `; n${id} led until then and handed over` : ''}`;
  }
  if (f.isLive(node)) await f.stop(id);
  const touched = new Set(f.live.model.links.filter((l) => l.from === id || l.to === id).flatMap((l) => [l.from, l.to]));
  await f.live.nodeRemoved(id);
  const links = f.live.model.links;
  await Promise.all(
    f.members().map(async (n) => {
      await f.tell(n.id, { op: 'remove-peer', peer: id });
      if (touched.has(n.id)) await f.tell(n.id, { op: 'faults', ...filterFor(n.id, links) });
    }),
  );
  const voters = f.membership().voters.length;
  return {
    text: `removed n${id}: ${note}; n${id} is stopped; ${votersNow(voters)}`,
    data: { node: id },
    outcome: { code: 'removed', node: id, index: committedAt, wasLeader, voters },
  };
}
