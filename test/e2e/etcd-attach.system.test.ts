// `raft-console dashboard --etcd`: the built CLI, in a real terminal (tmux), attached to etcd
// clusters the test starts itself, outside raft-console, as an operator's cluster elsewhere would
// be. Three members: the dashboard shows them and their leader; the leader is SIGKILLed and the
// new leader of a later term appears while the killed member shows unreachable; a transfer is
// refused read-only and works with --allow-changes. One member with TLS and client certificates:
// attached with --cacert, --cert and --key it shows; without the CA, one line names the TLS failure.
// One member with authentication on: --user asks for the password; a wrong one fails in one line.
// Members listen on ports free when they start (etcd-remote.ts). etcd and tmux are required in CI; elsewhere the test is skipped without them.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { makeCertificates } from '../transport/tls-certs.js';
import { RemoteEtcd, skipWithoutEtcd } from './etcd-remote.js';
import { headerLeader, paneForTests, skipWithoutTmux } from './tmux.js';

const skip = skipWithoutEtcd || skipWithoutTmux;
if (skip) console.warn('etcd-attach.system.test.ts skipped: etcd or tmux is not installed (in CI both are required)');

const tests = paneForTests('etcd-attach.system.test.ts');
const clusters: RemoteEtcd[] = [];
afterAll(async () => {
  for (const c of clusters.splice(0)) await c.stop();
});

/** The visible screen as text. */
const screen = (): Promise<string> => tests.pane().capture();

/** The pane from the start of its history, each line as printed (-J: not as the 100 columns wrap it). */
const history = (): Promise<string> => tests.pane().capture('-J', '-S', '-');

const onScreen = <T>(what: string, parse: (text: string) => T | undefined, timeoutMs?: number): Promise<T> =>
  tests.pane().until(what, screen, parse, timeoutMs);

/** The process column of node `id`'s row in the node table. */
function processOf(text: string, id: number): string | undefined {
  return new RegExp(`^[▸ ] n${id}\\s+(\\S+ \\S+)`, 'm').exec(text)?.[1];
}

/**
 * Starts `raft-console <args>` in a fresh pane (the one before, if any, closed). A session that
 * stays keeps the tmux server up between them: a server that exits with its last session can still
 * take the next one's connection and lose its screen.
 */
async function open(args: string): Promise<void> {
  await tests
    .pane()
    .tmux('has-session', '-t', 'keep')
    .catch(() => tests.pane().tmux('new-session', '-d', '-s', 'keep', 'sleep 600'));
  await tests
    .pane()
    .tmux('kill-session', '-t', 't')
    .catch(() => undefined);
  await tests.pane().start(100, 30, args);
}

/** Types a `:` command and resolves with the result line it leads to. */
async function command(line: string, expected: RegExp): Promise<string> {
  await tests.pane().press(':');
  await tests.pane().press('-l', line);
  await tests.pane().press('Enter');
  return onScreen(`the result of :${line} (${String(expected)})`, (text) => expected.exec(text)?.[0], 15_000);
}

