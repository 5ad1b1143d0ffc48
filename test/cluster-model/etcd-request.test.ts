// The client commands on an etcd cluster, against fake members on loopback sockets that speak the
// four key-value endpoints of etcd's JSON gateway: the request goes to the leader's client URL
// first, the answer tells etcd's revision, and each failure is one line that says what became of it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ETCD_SUBMIT_KEY, sendRequest } from '../../src/cluster-model/commands/client-request.js';
import { ClusterError } from '../../src/cluster-model/errors.js';
import { labelsFor } from '../../src/tui/labels.js';
import { clientRequest } from '../../src/tui/writes.js';
import type { ClusterModel } from '../../src/cluster-model/index.js';
import { etcdModel, etcdNode } from './fixtures.js';

interface Fake {
  url: string;
  /** The paths asked of it, in order. */
  asked: string[];
  server: Server;
}

/** One shared store behind every fake member, as a cluster's members share their state. */
const store = new Map<string, string>();
let revision = 1;
const servers: Server[] = [];

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
const header = (): Record<string, unknown> => ({
  cluster_id: '14841639068965178418',
  member_id: '10276657743932975437',
  revision: String(revision),
  raft_term: '2',
});
const kvs = (key: string): Record<string, unknown> =>
  store.has(key) ? { kvs: [{ key: b64(key), value: b64(store.get(key)!), mod_revision: String(revision) }], count: '1' } : {};

/** A fake member; `hang`: it never answers (a member cut off from the leader). */
async function fakeMember(o: { hang?: boolean; refuse?: string } = {}): Promise<Fake> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      asked.push(req.url ?? '');
      if (o.hang === true) return;
      const send = (status: number, v: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (o.refuse !== undefined) return send(503, { error: o.refuse, message: o.refuse, code: 14 });
      const q = JSON.parse(body) as Record<string, unknown>;
      switch (req.url) {
        case '/v3/kv/put':
          store.set(unb64(q.key as string), unb64(q.value as string));
          revision++;
          return send(200, { header: header() });
        case '/v3/kv/range':
          return send(200, { header: header(), ...kvs(unb64(q.key as string)) });
        case '/v3/kv/deleterange': {
          const key = unb64(q.key as string);
          const had = store.delete(key);
          if (had) revision++;
          return send(200, { header: header(), ...(had ? { deleted: '1' } : {}) });
        }
        case '/v3/kv/txn': {
          const compare = (q.compare as Array<Record<string, string>>)[0]!;
          const key = unb64(compare.key!);
          const holds = compare.target === 'CREATE' ? !store.has(key) : store.get(key) === unb64(compare.value!);
          if (holds) {
            const put = (q.success as Array<{ request_put: { value: string } }>)[0]!.request_put;
            store.set(key, unb64(put.value));
            revision++;
            return send(200, { header: header(), succeeded: true, responses: [{ response_put: { header: header() } }] });
          }
          return send(200, { header: header(), responses: [{ response_range: { header: header(), ...kvs(key) } }] });
        }
        default:
          return send(404, { error: 'Not Found', code: 5 });
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked, server };
}

/** A client URL nothing listens on: a port just closed. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A three-member cluster led by `leader`, the members at those URLs. */
function cluster(urls: string[], leader: number): ClusterModel {
  return etcdModel(
    urls.map((url, i) => etcdNode(i + 1, { role: i + 1 === leader ? 'leader' : 'follower', term: 2, leader, commit: 8, applied: 8 }, url)),
  );
}

