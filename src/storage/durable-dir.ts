// The file operations of a data directory, done so that they survive power loss: data is fsynced
// before anything depends on it, and so is the directory after a file is created, renamed or
// removed (a new file's data can be on disk while its name is not). With `fsync` off
// (unsafeNoFsync) every sync is skipped: a killed process still loses nothing, since its writes are
// in the kernel's page cache, but a power cut or kernel crash may.
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Suffix of a file being written, before it is renamed into place. Left over only by a crash. */
export const TEMP_SUFFIX = '.tmp';

/**
 * A data directory and its files are the user's alone, whatever the umask and the parent's mode:
 * the log holds every value clients wrote. Modes given at creation; the umask can only take bits
 * away, never add them.
 */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** What probeWrite() writes: one block of a usual file system. */
const PROBE_BYTES = 4096;

export class DurableDir {
  constructor(
    readonly path: string,
    readonly fsync: boolean,
  ) {}

  file(name: string): string {
    return join(this.path, name);
  }

  /** Makes the directory's entries (files created, renamed, removed) durable. */
  async syncEntries(): Promise<void> {
    // Windows cannot open a directory to sync it; NTFS journals its directory changes instead.
    if (!this.fsync || process.platform === 'win32') return;
    const dir = await open(this.path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** fdatasync: the file's data and what is needed to read it back (its size), not its mtime. */
  async syncData(handle: FileHandle): Promise<void> {
    if (this.fsync) await handle.datasync();
  }

  /**
   * Replaces `name` with `data` atomically: after a crash the file holds either the old content or
   * the new, never a mix. Write a temporary file, sync it, rename it over `name`, sync the directory.
   */
  async writeAtomically(name: string, data: Uint8Array): Promise<void> {
    const temp = name + TEMP_SUFFIX;
    await this.writeTemporary(temp, data);
    await this.install(temp, name);
  }

  /**
   * The slow half of writeAtomically: `data` written to the temporary file `temp` (a name ending in
   * TEMP_SUFFIX, which open() removes if a crash leaves it) and synced. Nothing depends on it yet.
   */
  async writeTemporary(temp: string, data: Uint8Array): Promise<void> {
    const handle = await open(this.file(temp), 'w', FILE_MODE);
    try {
      // The mode of open() applies to a new file only: a temporary file left over keeps its own.
      await handle.chmod(FILE_MODE);
      await writeFully(handle, data, 0);
      await this.syncData(handle);
    } finally {
      await handle.close();
    }
  }

  /** The quick half: the synced temporary file renamed over `name`, and the rename made durable. */
  async install(temp: string, name: string): Promise<void> {
    await rename(this.file(temp), this.file(name));
    await this.syncEntries();
  }

  /**
   * Writes a block to a new file, syncs it and removes it: a full disk (ENOSPC) or a read-only one
   * fails here, when the node starts, rather than at its first write after it said it started.
   */
  async probeWrite(): Promise<void> {
    const name = `write-probe${TEMP_SUFFIX}`;
    const handle = await open(this.file(name), 'w', FILE_MODE);
    try {
      await writeFully(handle, new Uint8Array(PROBE_BYTES), 0);
      await this.syncData(handle);
    } finally {
      await handle.close();
      await this.remove(name);
    }
  }

  /** Removes a file; the caller syncs the directory once after a batch of removals. */
  async remove(name: string): Promise<void> {
    await rm(this.file(name), { force: true });
  }
}

/** Creates `path` and any missing parents (mode DIR_MODE), and makes their names durable. */
export async function makeDirectory(path: string, fsync: boolean): Promise<void> {
  const topCreated = await mkdir(path, { recursive: true, mode: DIR_MODE });
  if (topCreated === undefined) return;
  // A directory's name lives in its parent: sync each new directory's parent, deepest first.
  for (let d = path; ; d = dirname(d)) {
    await new DurableDir(dirname(d), fsync).syncEntries();
    if (d === topCreated) break;
  }
}

/** Writes all of `data` at `position` (one write() may write less than asked). */
export async function writeFully(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
