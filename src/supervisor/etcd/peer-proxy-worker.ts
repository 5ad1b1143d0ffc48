// The worker thread the peer proxies of one cluster run in (peer-proxies.ts starts it): the proxies
// are in etcd's data path, and the supervisor's main thread also renders the dashboard, whose
// frames block its event loop for tens of ms; in a thread of their own no peer message waits for
// one. Starts and stops PeerProxy instances on the main thread's messages and answers each request
// that has a `re`. The main thread keeps the member id -> node map and sends it whole on each change.
import { parentPort } from 'node:worker_threads';
import { ClusterError } from '../../cluster-model/errors.js';
import type { NodeId } from '../../raft/types.js';
import { PeerProxy } from './peer-proxy.js';
import type { ToWorker } from './peer-proxies.js';

const port = parentPort;
if (port === null) throw new Error('peer-proxy-worker.js runs as a worker thread');

const proxies = new Map<NodeId, PeerProxy>();
let senders = new Map<string, NodeId>();
const senderOf = (hex: string): NodeId | null => senders.get(hex) ?? null;

async function answer(re: number, work: () => Promise<unknown>): Promise<void> {
  try {
    port!.postMessage({ re, ok: true, value: (await work()) ?? null });
  } catch (err) {
    const problem = err instanceof ClusterError ? err.problem : null;
    port!.postMessage({ re, ok: false, message: err instanceof Error ? err.message : String(err), problem });
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.op) {
    case 'senders':
      senders = new Map(m.senders);
      return;
    case 'links':
      proxies.get(m.member)?.setLinks(m.links);
      return;
    case 'start':
      void answer(m.re, async () => {
        const proxy = await PeerProxy.start({ member: m.member, listenPort: m.listenPort, targetPort: m.targetPort, senderOf });
        proxy.setLinks(m.links);
        proxies.set(m.member, proxy);
        return proxy.port;
      });
      return;
    case 'stats':
      void answer(m.re, () => {
        const proxy = proxies.get(m.member);
        if (proxy === undefined) throw new Error(`n${m.member} has no peer proxy running`);
        return Promise.resolve(proxy.stats());
      });
      return;
    case 'close':
      void answer(m.re, async () => {
        const proxy = proxies.get(m.member);
        proxies.delete(m.member);
        await proxy?.close();
      });
      return;
  }
});
