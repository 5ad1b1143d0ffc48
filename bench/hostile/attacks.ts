// The attacks of the hostile-input bench (hostile.ts), each against a fresh 3-node cluster, as a
// local user without the cluster secret could make them (and, for the control API and node stdin,
// as one with the user's files could): forged peer traffic, JSON nested 100,000 deep on every port,
// garbage, huge length prefixes, unfinished frames, idle connections, floods of requests. Each
// returns what it sent and what the node answered; hostile.ts checks the cluster's health after it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { RaftClient } from '../../src/client/index.js';
import { encodeCommand } from '../../src/kv/index.js';
import { encodeSnapshot } from '../../src/kv/snapshot.js';
import type { Random } from '../../src/sim/random.js';
import { exited, trackChild, waitFor } from '../children.js';
import type { CliCluster, StatusJson } from '../cli-cluster.js';
import { BIN } from '../repo.js';
import { clusterSecret } from '../../src/cluster-model/index.js';
import { messageText } from '../../src/cluster-model/control-protocol.js';
import { clusterClient, fileDescriptors } from './probe.js';
import { answers, exchange, exchangeAs, HeldConnections, jsonFrame, nested, rawFrame, tally, type Credentials } from '../wire.js';

/** Raft's largest term the schema lets through today: 2^53-1. */
const MAX_TERM = Number.MAX_SAFE_INTEGER;
/** The node's default maxFrameBytes (PROTOCOL.md 1.3). */
const MAX_FRAME = 8 * 1024 * 1024;

export interface AttackOptions {
  depth: number;
  partialConnections: number;
  idleConnections: number;
  /** The open-file limit the idle-connections attack's cluster starts under (prlimit); 0: the machine's. */
  nofile: number;
}

type Node = StatusJson['nodes'][number];

export interface AttackContext {
  cli: CliCluster;
  status: StatusJson;
  leader: Node;
  /** A follower, and the other node (a follower too in a 3-node cluster). */
  follower: Node;
  other: Node;
  client: RaftClient;
  rng: Random;
  o: AttackOptions;
}

export interface AttackOutcome {
  sent: string;
  answer: string;
  /** Connections the attack still holds: released after the health check, which runs during them. */
  release?: () => void;
  notes?: string[];
  /** A process the attack itself saw die (one outside the cluster's status, e.g. the stdin probe). */
  crashed?: string;
}

export interface Attack {
  name: string;
  /** Starts its cluster under the --nofile open-file limit. */
  underFileLimit?: boolean;
  run(ctx: AttackContext): Promise<AttackOutcome>;
}

const raft = (n: Node): NonNullable<Node['raft']> => {
  if (n.raft === null) throw new Error(`n${n.id} has not reported its state yet`);
  return n.raft;
};

/** An outsider's credentials: a key of its own, never the cluster secret (its proof is wrong). */
const outsider = (ctx: AttackContext, kind: Credentials['kind'], from: number): Credentials => ({
  clusterId: ctx.status.clusterId,
  kind,
  from,
  secret: randomBytes(32),
});

/** A member's or a legitimate client's credentials: with the cluster secret. */
const member = (ctx: AttackContext, kind: Credentials['kind'], from: number): Credentials => ({
  clusterId: ctx.status.clusterId,
  kind,
  from,
  secret: clusterSecret(ctx.status.folder),
});

/** Sends `frames` after the handshake as `c`: what the node answered. */
async function send(to: Node, c: Credentials, frames: Buffer[], waitMs = 2000): Promise<string> {
  return answers(await exchangeAs(to.address, c, frames, waitMs)).join(', ');
}

/** A peer connection claiming to be node `from`, without the secret: the hello, then `messages`. */
const forgedPeer = (ctx: AttackContext, to: Node, from: number, messages: Buffer[], waitMs = 2000): Promise<string> =>
  send(to, outsider(ctx, 'peer', from), messages, waitMs);

const forgedSnapshot = (ctx: AttackContext, voters: number[]): Buffer => {
  const f = raft(ctx.follower);
  const index = f.lastIndex + 1000;
  const data = encodeSnapshot({
    appliedIndex: index,
    digest: null,
    maxSessions: 1000,
    submitted: 0,
    data: [['forged', 'snapshot']],
    sessions: [],
  });
  return jsonFrame({
    type: 'snapshot',
    from: ctx.leader.id,
    to: ctx.follower.id,
    term: f.term,
    snapshot: { meta: { index, term: f.term, membership: { voters, learners: [] } }, data },
  });
};