afterEach(async () => {
  store.clear();
  revision = 1;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

const T = { timeoutMs: 2000 };

describe('the client commands on an etcd cluster', () => {
  it('put, get, del and cas go to the leader first and tell the revision they committed at', async () => {
    const [a, b, c] = [await fakeMember(), await fakeMember(), await fakeMember()];
    const m = cluster([a.url, b.url, c.url], 2);
    const put = await sendRequest(m, { op: 'put', key: 'k', value: 'v1' }, T);
    expect(put).toMatchObject({ ok: true, human: 'k = "v1", committed at revision 2 (answered by n2)' });
    expect(put.json).toEqual({ op: 'put', key: 'k', value: 'v1', revision: 2, engine: 'etcd', member: 'n2' });
    expect(put.outcome).toBeUndefined();
    expect(b.asked).toEqual(['/v3/kv/put']);
    expect(a.asked).toEqual([]);
    expect((await sendRequest(m, { op: 'get', key: 'k' }, T)).human).toBe('k = "v1" (read at revision 2, answered by n2)');
    expect((await sendRequest(m, { op: 'get', key: 'nope' }, T)).human).toBe('nope is not set (read at revision 2, answered by n2)');
    const swapped = await sendRequest(m, { op: 'cas', key: 'k', expected: 'v1', value: 'v2' }, T);
    expect(swapped).toMatchObject({ ok: true, human: 'k: "v1" -> "v2", committed (answered by n2)' });
    const refused = await sendRequest(m, { op: 'cas', key: 'k', expected: 'v1', value: 'v3' }, T);
    expect(refused).toMatchObject({ ok: false, human: 'k holds "v2", not "v1": nothing changed (answered by n2)' });
    expect(refused.json).toMatchObject({ swapped: false, current: 'v2' });
    expect((await sendRequest(m, { op: 'del', key: 'k' }, T)).human).toBe('deleted k (answered by n2)');
    expect((await sendRequest(m, { op: 'del', key: 'k' }, T)).human).toBe('k was not set: nothing deleted (answered by n2)');
    expect(store.size).toBe(0);
  });

  it('submit puts the text under its key, one entry of etcd log, and --via sends to that member only', async () => {
    const [a, b] = [await fakeMember(), await fakeMember()];
    const m = cluster([a.url, b.url], 1);
    const out = await sendRequest(m, { op: 'submit', text: 'hello' }, { ...T, via: 2 });
    expect(out.human).toBe(`committed "hello" as a put of ${ETCD_SUBMIT_KEY} at revision 2 (answered by n2)`);
    expect(store.get(ETCD_SUBMIT_KEY)).toBe('hello');
    expect(a.asked).toEqual([]);
  });

  it('a write moves on to the next member only when the first refused the connection', async () => {
    const b = await fakeMember();
    const m = cluster([await deadUrl(), b.url], 1);
    expect((await sendRequest(m, { op: 'put', key: 'k', value: 'v' }, T)).human).toMatch(/answered by n2/);
  });

  it('a write that gets no answer in time has an unknown outcome, and is not sent again elsewhere', async () => {
    const [a, b] = [await fakeMember({ hang: true }), await fakeMember()];
    const m = cluster([a.url, b.url], 1);
    const failed = await sendRequest(m, { op: 'put', key: 'k', value: 'v' }, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ClusterError);
    expect((failed as Error).message).toMatch(
      /^n1 \(etcd at http:\/\/127\.0\.0\.1:\d+\) did not answer the write within 0\.3 s .*the outcome is unknown: .*may apply it twice/,
    );
    expect(b.asked).toEqual([]);
  });

  it('a read that gets no answer in time is asked of the next member', async () => {
    const [a, b] = [await fakeMember({ hang: true }), await fakeMember()];
    store.set('k', 'v');
    const m = cluster([a.url, b.url], 1);
    expect((await sendRequest(m, { op: 'get', key: 'k' }, { timeoutMs: 300 })).human).toBe('k = "v" (read at revision 1, answered by n2)');
  });

  it('a read refused for now ("leader changed", in an election) is asked of the next member, where a write would not be', async () => {
    const [a, b] = [await fakeMember({ refuse: 'etcdserver: leader changed' }), await fakeMember()];
    store.set('k', 'v');
    const m = cluster([a.url, b.url], 1);
    expect((await sendRequest(m, { op: 'get', key: 'k' }, T)).human).toBe('k = "v" (read at revision 1, answered by n2)');
    await expect(sendRequest(m, { op: 'put', key: 'k', value: 'w' }, T)).rejects.toThrow(/leader changed/);
    expect(b.asked).toEqual(['/v3/kv/range']);
  });

  it("etcd's own refusals become one line: no leader, an unknown outcome, every member down", async () => {
    const noLeader = await fakeMember({ refuse: 'etcdserver: no leader' });
    const err = (m: ClusterModel, what: 'put' | 'get'): Promise<string> =>
      sendRequest(m, what === 'put' ? { op: 'put', key: 'k', value: 'v' } : { op: 'get', key: 'k' }, T).then(
        () => 'no error',
        (e: unknown) => (e instanceof ClusterError ? e.message : `not a ClusterError: ${String(e)}`),
      );
    expect(await err(cluster([noLeader.url], 0), 'put')).toMatch(/^n1 \(etcd at .*\) knows no leader, so the write did not complete/);
    const timedOut = await fakeMember({ refuse: 'etcdserver: request timed out' });
    expect(await err(cluster([timedOut.url], 1), 'put')).toMatch(/answered "etcdserver: request timed out": the outcome is unknown/);
    expect(await err(cluster([await deadUrl(), await deadUrl()], 1), 'get')).toMatch(
      /^cannot reach n2 \(etcd at .*\) \(ECONNREFUSED\): is it running\? see `raft-console status`$/,
    );
  });

  it("the dashboard's writes and its : command line go the same way, and read the same in Chinese (etcd's answer has no outcome fields to word)", async () => {
    const a = await fakeMember();
    const m = cluster([a.url], 1);
    const r = await clientRequest(m, { op: 'put', key: 'k', value: 'v' });
    expect(r).toEqual({ ok: true, text: 'k = "v", committed at revision 2 (answered by n1)' });
    expect(labelsFor('zh').resultText(r)).toBe(r.text);
    const failed = await clientRequest(cluster([await deadUrl()], 1), { op: 'get', key: 'k' });
    expect(failed).toMatchObject({ ok: false, text: expect.stringMatching(/^cannot reach n1 /) as unknown });
  });
});
