// recovery.json: a node that lost data it had acknowledged is in recovering mode (raft/config.ts,
// Recovery) until it has caught up. The mode is kept in the data directory, so a node restarted
// mid-recovery still refuses to vote; the file is removed once the core says recovery is over.
import { readFile } from 'node:fs/promises';
import type { Recovery } from '../raft/config.js';
import type { DurableDir } from './durable-dir.js';
import { DataDirError } from './errors.js';

export const RECOVERY_FILE = 'recovery.json';

export async function readRecovery(dir: DurableDir): Promise<Recovery | null> {
  const path = dir.file(RECOVERY_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const r = parsed as Partial<Recovery> | null;
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (r === null || typeof r !== 'object' || !whole(r.untilIndex) || !whole(r.aboveTerm))
    // Removing it would let a node that lost data vote again: the operator decides.
    throw new DataDirError(
      'corrupt',
      `recovery file ${path} is corrupt: this node lost data and must not vote until it caught up; run \`raft-console replace <id>\` to start it again empty`,
    );
  return { untilIndex: r.untilIndex, aboveTerm: r.aboveTerm };
}

/** Writes the recovery mode durably, or removes the file when `r` is null. */
export async function writeRecovery(dir: DurableDir, r: Recovery | null): Promise<void> {
  if (r === null) {
    await dir.remove(RECOVERY_FILE);
    await dir.syncEntries();
    return;
  }
  await dir.writeAtomically(RECOVERY_FILE, Buffer.from(JSON.stringify(r) + '\n'));
}
