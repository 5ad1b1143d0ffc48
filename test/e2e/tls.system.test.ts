// A node started with --cert-file, --key-file and --trusted-ca-file may listen where other machines
// reach it, says so when it starts, and serves a client that has a certificate of the same CA and
// the secret; a client without TLS gets nothing from it.
import { describe, expect, it } from 'vitest';
import { RaftClient, readTlsFiles } from '../../src/client/index.js';
import { readSecretFile } from '../../src/transport/secret.js';
import { makeCertificates } from '../transport/tls-certs.js';
import { secretFile, tempDir } from './cluster.js';
import { NodeProcess, checkBuild } from './node-process.js';

describe('a node with mutual TLS', () => {
  it('listens on every address, and serves a client with the CA’s certificate and the secret', async () => {
    await checkBuild();
    const { paths } = makeCertificates('e2e');
    const secret = await secretFile();
    const node = NodeProcess.spawn([
      ...['--id', '1', '--cluster-id', 'tls', '--secret-file', secret, '--data-dir', await tempDir(), '--listen', '0.0.0.0:0'],
      ...['--cert-file', paths.cert, '--key-file', paths.key, '--trusted-ca-file', paths.ca],
    ]);
    const started = await node.waitFor('the start', (e) => e.type === 'started');
    expect(started).toMatchObject({ tls: true, insecureNoAuth: false, text: expect.stringContaining('with mutual TLS') });
    const port = String(started.address).split(':').pop()!;
    const address = `127.0.0.1:${port}`;

    const client = new RaftClient({
      clusterId: 'tls',
      secret: readSecretFile(secret),
      tls: readTlsFiles(paths),
      nodes: [{ id: 1, address }],
      timeoutMs: 10_000,
    });
    const plain = new RaftClient({ clusterId: 'tls', secret: readSecretFile(secret), nodes: [{ id: 1, address }], timeoutMs: 1000 });
    try {
      await node.waitFor('leadership', (e) => e.type === 'role-change' && e.to === 'leader');
      expect((await client.put('k', 'v')).result.ok).toBe(true);
      // (Not a get: a linearizable read on a one-node cluster times out, on main too; not this test's subject.)
      expect(await client.status(1)).toMatchObject({ commit: 2, insecureNoAuth: false });
      await expect(plain.status(1)).rejects.toMatchObject({ code: expect.stringMatching(/unreachable|timeout|refused/) });
    } finally {
      client.close();
      plain.close();
    }
  });
});
