// A follower that lost its data, through real processes: wiped and then `replace`d, or restored from
// an older copy of its own data directory and restarted. Either way it is recognised (the supervisor
// keeps what each node had on disk outside its data directory), it starts in recovering mode, it is
// back in sync within seconds, the leader does not loop on its rejections, and writes keep
// committing meanwhile.
import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cli, type Status } from './helpers.js';

const NAME = 'replace';
let cli: Cli;

beforeAll(async () => {
  cli = await Cli.create();
  await cli.up(NAME, '3');
}, 60_000);

afterAll(async () => {
  await cli.cleanup();
});

async function puts(prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await cli.ok('put', `${prefix}${i}`, `${i}`, '--name', NAME);
}

/** The follower, once every node follows one leader and holds its whole log. */
async function inSync(): Promise<{ status: Status; leader: number; follower: number }> {
  const { status, leader } = await cli.settled(NAME, (s, l) =>
    s.nodes.every(
      (n) => n.process.state === 'running' && n.raft !== null && n.raft.commit === l.raft!.commit && n.raft.lastIndex === l.raft!.lastIndex,
    ),
  );
  return { status, leader: leader.id, follower: status.nodes.find((n) => n.id !== leader.id)!.id };
}

async function history(): Promise<Array<{ node: number | null; type: string; text: string }>> {
  const lines = (await cli.ok('events', '--json', '--name', NAME)).trim().split('\n');
  return lines.map((l) => JSON.parse(l) as { node: number | null; type: string; text: string });
}

/** The follower's rejections of the leader's appends, in the supervisor's event history. */
async function rejections(node: number): Promise<number> {
  return (await history()).filter((e) => e.node === node && e.type === 'append-rejected').length;
}

describe('a follower that lost its data', () => {
  test('wiped: `replace` starts it empty in recovering mode and it is back in sync within seconds', async () => {
    await puts('a', 3);
    const { status, follower } = await inSync();
    const dataDir = status.nodes.find((n) => n.id === follower)!.dataDir;
    await cli.ok('kill', String(follower), '--name', NAME);
    await rm(dataDir, { recursive: true, force: true });

    const started = Date.now();
    const out = JSON.parse(await cli.ok('replace', String(follower), '--json', '--name', NAME)) as {
      ok: boolean;
      text: string;
      data: { movedTo: string | null; caughtUp: boolean; untilIndex: number };
    };
    expect(out.ok).toBe(true);
    expect(out.data.caughtUp).toBe(true);
    expect(out.data.movedTo).toBeNull(); // nothing left to move aside
    expect(out.text).toMatch(
      new RegExp(`^replaced n${follower}: it had no data directory; it started empty and caught up to entry ${out.data.untilIndex} in `),
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    // Writes commit with the others up, and the replaced node holds them.
    await puts('b', 2);
    await inSync();
    const recognised = (await history()).filter((e) => e.node === follower && e.type === 'recovering');
    expect(recognised.at(-1)?.text).toMatch(
      new RegExp(
        `^n${follower} lost data: .*; until it has caught up to entry ${out.data.untilIndex} in a term above \\d+, it does not campaign`,
      ),
    );
    // The leader sent the log again instead of looping on the rejections (about 11,600 a second before).
    expect(await rejections(follower)).toBeLessThan(20);
    expect((await cli.status(NAME)).safety.ok).toBe(true);
  }, 60_000);

  test('`replace` keeps a damaged data directory aside and says where', async () => {
    const { status, follower } = await inSync();
    const dataDir = status.nodes.find((n) => n.id === follower)!.dataDir;
    const out = JSON.parse(await cli.ok('replace', String(follower), '--json', '--name', NAME)) as {
      text: string;
      data: { movedTo: string };
    };
    expect(out.data.movedTo.startsWith(`${dataDir}.replaced-`)).toBe(true);
    expect(existsSync(`${out.data.movedTo}/identity.json`)).toBe(true);
    expect(out.text).toContain(`its old data directory is kept in ${out.data.movedTo}`);
    await inSync();
  }, 60_000);

  test('restored from an older copy: recognised at restart, recovering until caught up, back in sync', async () => {
    const { status, follower } = await inSync();
    const dataDir = status.nodes.find((n) => n.id === follower)!.dataDir;
    await cli.ok('stop', String(follower), '--name', NAME);
    const copy = `${dataDir}.copy`;
    await cp(dataDir, copy, { recursive: true });
    await cli.ok('restart', String(follower), '--name', NAME);
    await puts('c', 4);
    await inSync();
    await cli.ok('kill', String(follower), '--name', NAME);
    await rm(dataDir, { recursive: true, force: true });
    await cp(copy, dataDir, { recursive: true });

    await cli.ok('restart', String(follower), '--name', NAME);
    const since = Date.now();
    const { leader } = await inSync();
    expect(Date.now() - since).toBeLessThan(15_000);
    const events = await history();
    const recognised = events.filter((e) => e.node === follower && e.type === 'recovering');
    expect(recognised.at(-1)?.text).toMatch(
      new RegExp(
        `^n${follower} lost data: its data directory holds term \\d+ and entries up to \\d+, but it had reached term \\d+ and commit \\d+`,
      ),
    );
    expect(
      events.some(
        (e) => e.node === leader && e.type === 'follower-lost-data' && e.text.startsWith(`n${follower} no longer has entries up to`),
      ),
    ).toBe(true);
    // The mode stays on disk until the node has caught up in a term above the one it may have
    // voted in; then it ends, saying so.
    const ended = events.some((e) => e.node === follower && e.type === 'recovery-finished');
    expect(ended || existsSync(`${dataDir}/recovery.json`)).toBe(true);
    await puts('d', 1);
    await inSync();
    expect(await rejections(follower)).toBeLessThan(40);
    expect((await cli.status(NAME)).safety.ok).toBe(true);
  }, 90_000);
});
