// The etcd engine: a local etcd cluster run by the supervisor (EtcdFleet), and the actions on it.
// Process and network faults and transfer are actions.ts's, as for raft-console; membership
// changes go through etcd's member API (a new member joins as a learner, is started with the
// cluster it joins, and is promoted once etcd says it has caught up); what etcd has no API for
// (starting an election, replacing a member's data, a new tick length while running) is refused
// with the reason and what to do instead.
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterError } from '../../cluster-model/errors.js';
import type { Outcome } from '../../cluster-model/outcome.js';
import { EtcdError, saysLearnerBehind, saysUnhealthy } from '../../etcd/errors.js';
import type { EtcdGateway } from '../../etcd/gateway.js';
import type { NodeId } from '../../raft/types.js';
import { checkPromotable, checkRemovable, votersNow, type Done } from '../actions.js';
import { engineOf, type Engine } from '../engine.js';
import { freePorts } from '../ports.js';
import { etcdFailure, type EtcdFleet } from './fleet.js';
import { advertisedPeerUrl, memberName, type EtcdMemberSetup } from './setup.js';

/** How long a new learner may take to catch up before its promotion is given up. */
const CATCH_UP_MS = 30_000;

/**
 * Why etcd cannot do an action raft-console can, and what to do instead: the actions of ETCD_CANNOT
 * (engine-ops.ts, which the dashboard reads), step mode's standing for all of its own.
 */
export const UNSUPPORTED = {
  campaign: 'etcd has no API to start an election on demand: `raft-console transfer <id>` hands leadership to a member, or kill the leader',
  replace:
    'etcd has no recovery mode for a member whose data is lost: `raft-console remove <id>` then `raft-console add` gives the cluster a new, empty member',
  step: "etcd's members keep their own clocks and send to each other directly: raft-console cannot freeze them or hold their messages one by one; step mode works on raft-console's own nodes (`up` without --engine etcd)",
  speed:
    'etcd reads its heartbeat and election timeout only when a member starts: `raft-console down`, then `raft-console up --speed <preset>` restarts every member at that speed',
} as const;

function unsupported(op: keyof typeof UNSUPPORTED): Promise<never> {
  return Promise.reject(
    new ClusterError(
      `an etcd cluster cannot ${op === 'speed' ? 'change speed while it runs' : op === 'step' ? 'run in step mode' : op}: ${UNSUPPORTED[op]}`,
      {
        code: 'engine-unsupported',
        op,
        engine: 'etcd',
        remote: false,
      },
    ),
  );
}

export function etcdEngine(fleet: EtcdFleet): Engine {
  return engineOf(fleet, {
    add: (learner) => addMember(fleet, learner),
    promote: (id) => promoteMember(fleet, id),
    remove: (id) => removeMember(fleet, id),
    replace: () => unsupported('replace'),
    campaign: () => unsupported('campaign'),
    speed: () => unsupported('speed'),
    step: () => unsupported('step'),
  });
}

/**
 * etcd checks a membership change against the cluster's health (--strict-reconfig-check, on by
 * default): it refuses one ("unhealthy cluster", "not enough started members") until its leader
 * has been connected to every voter for 5 s, so just after a member (re)started. Asked again
 * until it takes it, for a while; then its refusal is the answer, with what it means.
 */
async function untilHealthy<T>(f: EtcdFleet, op: string, what: string, call: (g: EtcdGateway) => Promise<T>): Promise<T> {
  const until = Date.now() + HEALTHY_WAIT_MS;
  for (let told = false; ;) {
    const gateway = f.gateway();
    try {
      return await call(gateway);
    } catch (err) {
      const unhealthy = err instanceof EtcdError && saysUnhealthy(err.problem);
      if (!unhealthy) throw etcdFailure(op, err, what);
      if (Date.now() >= until)
        throw etcdFailure(
          op,
          err,
          `${what} (etcd changes its membership only once its leader has been connected to every voter for 5 s: restart or resume the members that are down, heal the network, and try again)`,
        );
      if (!told) f.live.say(op, `etcd waits to change its membership until its leader has been connected to every voter for 5 s`);
      told = true;
    } finally {
      gateway.close();
    }
    await sleep(250);
  }
}

/** How long a membership change waits for etcd to call the cluster healthy: its 5 s, and some. */
const HEALTHY_WAIT_MS = 8000;

/** What a failure after the member has started leaves behind, and the commands that deal with it. */
function stays(id: NodeId): string {
  return `; it stays in the cluster as a learner: \`raft-console promote ${id}\` tries again, \`raft-console remove ${id}\` takes it out`;
}

