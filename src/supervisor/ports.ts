// Loopback ports for the nodes. Each node keeps its port for life (peers and cluster.json know it by
// that address), so the supervisor picks them, rather than letting each node bind port 0.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(server));
  });
}

const close = (s: Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

/** Ports handed out below the system's ephemeral range start here. */
const LOWEST = 20_000;

/**
 * The first port the system hands out to outgoing connections (Linux: ip_local_port_range; 32768
 * elsewhere, below macOS's and Windows' 49152).
 */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST + 1000 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * `count` ports free now, below the ephemeral range. Not port 0's choice: that comes from the
 * ephemeral range, where a peer's connection to a node that is not listening yet (starting, or
 * killed) can be given the very port it dials and connect to itself (TCP self-connect), holding
 * the node's port so it cannot start. All are held open until every one is chosen, so they differ;
 * another program could still take one before the node binds it, which the node then reports as
 * a busy port.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const high = ephemeralStart() - 1;
  try {
    for (let tries = 0; servers.length < count; tries++) {
      if (tries >= 200 + count * 20) {
        // A crowded range: let the system choose, as a last resort.
        servers.push(await listen(0));
        continue;
      }
      const port = LOWEST + Math.floor(Math.random() * (high - LOWEST + 1));
      const server = await listen(port).catch(() => null);
      if (server !== null) servers.push(server);
    }
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
