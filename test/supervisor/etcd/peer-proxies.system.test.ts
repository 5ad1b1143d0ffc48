// The peer proxies in their worker thread (peer-proxies.ts, peer-proxy-worker.ts), in front of a
// plain HTTP server standing in for a member's peer listener: what PeerProxy does is tested in
// peer-proxy.test.ts; here, that it is reached across the thread. vitest runs src/, and the worker
// runs the build (dist/supervisor/etcd/peer-proxy-worker.js): a system test (run `npm run build` first).
import { existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { ClusterError } from '../../../src/cluster-model/errors.js';
import type { LinkFaultModel } from '../../../src/cluster-model/model.js';
import { MAX_RESTARTS, PeerProxies } from '../../../src/supervisor/etcd/peer-proxies.js';
import { linkOf } from '../../../src/supervisor/links.js';
import { waitFor } from '../../support/wait.js';

const WORKER = new URL('../../../dist/supervisor/etcd/peer-proxy-worker.js', import.meta.url);
if (!existsSync(WORKER)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');

const N2 = 'aa02';
const blocked: LinkFaultModel = { ...linkOf([], 2, 1), blocked: true };

let member: Server;
let memberPort: number;

beforeAll(async () => {
  member = createServer((req, res) => {
    req.resume();
    res.writeHead(req.method === 'POST' ? 204 : 200).end();
  });
  await new Promise<void>((resolve) => member.listen(0, '127.0.0.1', resolve));
  memberPort = (member.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => member.close(() => resolve())));

/** The status a request to the proxy gets; 'refused' when nothing listens. */
function send(port: number, method: string, path: string, from?: string): Promise<number | 'refused'> {
  return new Promise((resolve) => {
    const headers = from === undefined ? {} : { 'x-server-from': from };
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve('refused'));
    req.end();
  });
}

const failures: { text: string; data: Record<string, unknown> }[] = [];
let proxies: PeerProxies;

afterEach(async () => {
  await proxies.close();
  failures.length = 0;
});

const open = (): PeerProxies => (proxies = new PeerProxies({ onFailure: (text, data) => failures.push({ text, data }) }));

/** Stops the worker as a failure would. */
const crash = (p: PeerProxies): Promise<number> => (p as unknown as { worker: Worker }).worker.terminate();

describe('PeerProxies', () => {
  it('runs a proxy in the worker: it forwards, applies the faults and senders it is sent, and counts', async () => {
    const p = open();
    p.setSenders(new Map([[N2, 2]]));
    const proxy = await p.start({ member: 1, listenPort: 0, targetPort: memberPort });
    expect(proxy.port).toBeGreaterThan(0);
    expect(await send(proxy.port, 'GET', '/version')).toBe(200);
    expect(await send(proxy.port, 'POST', '/raft', N2)).toBe(204);
    proxy.setLinks([blocked]);
    // Answered after the links message: the worker reads its messages in order.
    await proxy.stats();
    expect(await send(proxy.port, 'POST', '/raft', N2)).toBe(503);
    expect(await proxy.stats()).toEqual({
      links: [{ from: 2, to: 1, forwarded: 1, refused: 1, dropped: 0, delayed: 0, cut: 0 }],
      unidentified: 1,
      upstreamFailed: 0,
    });
  });

  it('fails a start on a busy port with a ClusterError coded port-in-use, naming the holder', async () => {
    const p = open();
    const first = await p.start({ member: 1, listenPort: 0, targetPort: memberPort });
    const err = await p.start({ member: 2, listenPort: first.port, targetPort: memberPort }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).message).toContain(`the peer proxy of n2 did not start: port ${first.port} is already in use`);
    expect((err as ClusterError).problem).toEqual({
      code: 'port-in-use',
      port: first.port,
      owner: expect.stringContaining(`pid ${process.pid}`) as string,
    });
  });

  it('closes its proxies and ends the worker', async () => {
    const p = open();
    const proxy = await p.start({ member: 1, listenPort: 0, targetPort: memberPort });
    const worker = (p as unknown as { worker: Worker }).worker;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await p.close();
    await exited;
    expect(await send(proxy.port, 'GET', '/version')).toBe('refused');
    await expect(p.start({ member: 2, listenPort: 0, targetPort: memberPort })).rejects.toMatchObject({
      problem: { code: 'shutting-down' },
    });
  });

  it('starts a worker that stopped again, with its proxies on their ports, faults and senders; and tells', async () => {
    const p = open();
    p.setSenders(new Map([[N2, 2]]));
    const proxy = await p.start({ member: 1, listenPort: 0, targetPort: memberPort });
    proxy.setLinks([blocked]);
    await crash(p);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.text).toMatch(
      /^the peer proxies' thread stopped \(it exited with code 1\): started again, with the proxies of n1 on their ports/,
    );
    expect(failures[0]!.data).toMatchObject({ ok: false, restarts: 1 });
    await waitFor('the proxy back on its port', async () => (await send(proxy.port, 'GET', '/version')) === 200);
    expect(await send(proxy.port, 'POST', '/raft', N2)).toBe(503);
    expect((await proxy.stats()).links).toEqual([{ from: 2, to: 1, forwarded: 0, refused: 1, dropped: 0, delayed: 0, cut: 0 }]);
  });

  it(`gives up after ${MAX_RESTARTS} restarts and says so`, async () => {
    const p = open();
    const proxy = await p.start({ member: 1, listenPort: 0, targetPort: memberPort });
    for (let i = 0; i <= MAX_RESTARTS; i++) {
      await waitFor('a worker', () => (p as unknown as { worker: Worker | null }).worker !== null);
      await crash(p);
    }
    expect(failures.map((f) => f.data.restarts)).toEqual([1, 2, 3, 3]);
    expect(failures.at(-1)!.text).toContain('was not started again (3 restarts already): the members no longer reach each other');
    expect(await send(proxy.port, 'GET', '/version')).toBe('refused');
    await expect(p.start({ member: 2, listenPort: 0, targetPort: memberPort })).rejects.toThrow('was not started again');
  });
});
