// Whether a node starts in recovering mode (raft/config.ts, Recovery): kept in its data directory
// from an earlier start, or entered now because the directory holds less than the node had
// acknowledged (wiped, or restored from an older copy), as recorded outside it (--acknowledged).
import type { Recovery } from '../raft/config.js';
import type { RestoredState } from '../raft/raft.js';
import type { DiskStorage } from '../storage/index.js';
import type { EventStream } from './event-stream.js';
import type { NodeOptions } from './options.js';

export async function recoveryAtStart(
  o: NodeOptions,
  storage: DiskStorage,
  restored: RestoredState,
  events: EventStream,
): Promise<Recovery | null> {
  const kept = await storage.loadRecovery();
  const ack = o.acknowledged;
  const term = restored.hardState.term;
  const lastIndex = restored.entries.at(-1)?.index ?? restored.snapshot?.meta.index ?? 0;
  // The term never goes down and committed entries are never removed: a directory behind either
  // lost what the node had written to it.
  const behind = ack !== null && (term < ack.term || lastIndex < ack.commit);
  if (!behind && kept === null) return null;
  const r: Recovery = {
    untilIndex: Math.max(kept?.untilIndex ?? 0, behind ? ack.commit : 0),
    aboveTerm: Math.max(kept?.aboveTerm ?? 0, behind ? ack.term : 0),
  };
  if (kept === null || kept.untilIndex !== r.untilIndex || kept.aboveTerm !== r.aboveTerm) await storage.saveRecovery(r);
  const rule = `until it has caught up to entry ${r.untilIndex} in a term above ${r.aboveTerm}, it does not campaign and votes only in such a term, for a candidate whose log reaches that entry`;
  events.lifecycle(
    { type: 'recovering', untilIndex: r.untilIndex, aboveTerm: r.aboveTerm, lostData: behind, found: { term, lastIndex } },
    behind
      ? `n${o.id} lost data: its data directory holds term ${term} and entries up to ${lastIndex}, but it had reached term ${ack.term} and commit ${ack.commit}; ${rule}`
      : `n${o.id} is still recovering from lost data: ${rule}`,
  );
  return r;
}