describe.skipIf(skip)('dashboard --etcd on an etcd cluster raft-console does not run', () => {
  test('shows the members and their leader, a new leader after the leader is killed with the killed member unreachable; transfer only with --allow-changes', async () => {
    const etcd = await RemoteEtcd.start({ members: 3 });
    clusters.push(etcd);

    await open(`dashboard --etcd ${etcd.endpoints}`);
    const first = await onScreen('three members running and a leader in the header', (text) => {
      const h = headerLeader(text);
      return h !== undefined && [1, 2, 3].every((id) => processOf(text, id) === '● running') ? h : undefined;
    });
    expect(await screen()).toContain(`n${first.id} leads term ${first.term} (observed)`);

    // Members are numbered by name: n1 is a, n2 b, n3 c.
    etcd.kill(etcd.members[first.id - 1]!.name);
    const second = await onScreen(`a leader other than n${first.id} in a term after ${first.term}, n${first.id} unreachable`, (text) => {
      const h = headerLeader(text);
      return h !== undefined && h.id !== first.id && h.term > first.term && processOf(text, first.id)?.startsWith('? unreach') === true
        ? h
        : undefined;
    });
    expect(await screen()).toContain(`n${first.id} stopped answering`);

    const other = [1, 2, 3].find((id) => id !== first.id && id !== second.id)!;
    await command(`transfer ${other}`, /attached read-only: `transfer` changes the cluster/);
    expect(headerLeader(await screen())?.id).toBe(second.id);

    await tests.pane().press('q');
    // The line names the first endpoint given: a's client address.
    const detached = new RegExp(
      `detached from etcd at ${etcd.members[0]!.clientUrl.replace(/^http:\/\//, '').replaceAll('.', '\\.')}, which keeps running[\\s\\S]*\\[exited with 0\\]`,
    );
    await tests
      .pane()
      .until('the dashboard to close, leaving the cluster running', history, (text) => (detached.test(text) ? true : undefined));

    await open(`dashboard --etcd ${etcd.endpoints} --allow-changes`);
    await onScreen(`n${second.id} leading`, (text) => (headerLeader(text)?.id === second.id ? true : undefined));
    await command(`transfer ${other}`, new RegExp(`leadership moved from n${second.id} to n${other}`));
    await onScreen(`n${other} leading in the header`, (text) => (headerLeader(text)?.id === other ? true : undefined));
    await tests.pane().press('q');
    await onScreen('the dashboard to close', (text) => (text.includes('[exited with 0]') ? true : undefined));
  });

  test('over TLS with client certificates: attached with --cacert, --cert and --key; without the CA, one line names the TLS failure', async () => {
    const certs = makeCertificates('etcdattach');
    const pem = {
      ca: readFileSync(certs.paths.ca, 'utf8'),
      cert: readFileSync(certs.paths.cert, 'utf8'),
      key: readFileSync(certs.paths.key, 'utf8'),
    };
    const etcd = await RemoteEtcd.start({ members: 1, tls: certs.paths }, pem);
    clusters.push(etcd);
    const url = etcd.members[0]!.clientUrl;
    expect(url).toMatch(/^https:/);

    await open(`dashboard --etcd ${url} --cacert ${certs.paths.ca} --cert ${certs.paths.cert} --key ${certs.paths.key}`);
    await onScreen('the member running and leading', (text) =>
      headerLeader(text)?.id === 1 && processOf(text, 1) === '● running' ? true : undefined,
    );
    await tests.pane().press('q');
    await onScreen('the dashboard to close', (text) => (text.includes('[exited with 0]') ? true : undefined));

    await open(`dashboard --etcd ${url} --cert ${certs.paths.cert} --key ${certs.paths.key}`);
    const failure = await tests
      .pane()
      .until('the attach to fail', history, (text) =>
        text.includes('[exited') ? /^raft-console dashboard: .*$/m.exec(text)?.[0] : undefined,
      );
    expect(failure).toContain(`the TLS handshake with ${url} failed`);
    expect(failure).toContain('--cacert');
    expect(await screen()).toContain('[exited with 1]');
  });

  test('with authentication on: --user without a password asks for it without echo; a wrong password fails in one line', async () => {
    const etcd = await RemoteEtcd.start({ members: 1 });
    clusters.push(etcd);
    const url = etcd.members[0]!.clientUrl;
    // As `etcdctl user add root`, `user grant-role root root`, `auth enable` would, through the JSON gateway.
    for (const [path, body] of [
      ['role/add', { name: 'root' }],
      ['user/add', { name: 'root', password: 'sesame' }],
      ['user/grant', { user: 'root', role: 'root' }],
      ['enable', {}],
    ] as const) {
      const res = await fetch(`${url}/v3/auth/${path}`, { method: 'POST', body: JSON.stringify(body) });
      expect(res.status, `auth/${path}`).toBe(200);
    }

    await open(`dashboard --etcd ${url} --user root`);
    await onScreen('the password asked for', (text) => (text.includes('password for root:') ? true : undefined));
    await tests.pane().press('-l', 'sesame');
    await onScreen('the password typed, not shown', (text) =>
      /password for root:\s*$/m.test(text) && !text.includes('sesame') ? true : undefined,
    );
    await tests.pane().press('Enter');
    await onScreen('the member running and leading', (text) =>
      headerLeader(text)?.id === 1 && processOf(text, 1) === '● running' ? true : undefined,
    );
    await tests.pane().press('q');
    await onScreen('the dashboard to close', (text) => (text.includes('[exited with 0]') ? true : undefined));

    await open(`dashboard --etcd ${url} --user root:wrong`);
    const failure = await tests
      .pane()
      .until('the attach to fail', history, (text) =>
        text.includes('[exited') ? /^raft-console dashboard: .*$/m.exec(text)?.[0] : undefined,
      );
    expect(failure).toContain('authentication failed');
    expect(failure).toContain('--user name:password');
    expect(await screen()).toContain('[exited with 1]');
  });
});
