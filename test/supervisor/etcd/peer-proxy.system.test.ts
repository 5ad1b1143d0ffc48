// Three real etcd 3.4 members, each advertising its peer URL on a PeerProxy: the proxies' link
// faults act on etcd's raft as a network's would. Nine ports free when the file loads (freePorts,
// below the ephemeral range: no clash with a parallel test's); data under a temporary folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LinkFaultModel } from '../../../src/cluster-model/model.js';
import { EtcdGateway, type EtcdStatus } from '../../../src/etcd/gateway.js';
import type { NodeId } from '../../../src/raft/types.js';
import { Random } from '../../../src/sim/random.js';
import { linkOf } from '../../../src/supervisor/links.js';
import { PeerProxy, type PeerLinkStats } from '../../../src/supervisor/etcd/peer-proxy.js';
import { freePorts } from '../../../src/supervisor/ports.js';
import { COSTLY_PROBE, waitFor } from '../../support/wait.js';

const NODES: NodeId[] = [1, 2, 3];
// Node id's client, peer and proxy ports: ports[3(id - 1)], the next and the one after.
const ports = await freePorts(3 * NODES.length);
const clientPort = (id: NodeId): number => ports[3 * (id - 1)]!;
const peerPort = (id: NodeId): number => ports[3 * (id - 1) + 1]!;
const proxyPort = (id: NodeId): number => ports[3 * (id - 1) + 2]!;
const endpoint = (id: NodeId): string => `http://127.0.0.1:${clientPort(id)}`;

const found = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
if (found.error !== undefined || found.status !== 0)
  throw new Error(
    'etcd is not on PATH: these tests run real etcd 3.4 members; install it with `sudo apt-get install -y etcd-server etcd-client`',
  );

const folder = mkdtempSync(join(tmpdir(), 'etcdproxy-system-'));
const members: ChildProcess[] = [];
const proxies = new Map<NodeId, PeerProxy>();
const nodeOfHex = new Map<string, NodeId>();
const hexOf = new Map<NodeId, string>();
const gateway = new EtcdGateway({ endpoints: NODES.map(endpoint), timeoutMs: 10_000 });

function startMember(id: NodeId): ChildProcess {
  const cluster = NODES.map((n) => `n${n}=http://127.0.0.1:${proxyPort(n)}`).join(',');
  const log = openSync(join(folder, `n${id}.log`), 'a');
  // prettier-ignore
  const child = spawn('etcd', [
    '--name', `n${id}`, '--data-dir', join(folder, `n${id}`),
    '--listen-client-urls', endpoint(id), '--advertise-client-urls', endpoint(id),
    '--listen-peer-urls', `http://127.0.0.1:${peerPort(id)}`,
    // Peers dial the proxy, never the member itself.
    '--initial-advertise-peer-urls', `http://127.0.0.1:${proxyPort(id)}`,
    '--initial-cluster', cluster, '--initial-cluster-token', `etcdproxy-${folder}`,
    '--heartbeat-interval', '30', '--election-timeout', '150', '--pre-vote',
    '--logger', 'zap', '--log-outputs', 'stderr',
  ], { stdio: ['ignore', log, log] });
  return child;
}

function setLinks(links: LinkFaultModel[]): void {
  for (const p of proxies.values()) p.setLinks(links);
}

const cut = (from: NodeId, to: NodeId, fault: Partial<LinkFaultModel>): LinkFaultModel => ({ ...linkOf([], from, to), ...fault });

/** Every link to and from `id` blocked. */
const isolation = (id: NodeId): LinkFaultModel[] =>
  NODES.filter((n) => n !== id).flatMap((n) => [cut(id, n, { blocked: true }), cut(n, id, { blocked: true })]);

const status = (id: NodeId): Promise<EtcdStatus> => gateway.status(endpoint(id));
const statuses = (ids: NodeId[]): Promise<EtcdStatus[]> => Promise.all(ids.map(status));

