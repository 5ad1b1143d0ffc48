// acknowledged.json in the cluster folder: the highest term and commit index each node had on disk,
// from its state reports. Kept outside the nodes' data directories, so that a data directory wiped
// or restored from an older copy is recognised when the node starts: the supervisor passes the
// mark as --acknowledged, and the node starts in recovering mode when its disk is behind it
// (node/lost-data.ts). Written at most every WRITE_EVERY_MS: a mark a little behind only lets a
// loss of the last few entries go unrecognised, never makes a sound node look damaged.
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Acknowledged } from '../node/options.js';
import type { NodeId } from '../raft/types.js';
import { ClusterError } from '../cluster-model/errors.js';

export const ACKNOWLEDGED_FILE = 'acknowledged.json';
const WRITE_EVERY_MS = 200;

export class AcknowledgedMarks {
  private readonly marks = new Map<NodeId, Acknowledged>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly folder: string) {
    const path = join(folder, ACKNOWLEDGED_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const bad = (): ClusterError =>
      new ClusterError(`${path} is corrupt: delete it (nodes that lost data are then no longer recognised at their next start)`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw bad();
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad();
    const whole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
    for (const [id, m] of Object.entries(parsed as Record<string, Partial<Acknowledged>>)) {
      if (!/^[1-9]\d*$/.test(id) || typeof m !== 'object' || m === null || !whole(m.term) || !whole(m.commit)) throw bad();
      this.marks.set(Number(id), { term: m.term, commit: m.commit });
    }
  }

  get(id: NodeId): Acknowledged | null {
    return this.marks.get(id) ?? null;
  }

  /** Raises the node's mark to `ack` (a mark never goes down: neither does a node's term or commit). */
  seen(id: NodeId, ack: Acknowledged): void {
    const old = this.marks.get(id);
    if (old !== undefined && old.term >= ack.term && old.commit >= ack.commit) return;
    this.marks.set(id, { term: Math.max(old?.term ?? 0, ack.term), commit: Math.max(old?.commit ?? 0, ack.commit) });
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), WRITE_EVERY_MS);
    this.timer.unref();
  }

  /** Writes the marks now (mode 0600, atomically). */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const text = `${JSON.stringify(Object.fromEntries(this.marks), null, 2)}\n`;
    const path = join(this.folder, ACKNOWLEDGED_FILE);
    this.writing = this.writing.catch(() => undefined).then(async () => {
      await writeFile(`${path}.tmp`, text, { mode: 0o600 });
      await rename(`${path}.tmp`, path);
    });
    return this.writing;
  }
}
