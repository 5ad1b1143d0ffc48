// recovery.json: a node that lost data it had acknowledged is in recovering mode (raft/config.ts,
// Recovery) until it has caught up. The mode is kept in the data directory, so a node restarted
// mid-recovery still refuses to vote; the file is removed once the core says recovery is over.
import type { Recovery } from '../raft/config.js';
import { MAX_TERM_OR_INDEX } from '../raft/types.js';
import { object, uintAtMost } from '../schema/json-shape.js';
import type { DurableDir } from './durable-dir.js';
import { DataDirError } from './errors.js';
import { readJsonOrNull, writeJsonAtomic } from './json-file.js';

export const RECOVERY_FILE = 'recovery.json';

/** An index and a term: within the range a node takes from anywhere (MAX_TERM_OR_INDEX). */
function readRecoveryFile(value: unknown): Recovery {
  const o = object(value, RECOVERY_FILE);
  return { untilIndex: uintAtMost(o, 'untilIndex', MAX_TERM_OR_INDEX), aboveTerm: uintAtMost(o, 'aboveTerm', MAX_TERM_OR_INDEX) };
}

export async function readRecovery(dir: DurableDir): Promise<Recovery | null> {
  const path = dir.file(RECOVERY_FILE);
  return readJsonOrNull(
    path,
    readRecoveryFile,
    // Removing it would let a node that lost data vote again: the operator decides.
    () =>
      new DataDirError(
        'corrupt',
        `recovery file ${path} is corrupt: this node lost data and must not vote until it caught up; run \`raft-console replace <id>\` to start it again empty`,
      ),
  );
}

/** Writes the recovery mode durably, or removes the file when `r` is null. */
export async function writeRecovery(dir: DurableDir, r: Recovery | null): Promise<void> {
  if (r === null) {
    await dir.remove(RECOVERY_FILE);
    await dir.syncEntries();
    return;
  }
  await writeJsonAtomic(dir.file(RECOVERY_FILE), r, { fsync: dir.fsync });
}