/** The node every member names as its leader, once they all name the same one; undefined before. */
async function agreedLeader(ids: NodeId[] = NODES): Promise<{ leader: NodeId; term: number } | undefined> {
  const all = await statuses(ids);
  const first = all[0];
  if (first?.leader == null) return undefined;
  if (!all.every((s) => s.leader === first.leader && s.raftTerm === first.raftTerm)) return undefined;
  const leader = nodeOfHex.get(first.leader);
  return leader === undefined ? undefined : { leader, term: first.raftTerm };
}

/** All members name one leader and hold the same commit index. */
async function converged(): Promise<{ leader: NodeId; term: number } | undefined> {
  const agreed = await agreedLeader();
  if (agreed === undefined) return undefined;
  const all = await statuses(NODES);
  return all.every((s) => s.raftIndex === all[0]?.raftIndex) ? agreed : undefined;
}

async function timedPut(id: NodeId, key: string): Promise<number> {
  const t0 = performance.now();
  await gateway.put(key, 'v'.repeat(100), endpoint(id));
  return performance.now() - t0;
}

/** A link's counters, added up over the proxies (a stream's counts are at its sender's, a post's at its receiver's). */
function linkStats(from: NodeId, to: NodeId): Omit<PeerLinkStats, 'from' | 'to'> {
  const sum = { forwarded: 0, refused: 0, dropped: 0, delayed: 0, cut: 0 };
  for (const l of [...proxies.values()].flatMap((p) => p.stats().links))
    if (l.from === from && l.to === to) for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += l[k];
  return sum;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

beforeAll(async () => {
  const seed = 42;
  for (const id of NODES)
    proxies.set(
      id,
      await PeerProxy.start({
        member: id,
        listenPort: proxyPort(id),
        targetPort: peerPort(id),
        senderOf: (hex) => nodeOfHex.get(hex) ?? null,
        random: new Random(seed, 'loss', id).asFunction(),
      }),
    );
  for (const id of NODES) members.push(startMember(id));
  const list = await waitFor('the member list', () => gateway.members(), COSTLY_PROBE);
  for (const m of list) {
    const id = Number(m.name.slice(1));
    nodeOfHex.set(m.id, id);
    hexOf.set(id, m.id);
  }
  expect(nodeOfHex.size).toBe(3);
  await waitFor('one leader', converged, COSTLY_PROBE);
});

// A test that fails mid-fault leaves the network healed for the next.
afterEach(() => setLinks([]));

afterAll(async () => {
  for (const m of members) m.kill('SIGKILL');
  await Promise.all(
    members.map((m) => (m.exitCode !== null || m.signalCode !== null ? Promise.resolve() : new Promise((r) => m.once('exit', r)))),
  );
  await Promise.all([...proxies.values()].map((p) => p.close()));
  gateway.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('etcd members behind peer proxies', () => {
  it('elect a new leader in a higher term when the leader is isolated, and the old one steps down', async () => {
    const times: number[] = [];
    for (let run = 0; run < 3; run++) {
      const before = await waitFor('one leader', converged, COSTLY_PROBE);
      const others = NODES.filter((n) => n !== before.leader);
      const t0 = performance.now();
      setLinks(isolation(before.leader));
      // etcd's status reports as raftTerm the term of the last entry applied, so a new leader's term
      // shows once its first entry is applied.
      const after = await waitFor(
        'a new leader in a higher term among the others',
        async () => {
          const a = await agreedLeader(others);
          return a !== undefined && a.leader !== before.leader && a.term > before.term ? a : undefined;
        },
        { intervalMs: 10 },
      );
      times.push(Math.round(performance.now() - t0));
      await timedPut(others[0] ?? 0, `isolated-${run}`);

      // CheckQuorum: the old leader hears from no majority and steps down.
      await waitFor('the old leader to step down', async () =>
        (await status(before.leader)).leader !== hexOf.get(before.leader) ? true : undefined,
      );

      // PreVote: back in touch, the old leader cannot win a pre-vote, so it does not unseat the new one.
      setLinks([]);
      const healed = await waitFor('one leader and the same commit everywhere', converged, COSTLY_PROBE);
      expect(healed).toEqual(after);
    }
    const refused = [...proxies.values()].flatMap((p) => p.stats().links).reduce((n, l) => n + l.refused + l.cut, 0);
    expect(refused).toBeGreaterThan(0);
    console.log(`time to a new leader after isolating the leader: ${times.join(', ')} ms`);
  });

  it('keeps the leader when it cannot reach one follower, and that follower catches up on heal', async () => {
    const { leader, term } = await waitFor('one leader', converged, COSTLY_PROBE);
    const [follower, other] = NODES.filter((n) => n !== leader) as [NodeId, NodeId];
    setLinks([cut(leader, follower, { blocked: true })]);
    // The follower's pre-votes reach the others, which still hear the leader and refuse them.
    const lost = await waitFor(
      'the follower to lose its leader',
      async () => ((await status(follower)).leader === null ? true : undefined),
      COSTLY_PROBE,
    );
    expect(lost).toBe(true);
    for (let i = 0; i < 5; i++) await timedPut(leader, `one-way-${i}`);
    const [l, f, o] = await statuses([leader, follower, other]);
    expect(l?.raftTerm).toBe(term);
    expect(o?.leader).toBe(hexOf.get(leader));
    expect(f?.raftIndex).toBeLessThan(l?.raftIndex ?? 0);

    setLinks([]);
    const healed = await waitFor('the follower caught up', converged, COSTLY_PROBE);
    expect(healed).toEqual({ leader, term });
  });

  it('slows puts by a delay on the links from the leader, while heartbeats keep it leading', async () => {
    const { leader, term } = await waitFor('one leader', converged, COSTLY_PROBE);
    const followers = NODES.filter((n) => n !== leader);
    const baseline: number[] = [];
    for (let i = 0; i < 20; i++) baseline.push(await timedPut(leader, `fast-${i}`));

    setLinks(followers.map((f) => cut(leader, f, { delayMs: 100 })));
    const delayed: number[] = [];
    for (let i = 0; i < 20; i++) delayed.push(await timedPut(leader, `slow-${i}`));
    const [l, ...f] = await statuses([leader, ...followers]);
    expect(l?.raftTerm).toBe(term);
    for (const s of f) expect(s.leader).toBe(hexOf.get(leader));
    expect(median(delayed)).toBeGreaterThanOrEqual(100);
    expect(median(baseline)).toBeLessThan(100);
    // Stream writes are held at the leader's proxy (the followers dialed it), pipeline posts at the follower's.
    const held = followers.map((to) => linkStats(leader, to).delayed);
    for (const n of held) expect(n).toBeGreaterThan(20);
    console.log(
      `put latency, median of 20 through the leader (${delayed.map(Math.round).join(' ')}): ${median(baseline).toFixed(1)} ms healthy, ${median(delayed).toFixed(1)} ms with 100 ms on the links from the leader; messages delayed: ${held.join(', ')}`,
    );

    setLinks([]);
    await waitFor('healed', converged, COSTLY_PROBE);
  });

  it('keeps a follower behind a lossy link up to date over the pipeline, with the losses counted', async () => {
    const { leader, term } = await waitFor('one leader', converged, COSTLY_PROBE);
    const [follower] = NODES.filter((n) => n !== leader) as [NodeId];
    // Loss on one link only: with both lossy, heartbeats lost while etcd turns from its streams to
    // the pipeline can start an election, and a put caught in it waits out etcd's 5 s request timeout.
    setLinks([cut(leader, follower, { loss: 0.25 })]);
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) latencies.push(await timedPut(leader, `lossy-${i}`));
    // Raft sends again what was lost: the follower reaches the leader's commit without a heal.
    expect(await waitFor('the lossy follower caught up', converged, COSTLY_PROBE)).toEqual({ leader, term });
    const lost = await waitFor('a message lost', () => {
      const l = linkStats(leader, follower);
      return l.dropped > 0 ? l : undefined;
    });
    console.log(
      `put latency, median of 20 through the leader with 25% loss to one follower: ${median(latencies).toFixed(1)} ms; lost ${lost.dropped} of ${lost.dropped + lost.forwarded} messages, refused ${lost.refused} stream dials`,
    );
  });
});
