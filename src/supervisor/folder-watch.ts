// A supervisor whose cluster folder was deleted (`rm -rf` of it, or of the whole data folder) has
// lost its control files, its token and the nodes' data under them: no command can find it any
// more, and its nodes run on unreachable. It watches its control file, which only it removes (when
// it stops), and stops the cluster when the file goes. Polling, not fs.watch: a watch says nothing
// reliable when the folder above is removed on every platform, and a look a second is nothing next
// to a cluster's traffic.
import { existsSync } from 'node:fs';

/** How often the file is looked at. */
export const FOLDER_POLL_MS = 1000;

/** Calls `gone` once, when `file` no longer exists; returns the function that stops watching. */
export function watchFile(file: string, gone: () => void, pollMs = FOLDER_POLL_MS): () => void {
  const timer = setInterval(() => {
    if (existsSync(file)) return;
    clearInterval(timer);
    gone();
  }, pollMs);
  // The supervisor's own server keeps the process alive; the watch must not keep it alive after.
  timer.unref();
  return () => clearInterval(timer);
}
