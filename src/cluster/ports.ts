// Loopback ports for the nodes. Each node keeps its port for life (peers and cluster.json know it by
// that address), so the supervisor picks them, rather than letting each node bind port 0.
import { createServer, type Server } from 'node:net';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(server));
  });
}

const close = (s: Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

/**
 * `count` ports the system reports free now. All are held open until every one is chosen, so they
 * differ; another program could still take one before the node binds it, which the node then
 * reports as a busy port.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(0));
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map(close));
  }
}

/** The first of `ports` already in use, or null. */
export async function busyPort(ports: readonly number[]): Promise<number | null> {
  for (const port of ports) {
    try {
      await close(await listen(port));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' || (err as NodeJS.ErrnoException).code === 'EACCES') return port;
      throw err;
    }
  }
  return null;
}