const termMax = (name: string, target: (ctx: AttackContext) => { to: Node; from: Node; message: Record<string, unknown> }): Attack => ({
  name,
  async run(ctx) {
    const { to, from, message } = target(ctx);
    const body = { ...message, from: from.id, to: to.id, term: MAX_TERM };
    const answer = await forgedPeer(ctx, to, from.id, [jsonFrame(body)]);
    return { sent: `to n${to.id} posing as n${from.id}: ${JSON.stringify(body)}`, answer };
  },
});

export const ATTACKS: Attack[] = [
  {
    name: 'forged peer hello',
    async run(ctx) {
      const answer = await forgedPeer(ctx, ctx.follower, ctx.leader.id, [], 1000);
      return { sent: `peer hello to n${ctx.follower.id} claiming to be the leader n${ctx.leader.id}, no secret`, answer };
    },
  },
  {
    name: "forged append at a follower's tail",
    async run(ctx) {
      const f = raft(ctx.follower);
      const index = f.lastIndex + 1;
      const data = encodeCommand({ op: 'put', clientId: 'forger', seq: 1, key: 'forged', value: 'by-an-attacker' });
      const append = {
        type: 'append',
        from: ctx.leader.id,
        to: ctx.follower.id,
        term: f.term,
        prevLogIndex: f.lastIndex,
        prevLogTerm: f.lastTerm,
        entries: [{ type: 'normal', term: f.term, index, data }],
        leaderCommit: index,
      };
      const answer = await forgedPeer(ctx, ctx.follower, ctx.leader.id, [jsonFrame(append)]);
      return { sent: `append of a forged put at n${ctx.follower.id}'s index ${index} (term ${f.term}), committed by leaderCommit`, answer };
    },
  },
  {
    name: 'forged snapshot',
    async run(ctx) {
      const voters = ctx.status.nodes.map((n) => n.id);
      const answer = await forgedPeer(ctx, ctx.follower, ctx.leader.id, [forgedSnapshot(ctx, voters)]);
      return { sent: `snapshot to n${ctx.follower.id} at its last index + 1000, holding one forged key`, answer };
    },
  },
  {
    name: 'forged snapshot, one-voter membership',
    async run(ctx) {
      const answer = await forgedPeer(ctx, ctx.follower, ctx.leader.id, [forgedSnapshot(ctx, [ctx.follower.id])]);
      // Two leaders at once: the follower, alone in its forged configuration, elects itself once
      // its election timer fires. Watched for 10 s, through the supervisor's model.
      let leaders = 0;
      await waitFor(
        'two leaders',
        10_000,
        async () => {
          const s = await ctx.cli.status();
          leaders = Math.max(leaders, s.nodes.filter((n) => n.raft?.role === 'leader').length);
          return leaders >= 2 ? true : undefined;
        },
        100,
      ).catch(() => undefined);
      return {
        sent: `snapshot to n${ctx.follower.id} whose membership is n${ctx.follower.id} alone`,
        answer,
        notes: [`most leaders seen at once: ${leaders}`],
      };
    },
  },
  termMax('term 2^53-1 heartbeat', (ctx) => ({ to: ctx.follower, from: ctx.leader, message: { type: 'heartbeat', commit: 0 } })),
  termMax('term 2^53-1 append-response', (ctx) => ({
    to: ctx.leader,
    from: ctx.follower,
    message: { type: 'append-response', success: false, index: 0, conflictTerm: 0, conflictIndex: 0 },
  })),
  termMax('term 2^53-1 transfer vote', (ctx) => ({
    to: ctx.follower,
    from: ctx.other,
    message: { type: 'vote', lastLogIndex: raft(ctx.other).lastIndex, lastLogTerm: raft(ctx.other).lastTerm, transfer: true },
  })),
  {
    name: 'JSON 100,000 deep: client request',
    async run(ctx) {
      const deep = nested(ctx.o.depth);
      const answer = [
        await send(ctx.leader, member(ctx, 'client', 0), [rawFrame(`{"id":1,"type":"get","key":${deep}}`)], 3000),
        await send(ctx.leader, member(ctx, 'client', 0), [rawFrame(deep)], 3000),
      ].join(' / ');
      return {
        sent: `to the leader n${ctx.leader.id}: {"id":1,"type":"get","key":<${ctx.o.depth} deep>} / <${ctx.o.depth} deep> alone`,
        answer,
      };
    },
  },
  {
    name: 'JSON 100,000 deep: peer message',
    async run(ctx) {
      const deep = nested(ctx.o.depth);
      const { id: from } = ctx.leader;
      const { id: to } = ctx.follower;
      const answer = [
        await send(ctx.follower, member(ctx, 'peer', from), [
          rawFrame(`{"type":"heartbeat","from":${from},"to":${to},"term":${deep},"commit":0}`),
        ]),
        await send(ctx.follower, member(ctx, 'peer', from), [rawFrame(deep)]),
      ].join(' / ');
      return {
        sent: `to n${to} posing as n${from}: a heartbeat whose term is <${ctx.o.depth} deep> / <${ctx.o.depth} deep> alone`,
        answer,
      };
    },
  },
  {
    name: 'JSON 100,000 deep: control API, no token',
    async run(ctx) {
      const deep = nested(ctx.o.depth);
      const url = controlUrl(ctx.cli);
      const answer = [await control(url, null, `{"type":"auth","token":${deep}}`), await control(url, null, deep)].join(' / ');
      return { sent: `to the supervisor's WebSocket: {"type":"auth","token":<${ctx.o.depth} deep>} / <${ctx.o.depth} deep> alone`, answer };
    },
  },
  {
    name: 'JSON 100,000 deep: control API, after auth',
    async run(ctx) {
      const deep = nested(ctx.o.depth);
      const url = controlUrl(ctx.cli);
      const token = readFileSync(join(ctx.cli.folder, 'token'), 'utf8').trim();
      const answer = [
        await control(url, token, `{"type":"action","id":1,"action":{"op":"kill","nodes":${deep}}}`),
        await control(url, token, deep),
      ].join(' / ');
      return {
        sent: `with the token: {"type":"action","id":1,"action":{"op":"kill","nodes":<${ctx.o.depth} deep>}} / <${ctx.o.depth} deep> alone`,
        answer,
      };
    },
  },
  {
    name: 'JSON 100,000 deep: node stdin',
    run: (ctx) => deepStdin(ctx.o.depth),
  },
  {
    name: 'poison entry (forged, committed)',
    async run(ctx) {
      const f = raft(ctx.follower);
      const index = f.lastIndex + 1;
      const data = `{"v":1,"op":"put","clientId":"poison","seq":1,"key":${nested(ctx.o.depth)},"value":"x"}`;
      const append = {
        type: 'append',
        from: ctx.leader.id,
        to: ctx.follower.id,
        term: f.term,
        prevLogIndex: f.lastIndex,
        prevLogTerm: f.lastTerm,
        entries: [{ type: 'normal', term: f.term, index, data }],
        leaderCommit: index,
      };
      const answer = await forgedPeer(ctx, ctx.follower, ctx.leader.id, [jsonFrame(append)]);
      // Does it crash, and again at every restart (a poison entry)?
      const notes: string[] = [];
      const crashed = await waitFor(
        'the follower to crash',
        3000,
        async () => ((await ctx.cli.status()).nodes.find((n) => n.id === ctx.follower.id)!.process.state === 'crashed' ? true : undefined),
        100,
      ).catch(() => false);
      if (crashed) {
        const restart = await ctx.cli.run('restart', String(ctx.follower.id));
        const again = await waitFor(
          'the follower to crash again',
          5000,
          async () =>
            (await ctx.cli.status()).nodes.find((n) => n.id === ctx.follower.id)!.process.state === 'crashed' ? true : undefined,
          100,
        ).catch(() => false);
        notes.push(`\`restart ${ctx.follower.id}\` exited ${String(restart.code)}; crashed again after it: ${again ? 'yes' : 'no'}`);
      }
      return {
        sent: `append to n${ctx.follower.id} of an entry whose command has a <${ctx.o.depth} deep> key, committed by leaderCommit`,
        answer,
        notes,
      };
    },
  },
  {
    name: 'random bytes',
    async run(ctx) {
      const seen = new Map<string, number>();
      for (let i = 0; i < 20; i++) {
        const bytes = Buffer.from(Array.from({ length: 64 + i * 200 }, () => ctx.rng.int(0, 255)));
        for (const a of answers(await exchange(ctx.leader.address, [bytes], 2000))) seen.set(a, (seen.get(a) ?? 0) + 1);
      }
      return { sent: `20 connections to the leader n${ctx.leader.id}, 64 to 3864 random bytes each (seeded)`, answer: tally(seen) };
    },
  },
  {
    name: '4 GiB length prefix',
    async run(ctx) {
      const prefix = Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
      const answer = [
        answers(await exchange(ctx.leader.address, [prefix])).join(', '),
        await send(ctx.leader, member(ctx, 'client', 0), [prefix], 3000),
      ].join(' / ');
      return { sent: 'ff ff ff ff then 3 bytes, as the first frame / after a client hello', answer };
    },
  },
  {
    name: 'unfinished 8 MiB frames',
    async run(ctx) {
      const n = ctx.o.partialConnections;
      const header = Buffer.alloc(4);
      header.writeUInt32BE(MAX_FRAME);
      // One body shared by every connection: the bench does not hold 2 GB itself.
      const body = Buffer.alloc(MAX_FRAME - 1, 0x20);
      const held = new HeldConnections();
      await held.open(ctx.leader.address, n, member(ctx, 'client', 0), [header, body]);
      // The frames go out once each handshake is answered.
      await held.settle();
      // Wait until every byte has left this process, or the node has read nothing for 10 s.
      const unsent = (): number => held.sockets.reduce((sum, s) => sum + (s.destroyed ? 0 : s.writableLength), 0);
      let last = unsent();
      let lastMove = performance.now();
      await waitFor(
        'the frames to be sent',
        300_000,
        () => {
          const now = unsent();
          if (now !== last) [last, lastMove] = [now, performance.now()];
          return now === 0 || performance.now() - lastMove > 10_000 ? true : undefined;
        },
        200,
      ).catch(() => undefined);
      const stuck = held.sockets.filter((s) => !s.destroyed && s.writableLength > 0).length;
      return {
        sent: `${n} client connections to the leader n${ctx.leader.id}, each a hello then a ${MAX_FRAME}-byte frame missing its last byte`,
        answer: `first frames back: ${tally(held.answered)}; connections lost: ${tally(held.lost)}; still open: ${held.openCount}; ${stuck} with bytes the node did not read`,
        release: () => held.close(),
      };
    },
  },
  {
    name: 'idle client connections',
    underFileLimit: true,
    async run(ctx) {
      const notes: string[] = [];
      const pid = ctx.leader.process.pid!;
      if (ctx.o.nofile > 0) notes.push(`the cluster started under an open-file limit of ${ctx.o.nofile} (prlimit)`);
      const held = new HeldConnections();
      await held.open(ctx.leader.address, ctx.o.idleConnections, member(ctx, 'client', 0), []);
      await held.settle();
      const fds = fileDescriptors(pid);
      notes.push(`leader's open descriptors ${String(fds.open)} of a limit of ${String(fds.limit)}`);
      return {
        sent: `${ctx.o.idleConnections} client connections to the leader n${ctx.leader.id}, each a hello then nothing`,
        answer: `first frames back: ${tally(held.answered)}; lost: ${tally(held.lost)}; never answered: ${ctx.o.idleConnections - [...held.answered.values(), ...held.lost.values()].reduce((a, b) => a + b, 0)}`,
        release: () => held.close(),
        notes,
      };
    },
  },
];

