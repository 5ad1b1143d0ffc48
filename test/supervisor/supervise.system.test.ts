// The supervisor as a process of its own (the `supervise` entry point, as `up --detach` runs it):
// one supervisor per name, no orphans after a SIGKILL, the same cluster again on the next start,
// and `down --purge` through the control API.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ControlClient } from '../../src/cluster-model/control-client.js';
import type { ReadyLine } from '../../src/supervisor/supervise-main.js';
import type { SupervisorOptions } from '../../src/cluster-model/launcher.js';
import { purgeCluster, startSupervisor } from '../../src/supervisor/supervisor.js';
import { waitFor } from '../support/wait.js';
import { alive, builtModule, settledLeader, tempStateHome } from './helpers.js';

const children: ChildProcessWithoutNullStreams[] = [];
const nodePids = new Set<number>();
let stateHome: string;

beforeAll(async () => {
  stateHome = await tempStateHome();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(children.map(exited));
  // Nodes of a supervisor killed by a failing test need a moment to notice.
  await waitFor('the nodes to exit', () => [...nodePids].every((pid) => !alive(pid)), { timeoutMs: 2000 }).catch(() => undefined);
  for (const pid of nodePids) expect(alive(pid), `node pid ${pid} outlived its supervisor`).toBe(false);
  await rm(stateHome, { recursive: true, force: true });
});

/** Starts `supervise` in a child process and waits for its ready line. */
async function superviseChild(options: SupervisorOptions): Promise<{ child: ChildProcessWithoutNullStreams; ready: ReadyLine }> {
  const code =
    'const { supervise } = await import(process.env.RC_MODULE); process.exitCode = await supervise(JSON.parse(process.env.RC_OPTIONS));';
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...process.env, RC_MODULE: builtModule('supervisor/supervise-main.js'), RC_OPTIONS: JSON.stringify(options) },
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line) as ReadyLine));
    child.once('exit', (code) => reject(new Error(`the supervisor exited (${code}) before it was ready: ${stderr}`)));
  });
  return { child, ready };
}

const exited = (c: ChildProcessWithoutNullStreams): Promise<number | null> =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve(c.exitCode)
    : new Promise((resolve) => c.once('exit', (code) => resolve(code)));

describe('the supervise entry point', () => {
  let clusterId: string;

  test('a second supervisor for the same name is refused while the first lives', async () => {
    const { ready } = await superviseChild({ name: 'solo' });
    clusterId = ready.clusterId;
    await expect(startSupervisor({ name: 'solo' })).rejects.toThrow(
      `a cluster named solo is already running (pid ${ready.supervisorPid}): use --name for another, or run \`raft-console down\``,
    );
    await expect(purgeCluster({ name: 'solo' })).rejects.toThrow(`a cluster named solo is already running (pid ${ready.supervisorPid})`);
  });

  test('SIGKILL the supervisor: every node process is gone within a second', async () => {
    const client = await ControlClient.connect({ name: 'solo' });
    await waitFor('a leader', () => settledLeader(client.model));
    const pids = client.model.nodes.map((n) => n.process.pid!);
    expect(pids).toHaveLength(3);
    for (const pid of pids) nodePids.add(pid);
    expect(pids.every(alive)).toBe(true);
    const closed = new Promise<string>((resolve) => client.onGone(resolve));

    const supervisor = children[0]!;
    supervisor.kill('SIGKILL');
    await exited(supervisor);
    const killedAt = Date.now();
    await waitFor('the nodes to exit', () => pids.every((pid) => !alive(pid)), { timeoutMs: 1000 });
    expect(Date.now() - killedAt).toBeLessThan(1000);
    expect(await closed).toBe('the supervisor closed the connection');
    await expect(ControlClient.connect({ name: 'solo' })).rejects.toThrow(
      /^no cluster named solo is running \(its supervisor, pid \d+, is gone\): start one with `raft-console up --name solo`$/,
    );
  });

  test('started again, it is the same cluster; `down --purge` stops it and deletes its folder', async () => {
    const { child, ready } = await superviseChild({ name: 'solo' });
    expect(ready.clusterId).toBe(clusterId);
    const client = await ControlClient.connect({ name: 'solo' });
    for (const n of client.model.nodes) if (n.process.pid !== null) nodePids.add(n.process.pid);
    const leader = await waitFor('a leader', () => settledLeader(client.model));
    // Its log survived: the terms went on from where they were.
    expect(leader.raft!.term).toBeGreaterThan(1);
    const r = await client.act({ op: 'down', purge: true });
    expect(r).toEqual({
      ok: true,
      text: `stopped the cluster solo (3 nodes) and deleted ${ready.folder}`,
      outcome: { code: 'down', name: 'solo', nodes: 3, purged: true, folder: ready.folder },
    });
    expect(await exited(child)).toBe(0);
    expect(existsSync(ready.folder)).toBe(false);
    await expect(ControlClient.connect({ name: 'solo' })).rejects.toThrow(
      'no cluster named solo is running: start one with `raft-console up --name solo`',
    );
    expect(await purgeCluster({ name: 'solo' })).toBeNull();
  });

  test('Ctrl-C (SIGINT) stops the nodes cleanly and removes the control files', async () => {
    const { child, ready } = await superviseChild({ name: 'ctrl-c', nodes: 1 });
    const client = await ControlClient.connect({ name: 'ctrl-c' });
    const leader = await waitFor('the single node to lead', () => settledLeader(client.model));
    nodePids.add(leader.process.pid!);
    const closed = new Promise<string>((resolve) => client.onGone(resolve));
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
    expect(await closed).toBe('the supervisor is shutting down');
    expect(client.model.nodes[0]!.process.state).toBe('stopped');
    expect(alive(leader.process.pid!)).toBe(false);
    expect(existsSync(join(ready.folder, 'control.json'))).toBe(false);
    expect(existsSync(join(ready.folder, 'cluster.json'))).toBe(true);
  });
});
