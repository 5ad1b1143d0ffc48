// Optional mutual TLS on a node's port (docs/PROTOCOL.md 1.7): for nodes that listen where other
// machines can reach them. Both sides present a certificate signed by the cluster's CA, and both
// check the other's (requestCert and rejectUnauthorized), so the traffic is encrypted and a process
// without such a certificate cannot even start a hello. Host names are not checked: who a node is
// is what its hello proves with the cluster secret (hello.ts), so the certificates need not name
// addresses, and one certificate serves a node both as a server and as a client.
import { readFileSync } from 'node:fs';
import { connect as tlsConnect, createServer as tlsCreateServer, type ConnectionOptions, type TlsOptions } from 'node:tls';
import { connect as netConnect, createServer as netCreateServer, type Server, type Socket } from 'node:net';

/** PEM contents of a node's (or client's) certificate, its key, and the CA that signs the cluster's certificates. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
}

/** Reads the three PEM files; a missing or unreadable one throws a TlsFileError naming it. */
export function readTlsFiles(paths: { cert: string; key: string; ca: string }): TlsFiles {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new TlsFileError(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  return {
    cert: read(paths.cert, 'certificate (--cert-file)'),
    key: read(paths.key, 'key (--key-file)'),
    ca: read(paths.ca, 'CA certificate (--trusted-ca-file)'),
  };
}

export class TlsFileError extends Error {
  readonly code = 'bad-tls-file';
}

/** A listening server: plain TCP, or TLS that requires a client certificate signed by the CA. */
export function createListener(tls: TlsFiles | null, handshakeTimeoutMs: number, onSocket: (socket: Socket) => void): Server {
  if (tls === null) return netCreateServer(onSocket);
  const options: TlsOptions = { ...tls, requestCert: true, rejectUnauthorized: true, handshakeTimeout: handshakeTimeoutMs };
  const server = tlsCreateServer(options, onSocket);
  // A failed TLS handshake ends that socket only; it is not the server's error.
  server.on('tlsClientError', () => undefined);
  return server;
}

/** Dials host:port, over TLS when `tls` is set; `onConnect` runs once the connection can carry frames. */
export function dial(host: string, port: number, tls: TlsFiles | null, onConnect: () => void): Socket {
  if (tls === null) return netConnect({ host, port }).once('connect', onConnect);
  const options: ConnectionOptions = { host, port, ...tls, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return tlsConnect(options).once('secureConnect', onConnect);
}