/** Requests in flight at once on one connection to the leader: every tenth a put (its own session), the rest gets. */
export function inFlight(count: number): Attack {
  return {
    name: `${count.toLocaleString('en')} requests in flight`,
    async run(ctx) {
      const client = clusterClient(ctx.status, { timeoutMs: 60_000, attemptTimeoutMs: 60_000 });
      const outcomes = new Map<string, number>();
      const count1 = (k: string): void => void outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
      const started = performance.now();
      try {
        await Promise.all(
          Array.from({ length: count }, async (_, i) => {
            try {
              if (i % 10 === 0) await client.session(`flood-${i}`).put(`flood-${i}`, 'x', { via: ctx.leader.id });
              else await client.get(`before-${i % 20}`, { via: ctx.leader.id });
              count1('ok');
            } catch (err) {
              count1((err as { code?: string }).code ?? 'error');
            }
          }),
        );
      } finally {
        client.close();
      }
      return {
        sent: `${count} requests at once to the leader n${ctx.leader.id} on one connection (90% get, 10% put)`,
        answer: `${tally(outcomes)} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      };
    },
  };
}

function controlUrl(cli: CliCluster): string {
  return (JSON.parse(readFileSync(join(cli.folder, 'control.json'), 'utf8')) as { url: string }).url;
}

/** Sends `text` on a control-API WebSocket (after authenticating with `token`, if given); what came back. */
function control(url: string, token: string | null, text: string): Promise<string> {
  return new Promise((resolve) => {
    const got: string[] = [];
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      got.push('no close within 3 s');
      ws.terminate();
    }, 3000);
    let authed = token === null;
    ws.on('open', () => (token === null ? ws.send(text) : ws.send(JSON.stringify({ type: 'auth', token }))));
    ws.on('message', (raw) => {
      let m: { type?: string; code?: string };
      try {
        m = JSON.parse(messageText(raw)) as { type?: string; code?: string };
      } catch {
        m = { type: 'unparsed' };
      }
      if (!authed && m.type === 'welcome') {
        authed = true;
        ws.send(text);
        return;
      }
      if (m.type === 'update' || m.type === 'snapshot' || m.type === 'welcome') return;
      got.push(m.type === 'error' ? `error ${String(m.code)}` : String(m.type));
    });
    ws.on('error', (err: NodeJS.ErrnoException) => got.push(err.code ?? err.message));
    ws.on('close', (code) => {
      clearTimeout(timer);
      got.push(`closed ${code}`);
      resolve(got.join(', '));
    });
  });
}

/**
 * Node stdin: the supervisor's pipe to its nodes is not reachable from outside, so the bench
 * starts a one-node cluster of its own with --control-stdin, writes the deep line, then a valid
 * command, and waits for the answer to the valid one (or the exit).
 */
async function deepStdin(depth: number): Promise<AttackOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'raft-console-bench-stdin-'));
  try {
    writeFileSync(join(dir, 'secret'), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const args = [
      BIN,
      'node',
      '--id',
      '1',
      '--cluster-id',
      'stdin-probe',
      '--data-dir',
      join(dir, 'n1'),
      '--secret-file',
      join(dir, 'secret'),
      '--control-stdin',
    ];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdin.on('error', () => undefined);
    await waitFor('the probe node to start', 15_000, () => {
      if (child.exitCode !== null) throw new Error(`the probe node exited: ${stderr.trim()}`);
      return stdout.includes('"type":"started"') ? true : undefined;
    });
    child.stdin.write(`{"id":1,"op":${nested(depth)}}\n${nested(depth)}\n{"id":2,"op":"heal"}\n`);
    const answered = await waitFor('an answer to the valid command', 10_000, () => {
      if (child.exitCode !== null || child.signalCode !== null) return 'exited';
      return /"kind":"control"[^\n]*"id":2|"id":2[^\n]*"kind":"control"/.test(stdout) ? 'answered' : undefined;
    }).catch(() => 'no answer');
    const refusals = stdout.split('\n').filter((l) => l.includes('"kind":"control"') && !l.includes('"id":2')).length;
    const alive = child.exitCode === null && child.signalCode === null;
    const lastError = stderr.split('\n').find((l) => /Error/.test(l)) ?? '';
    child.kill('SIGKILL');
    await exited(child);
    return {
      sent: `to a one-node cluster's stdin (--control-stdin): {"id":1,"op":<${depth} deep>} / <${depth} deep> alone / a valid heal`,
      answer: `${refusals} answer(s) to the deep lines; the valid command: ${answered}; ${alive ? 'still running' : `EXITED: ${lastError}`}`,
      ...(alive ? {} : { crashed: `stdin probe node: ${lastError}` }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
