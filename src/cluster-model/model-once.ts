// The model of a running cluster, read once: one plain HTTP request to the supervisor's control port
// (`GET /model` with the token), for a command that shows the cluster and ends (`status`). It needs
// neither a WebSocket client (21 modules) nor a handshake; what comes back is read by the same
// reader as the WebSocket's welcome.
import { request } from 'node:http';
import { findSupervisor } from './control-files.js';
import { ClusterError } from './errors.js';
import { clusterFolder } from './folder.js';
import type { ConnectOptions } from './control-client.js';
import type { ClusterModel } from './model.js';
import { welcomeModel } from './model-reader.js';

/** A model larger than this is not a model (the event history is bounded). */
const MAX_MODEL_BYTES = 64 * 1024 * 1024;

/** The model; `events: false` leaves its event history out (most of its bytes). */
export async function readModelOnce(o: ConnectOptions & { events?: boolean } = {}): Promise<ClusterModel> {
  const { name, folder } = clusterFolder(o);
  const { control, token } = await findSupervisor(folder, name);
  const timeoutMs = o.timeoutMs ?? 5000;
  const url = new URL(o.events === false ? '/model?events=0' : '/model', control.url.replace(/^ws/, 'http'));
  const body = await new Promise<string>((resolve, reject) => {
    const fail = (why: string): void => reject(new ClusterError(why));
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_MODEL_BYTES) {
          req.destroy();
          fail(`the supervisor of ${name} sent more than ${MAX_MODEL_BYTES} bytes for its model`);
        } else chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', (err) => fail(`the connection to the supervisor of ${name} failed: ${err.message}`));
    });
    req.on('timeout', () => {
      req.destroy();
      fail(`the supervisor of ${name} (pid ${control.supervisorPid}) did not answer within ${timeoutMs} ms`);
    });
    req.on('error', (err) => fail(`cannot reach the supervisor of ${name} at ${control.url}: ${err.message}`));
    req.end();
  });
  return welcomeModel(body, name);
}