async function addMember(f: EtcdFleet, learner: boolean): Promise<Done> {
  f.binary();
  await f.awaitLeader();
  const id = Math.max(0, ...f.live.file().nodes.map((n) => n.id)) + 1;
  const [clientPort, peerPort, proxyPort] = (await freePorts(3)) as [number, number, number];
  const setup: EtcdMemberSetup = { clientPort, peerPort, proxyPort, memberId: null, initialCluster: null };
  const peerUrl = advertisedPeerUrl(setup);
  await f.openProxy(id, setup);
  const added = await untilHealthy(f, 'add', `etcd did not add n${id} as a learner`, (g) => g.addMember([peerUrl], true)).catch(
    (err: unknown) => {
      f.closeProxy(id);
      throw err;
    },
  );
  // As etcdctl prints it for a new member: every member's name and peer URLs, the new one named.
  const name = (m: { id: string; name: string }): string =>
    m.id === added.id ? memberName(id) : m.name !== '' ? m.name : memberName(f.idOf(m.id) ?? 0);
  const initialCluster = added.members.flatMap((m) => m.peerUrls.map((u) => `${name(m)}=${u}`)).join(',');
  f.learnId(added.id, id);
  await f.live.nodeAdded({
    id,
    port: clientPort,
    dataDir: memberName(id),
    joined: true,
    etcd: { ...setup, memberId: added.id, initialCluster },
  });
  f.live.etcdMemberChanged(id, { memberId: added.id, learner: true });
  f.live.say('add', `etcd added n${id} (member ${added.id}) as a learner at ${peerUrl}: starting it empty, to join the cluster`, {
    node: id,
    outcome: { code: 'adding', node: id, port: clientPort } satisfies Outcome,
  });
  try {
    await f.start(id);
  } catch (err) {
    throw new ClusterError(`${(err as Error).message}${stays(id)}`, err instanceof ClusterError ? err.problem : { code: 'failed' });
  }
  if (learner)
    return {
      text: `added n${id} at 127.0.0.1:${clientPort} as a learner: it receives the log but does not vote; \`raft-console promote ${id}\` makes it a voter once it has caught up`,
      data: { node: id, port: clientPort },
      outcome: { code: 'added-learner', node: id, port: clientPort, index: 0 },
    };
  await promote(f, id);
  const voters = f.membership().voters.length;
  return {
    text: `added n${id} at 127.0.0.1:${clientPort}: joined as a learner, caught up, promoted to voter; ${votersNow(voters)}`,
    data: { node: id, port: clientPort },
    outcome: { code: 'added', node: id, port: clientPort, index: 0, voters },
  };
}

/** etcd promotes a learner only once it is in sync with the leader: asked again until it is, or CATCH_UP_MS. */
async function promote(f: EtcdFleet, id: NodeId): Promise<void> {
  const hex = f.memberIdOf(id);
  if (hex === null) throw new ClusterError(`n${id} has no etcd member id yet: wait until it has started${stays(id)}`);
  const until = Date.now() + CATCH_UP_MS;
  for (let told = 0; ;) {
    const gateway = f.gateway();
    try {
      await gateway.promoteMember(hex);
      break;
    } catch (err) {
      const behind = err instanceof EtcdError && saysLearnerBehind(err.problem);
      if (!behind || Date.now() >= until)
        throw etcdFailure('promote', err, `n${id} could not be promoted${behind ? ` within ${CATCH_UP_MS / 1000} s` : ''}${stays(id)}`);
      if (Date.now() - told >= 1000) {
        told = Date.now();
        f.live.say('promote', `n${id} is catching up: etcd promotes a learner once it is in sync with the leader`, { node: id });
      }
    } finally {
      gateway.close();
    }
    await sleep(Math.max(50, f.timing.heartbeatMs * 2));
  }
  const ok = await f.live.until(() => f.membership().voters.includes(id), f.electionWaitMs());
  if (!ok) throw new ClusterError(`etcd accepted promoting n${id}, but no member reports it a voter yet: check \`raft-console status\``);
}

async function promoteMember(f: EtcdFleet, id: NodeId): Promise<Done> {
  checkPromotable(f, id, ` etcd knows: \`raft-console remove ${id}\` takes it out, \`raft-console add --learner\` adds a new one`);
  await promote(f, id);
  const count = f.membership().voters.length;
  return {
    text: `promoted n${id} to voter; ${votersNow(count)}`,
    data: { node: id },
    outcome: { code: 'promoted', node: id, index: 0, voters: count },
  };
}

async function removeMember(f: EtcdFleet, id: NodeId): Promise<Done> {
  const node = checkRemovable(f, id);
  const before = f.membership();
  const wasLeader = f.leader()?.id === id;
  const hex = f.memberIdOf(id);
  const listed = hex !== null && (f.listed().some((m) => m.id === hex) || before.voters.includes(id) || before.learners.includes(id));
  let note = `n${id} was not a member etcd knows`;
  if (listed) {
    // etcd stops a member once it learns it was removed: that exit is the one asked for.
    f.expectExit(id);
    await untilHealthy(f, 'remove', `etcd did not remove n${id}`, (g) => g.removeMember(hex));
    const gone = await f.live.until(() => {
      const m = f.membership();
      return !m.voters.includes(id) && !m.learners.includes(id);
    }, f.electionWaitMs());
    note = gone
      ? `etcd removed member ${hex}${wasLeader ? `; n${id} led until then and handed over` : ''}`
      : `etcd accepted removing member ${hex}`;
  }
  if (f.isLive(node)) await f.stop(id);
  await f.live.nodeRemoved(id);
  f.closeProxy(id);
  f.setProxyLinks();
  const voters = f.membership().voters.length;
  return {
    text: `removed n${id}: ${note}; n${id} is stopped; ${votersNow(voters)}`,
    data: { node: id },
    outcome: { code: 'removed', node: id, index: 0, wasLeader, voters },
  };
}
