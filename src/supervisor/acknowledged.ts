// acknowledged.json in the cluster folder: the highest term and commit index each node had on disk,
// from its state reports. Kept outside the nodes' data directories, so that a data directory wiped
// or restored from an older copy is recognised when the node starts: the supervisor passes the
// mark as --acknowledged, and the node starts in recovering mode when its disk is behind it
// (node/lost-data.ts). Written at most every WRITE_EVERY_MS: a mark a little behind only lets a
// loss of the last few entries go unrecognised, never makes a sound node look damaged.
import { join } from 'node:path';
import type { Acknowledged } from '../node/options.js';
import type { NodeId } from '../raft/types.js';
import { fail, field, object, show, uint } from '../schema/json-shape.js';
import { readJsonOrNull, writeJsonAtomic } from '../storage/json-file.js';
import { ClusterError } from '../cluster-model/errors.js';

export const ACKNOWLEDGED_FILE = 'acknowledged.json';
const WRITE_EVERY_MS = 200;

export class AcknowledgedMarks {
  private readonly marks = new Map<NodeId, Acknowledged>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly folder: string) {
    const path = join(folder, ACKNOWLEDGED_FILE);
    const read = (value: unknown): Map<NodeId, Acknowledged> => {
      const o = object(value, ACKNOWLEDGED_FILE);
      return new Map(
        Object.keys(o).map((id) => {
          if (!/^[1-9]\d*$/.test(id)) fail(`${show(id)} is not a node id`);
          const m = object(field(o, id), id);
          return [Number(id), { term: uint(m, 'term', id), commit: uint(m, 'commit', id) }];
        }),
      );
    };
    const marks = readJsonOrNull(
      path,
      read,
      () =>
        new ClusterError(`${path} is corrupt: delete it (nodes that lost data are then no longer recognised at their next start)`, {
          code: 'bad-file',
          path,
        }),
    );
    for (const [id, mark] of marks ?? []) this.marks.set(id, mark);
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
    const marks = Object.fromEntries(this.marks);
    this.writing = this.writing.catch(() => undefined).then(() => writeJsonAtomic(join(this.folder, ACKNOWLEDGED_FILE), marks));
    return this.writing;
  }
}
