// `raft-console node` with input a user can get wrong: it exits at once with code 1 (the world is
// not as the command expects) or 2 (the command line is wrong), and one line on stderr that says
// what and how to fix it. No stack trace, no event stream pretending it started.
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/supervisor/ports.js';
import { secretFile, tempDir } from './cluster.js';
import { NodeProcess, checkBuild } from './node-process.js';

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function args(overrides: Record<string, string> = {}): Promise<string[]> {
  const flags: Record<string, string> = {
    '--id': '1',
    '--cluster-id': 'cli-test',
    '--secret-file': await secretFile(),
    '--data-dir': await tempDir(),
    '--listen': '127.0.0.1:0',
    ...overrides,
  };
  // An override of '' leaves the flag out.
  return Object.entries(flags)
    .filter(([, v]) => v !== '')
    .flat();
}

/** A secret file with `content` and `mode`. */
async function secretWith(content: string, mode: number): Promise<string> {
  const path = join(await tempDir(), 'secret');
  await writeFile(path, content, { mode });
  return path;
}

/** Runs the node to its exit; returns the exit code, the one line it printed on stderr, and its "fatal" events on stdout. */
async function failing(argv: string[]): Promise<{ code: number | null; line: string; fatal: unknown[] }> {
  await checkBuild();
  const node = NodeProcess.spawn(argv);
  const { code } = await node.ended();
  const lines = node.stderr.trimEnd().split('\n');
  expect(lines, node.stderr).toHaveLength(1);
  expect(node.events.filter((e) => e.type === 'started')).toEqual([]);
  return { code, line: lines[0]!, fatal: node.events.filter((e) => e.type === 'fatal') };
}

describe('raft-console node refuses bad input with one clear line', () => {
  it('a port already in use: exit 1, naming the port', async () => {
    const server = createServer();
    servers.push(server);
    const [port] = await freePorts(1);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const { code, line, fatal } = await failing(await args({ '--listen': `127.0.0.1:${port}` }));
    expect(code).toBe(1);
    expect(line).toMatch(new RegExp(`^raft-console node 1: port ${port} on 127\\.0\\.0\\.1 is already in use: pick another --listen port`));
    // The same cause on stdout, for the supervisor: a code for programs, the line for people.
    expect(fatal).toEqual([
      expect.objectContaining({ kind: 'node', code: 'port-in-use', reason: line.replace('raft-console node 1: ', '') }),
    ]);
  });

  it('a data directory of another cluster: exit 1, naming both clusters', async () => {
    const dataDir = await tempDir();
    const first = NodeProcess.spawn(await args({ '--data-dir': dataDir, '--cluster-id': 'first-cluster' }));
    await first.waitFor('the first node to start', (e) => e.type === 'started');
    await first.kill();
    const { code, line, fatal } = await failing(await args({ '--data-dir': dataDir, '--cluster-id': 'second-cluster' }));
    expect(code).toBe(1);
    expect(fatal).toEqual([expect.objectContaining({ code: 'data-dir' })]);
    expect(line).toContain(dataDir);
    expect(line).toContain('first-cluster');
    expect(line).toContain('second-cluster');
  });

  it('a directory that is not a data directory: exit 1', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    const { code, line } = await failing(await args({ '--data-dir': dir }));
    expect(code).toBe(1);
    expect(line).toContain(`${dir} is not empty and has no identity.json`);
  });

  it.each([
    ['2=127.0.0.1', '--peers entry "2=127.0.0.1": port must be a whole number'],
    ['2=:7002', '--peers entry "2=:7002": needs a host'],
    ['127.0.0.1:7002', 'must be id=host:port'],
    ['2=127.0.0.1:7002,,3=127.0.0.1:7003', 'must be id=host:port'],
    ['x=127.0.0.1:7002', '--peers id must be a whole number'],
    ['2=127.0.0.1:99999', '--peers entry "2=127.0.0.1:99999": port must be at most 65535'],
    ['1=127.0.0.1:7002', 'which is this node'],
    ['2=127.0.0.1:7002,2=127.0.0.1:7003', 'lists n2 twice'],
  ])('malformed --peers %s: exit 2', async (peers, why) => {
    const { code, line } = await failing(await args({ '--peers': peers }));
    expect(code).toBe(2);
    expect(line).toMatch(/^raft-console node: /);
    expect(line).toContain(why);
  });

  it.each([
    [
      'a secret file others may read',
      async () => ({ '--secret-file': await secretWith(`${'ab'.repeat(32)}\n`, 0o644) }),
      /may be read by other users \(mode 0644\): run `chmod 600 .*secret`/,
    ],
    ['an empty secret file', async () => ({ '--secret-file': await secretWith('', 0o600) }), /holds no secret: it is empty/],
    [
      'a short secret',
      async () => ({ '--secret-file': await secretWith('abcd\n', 0o600) }),
      /must hold 64 hex digits \(32 bytes\), it holds 4/,
    ],
    [
      'no secret file at all',
      async () => ({ '--secret-file': await tempDir().then((d) => join(d, 'none')) }),
      /cannot read secret file .*none: ENOENT/,
    ],
    ['no --secret-file', async () => ({ '--secret-file': '' }), /--secret-file is required: .* --insecure-no-auth runs without one/],
    [
      'an address other machines reach, without TLS',
      async () => ({ '--listen': '0.0.0.0:0' }),
      /--listen 0\.0\.0\.0:0 is reachable from other machines.*--unsafe-listen-without-tls/,
    ],
  ])('%s: exit 2, with the fix', async (_, overrides, why) => {
    const { code, line } = await failing(await args(await overrides()));
    expect(code).toBe(2);
    expect(line).toMatch(/^raft-console node: /);
    expect(line).toMatch(why);
  });
});
