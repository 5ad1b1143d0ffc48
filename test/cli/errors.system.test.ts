// What a user can get wrong, through the built binary: each mistake exits 2 (the command line is
// wrong), 1 (the world is not as the command expects) or 3 (no such cluster is running), with one
// line on stderr that names the cause and the fix, and nothing on stdout.
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cli, type Run } from './helpers.js';

let cli: Cli;
const servers: Server[] = [];

beforeAll(async () => {
  cli = await Cli.create();
});

afterAll(async () => {
  for (const s of servers) s.close();
  await cli.cleanup();
});

/** The command failed with `code`, printed nothing on stdout, and its stderr starts with `line`. */
function failed(r: Run, code: number, line: string | RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  if (typeof line === 'string') expect(r.stderr.split('\n')[0]).toBe(line);
  else expect(r.stderr.split('\n')[0]).toMatch(line);
}

describe.concurrent('usage errors exit 2', () => {
  test.each([
    [['up', '99'], /the number of nodes must be a whole number from 1 to 15, got "99"/],
    [['up', '--name', 'a/b'], /a cluster name is 1-64 letters, digits, dots, dashes or underscores/],
    [['up', '--speed', 'warp'], /argument 'warp' is invalid. Allowed choices are slow, normal, fast/],
    [['up', '--speed', 'fast', '--heartbeat', '20'], /option '--speed <preset>' cannot be used with option '--heartbeat <ms>'/],
    [['up', '--election-timeout', '300'], /--election-timeout must be a range of milliseconds min-max, got "300" \(e.g. 150-300\)/],
    [['kill'], /missing required argument 'id'/],
    [['kill', 'x'], /a node id must be a whole number 1 or more, got "x" \(e.g. 3\)/],
    [['kill', '2', '2'], /n2 is listed twice/],
    [['partition', '1,,2', '3'], /malformed partition spec "1,,2": a partition spec is groups of node ids/],
    [['partition', '1,2', '2,3'], /malformed partition spec "2,3": n2 is listed twice/],
    [['partition', '1 2|x'], /malformed partition spec "1 2\|x"/],
    [['link', '1', '2', '--drop', '1.5'], /--drop must be a probability from 0 to 1 or a percentage, got "1.5"/],
    [['submit'], /missing required argument 'text'/],
    [['submit', 'x', '--timeout', '0'], /--timeout must be from 1 ms, got "0" \(e\.g\. 200, 500ms or 2s\)/],
    [['submit', 'x', '--timeout', 'soon'], /--timeout must be a time in milliseconds, or with a unit, got "soon"/],
    [['log', '1', '--from', 'a'], /--from must be a whole number 0 or more, got "a"/],
    [['bogus'], /unknown command 'bogus'/],
    [['statsu'], "error: unknown command 'statsu' (Did you mean status?) (see --help)"],
    [['sim', '--seeds', '0'], /--seeds must be a whole number from 1 to 10000000, got "0" \(e.g. 2000\)/],
    [['events', '--kind', 'raf'], /no event kind "raf" \(did you mean raft\?\): the kinds are raft, transport/],
    [
      ['config', 'get', 'nods'],
      'raft-console config get: there is no setting "nods" (did you mean nodes?): the settings are nodes, speed, base-port, data-folder, language, recording-cap',
    ],
    [
      ['config', 'set', 'colour', 'red'],
      'raft-console config set: there is no setting "colour": the settings are nodes, speed, base-port, data-folder, language, recording-cap',
    ],
    [['config', 'set', 'nodes', '40'], 'raft-console config set: nodes must be a whole number from 1 to 15, got "40"'],
    [['config', 'set', 'language', 'fr'], 'raft-console config set: language must be one of en, zh, got "fr"'],
  ])('raft-console %j', async (args, line) => {
    failed(await cli.run(...args), 2, line);
  });

  test('link without a fault to set', async () => {
    failed(
      await cli.run('link', '1', '2'),
      2,
      'raft-console link: say what to do to the link: --drop P (1 cuts it), --delay MS, or both; `raft-console heal` removes every fault',
    );
  });
});

