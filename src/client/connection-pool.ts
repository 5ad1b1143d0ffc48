// At most one live connection per node address, dialed on first use and redialed after it fails:
// requests to one node share its connection (their ids tell the answers apart).
import { RaftClientError } from './errors.js';
import { NodeConnection } from './node-connection.js';
import type { Directory } from './directory.js';
import type { ClusterSecret } from '../transport/secret.js';
import type { TlsFiles } from '../transport/tls.js';

export class ConnectionPool {
  private readonly connections = new Map<string, NodeConnection>();
  private requestSerial = 0;
  private closed = false;

  constructor(
    private readonly clusterId: string,
    private readonly secret: ClusterSecret,
    private readonly tls: TlsFiles | null,
    private readonly helloFrom: number,
    private readonly directory: Directory,
  ) {}

  get(address: string): NodeConnection {
    if (this.closed) throw new RaftClientError('closed', 'the client is closed');
    const known = this.connections.get(address);
    if (known?.usable) return known;
    const connection = new NodeConnection(address, {
      clusterId: this.clusterId,
      secret: this.secret,
      tls: this.tls,
      helloFrom: this.helloFrom,
      expectId: this.directory.idOf(address),
      nextRequestId: () => ++this.requestSerial,
    });
    this.connections.set(address, connection);
    return connection;
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values())
      c.close(new RaftClientError('closed', 'the client was closed before the answer came: outcome unknown'));
    this.connections.clear();
  }
}
