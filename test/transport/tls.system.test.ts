// Mutual TLS on a node's port: nodes with certificates of the cluster's CA exchange messages (and
// still prove the secret inside); a plain TCP connection, a TLS one without a client certificate,
// and one with a certificate of another CA never get to say hello.
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { RawConnection, heartbeat, startNode, startPair } from './helpers.js';
import { makeCertificates } from './tls-certs.js';

const cluster = makeCertificates('cluster');
const stranger = makeCertificates('stranger');

/** Opens a TLS connection as `files` says, sends a hello's worth of bytes, and resolves once the node has closed it. */
function tlsAttempt(port: number, files: { cert?: Buffer; key?: Buffer; ca: Buffer }): Promise<{ secured: boolean; received: number }> {
  return new Promise((resolve) => {
    let secured = false;
    let received = 0;
    const socket = tlsConnect({ host: '127.0.0.1', port, ...files, rejectUnauthorized: false });
    socket.on('secureConnect', () => {
      secured = true;
      socket.write(Buffer.from([0, 0, 0, 2, 0x7b, 0x7d]));
    });
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ secured, received }));
  });
}

describe('mutual TLS', () => {
  it('two nodes with certificates of the cluster CA connect both ways and exchange messages', async () => {
    const [a, b] = await startPair({ tls: cluster.files }, { tls: cluster.files });
    a.transport.send(heartbeat(1, 2, 4));
    b.transport.send(heartbeat(2, 1, 5));
    await b.waitForMessages(1, (m) => m.term === 4);
    await a.waitForMessages(1, (m) => m.term === 5);
  });

  it('refuses a plain TCP connection, a TLS one without a certificate, and one with another CA’s', async () => {
    const node = await startNode({ id: 1, tls: cluster.files });
    const plain = await RawConnection.open(node.port);
    plain.send({ type: 'hello' });
    await plain.waitForClose();
    expect(plain.frames).toEqual([]);
    expect(await tlsAttempt(node.port, { ca: cluster.files.ca })).toMatchObject({ received: 0 });
    expect(await tlsAttempt(node.port, { ...stranger.files, ca: cluster.files.ca })).toMatchObject({ received: 0 });
    expect(node.eventsOf('peer-connected')).toEqual([]);
    expect(node.transport.stats().pending).toBe(0);
  });

  it('a dialing node refuses a listener whose certificate is of another CA, before any hello', async () => {
    const impostor = await startNode({ id: 2, tls: stranger.files });
    const node = await startNode({
      id: 1,
      tls: cluster.files,
      peers: [{ id: 2, port: impostor.port }],
      backoff: { baseMs: 10_000, maxMs: 10_000 },
    });
    const [failed] = await node.waitForEvent('connect-failed');
    expect(failed!.reason).toMatch(/certificate/i);
    expect(impostor.eventsOf('peer-connected')).toEqual([]);
  });
});