describe.concurrent('no such cluster running exits 3 and says how to start one', () => {
  test.each([['status'], ['submit', 'x'], ['kill', '1'], ['partition', '1', '2'], ['events'], ['log', '1'], ['down']])(
    'raft-console %j',
    async (...args) => {
      failed(
        await cli.run(...args, '--name', 'nothing'),
        3,
        `raft-console ${args[0]}: no cluster named nothing is running: start one with \`raft-console up --name nothing\``,
      );
    },
  );
});

test('an etcd cluster whose binary is missing does not start, says how to install it, and down --purge clears what the attempt left', async () => {
  failed(
    await cli.run('up', '3', '--detach', '--engine', 'etcd', '--etcd-bin', '/nonexistent/etcd', '--name', 'no-etcd'),
    1,
    /^raft-console up: no etcd at \/nonexistent\/etcd: give the path of the etcd binary with --etcd-bin, or install it \(`sudo apt-get install etcd-server`/,
  );
  expect((await cli.run('down', '--purge', '--name', 'no-etcd')).code).toBe(0);
});

describe('with a running one-node cluster', () => {
  beforeAll(async () => {
    await cli.up('solo', '1');
  });

  test('a second `up` with the same name exits 1, naming the running one', async () => {
    const { supervisorPid } = await cli.status('solo');
    for (const args of [['up', '--detach'], ['up']]) {
      failed(
        await cli.run(...args, '--name', 'solo'),
        1,
        `raft-console up: a cluster named solo is already running (pid ${supervisorPid}): use --name for another, or run \`raft-console down\``,
      );
    }
  });

  test('an unknown node id exits 1, listing the nodes there are', async () => {
    failed(await cli.run('kill', '7', '--name', 'solo'), 1, 'raft-console kill: no node 7: nodes are 1');
    failed(
      await cli.run('submit', 'x', '--via', '7', '--name', 'solo'),
      1,
      'raft-console submit: no node 7 in the cluster solo: its nodes are 1',
    );
    failed(await cli.run('log', '7', '--name', 'solo'), 1, 'raft-console log: no node 7 in the cluster solo: its nodes are 1');
  });

  test('the folder of another cluster as --data-dir exits 1', async () => {
    const { folder } = await cli.status('solo');
    failed(
      await cli.run('up', '--detach', '--name', 'intruder', '--data-dir', folder),
      1,
      `raft-console up: ${folder} is the folder of the cluster named solo, not intruder: add \`--name solo\` to start that one, or give another --data-dir for a new cluster`,
    );
  });

  test('dashboard without a terminal: exit 1, pointing at events and status', async () => {
    failed(
      await cli.run('dashboard', '--name', 'solo'),
      1,
      /^raft-console dashboard: the dashboard needs a terminal \(stdin and stdout a TTY, CI unset\): here, watch with `raft-console events --follow --name solo`/,
    );
  });
});

test('a port in use exits 1, naming the port and the process that holds it', async () => {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const r = await cli.run('up', '3', '--detach', '--name', 'busy', '--base-port', String(port));
  failed(
    r,
    1,
    new RegExp(
      `^raft-console up: port ${port} is already in use by pid ${process.pid} \\(.*\\): pick another --base-port, or stop what uses it$`,
    ),
  );
});

test('config set, get, list and reset', async () => {
  expect(await cli.ok('config', 'get', 'nodes')).toBe('5\n');
  expect(await cli.ok('config', 'set', 'nodes', '3')).toBe('nodes = 3\n');
  expect(await cli.ok('config', 'set', 'data-folder', 'relative/here')).toBe(`data-folder = ${join(process.cwd(), 'relative/here')}\n`);
  const list = JSON.parse(await cli.ok('config', 'list', '--json')) as Record<string, unknown>;
  expect(list).toEqual({
    nodes: 3,
    speed: 'normal',
    'base-port': 'auto',
    'data-folder': join(process.cwd(), 'relative/here'),
    language: 'en',
    'recording-cap': 64,
  });
  expect(await cli.ok('config', 'reset')).toBe('reset nodes, speed, base-port, data-folder, language, recording-cap to the defaults\n');
  expect(JSON.parse(await cli.ok('config', 'get', 'data-folder', '--json'))).toEqual({
    key: 'data-folder',
    value: join(cli.home, 'state', 'raft-console'),
  });
});
