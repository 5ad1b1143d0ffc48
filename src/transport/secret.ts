// The cluster secret: 32 random bytes, kept as 64 hex digits in a file only its owner may read
// (docs/PROTOCOL.md, "Security model"). Every hello proves knowledge of it (hello.ts), so only
// processes that can read the file join the cluster or write to it. It never goes on a command line
// or in an environment variable, where other users can read it (`ps`, /proc/<pid>/environ).
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';

/** The key of every hello proof: the 32 bytes the secret file's hex spells. */
export type ClusterSecret = Buffer;

export const SECRET_BYTES = 32;

/**
 * The key of a node run with --insecure-no-auth, and of a client given no secret: the empty key.
 * Anybody can compute its proofs, so it only ever talks to others that run without a secret too.
 */
export const NO_SECRET: ClusterSecret = Buffer.alloc(0);

/** A secret file's problem, as one line naming the file, the cause and the fix. */
export class SecretFileError extends Error {
  readonly code = 'bad-secret-file';
}

const looserThanOwner = (mode: number): boolean => (mode & 0o077) !== 0;

/** The secret in `text` (64 hex digits, one optional line end), or a problem. */
export function parseSecret(text: string): ClusterSecret | string {
  const hex = text.replace(/\r?\n$/, '');
  if (hex.length === 0) return 'it is empty';
  if (!/^[0-9a-fA-F]+$/.test(hex)) return 'it must hold only hex digits';
  if (hex.length !== SECRET_BYTES * 2) return `it must hold ${SECRET_BYTES * 2} hex digits (${SECRET_BYTES} bytes), it holds ${hex.length}`;
  return Buffer.from(hex, 'hex');
}

/**
 * Reads a secret file, refusing one that others may read (its owner alone must: mode 0600 or
 * stricter) or that does not hold a secret.
 */
export function readSecretFile(path: string): ClusterSecret {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ELOOP') throw new SecretFileError(`secret file ${path} is a symbolic link: give the path of the file itself`);
    throw new SecretFileError(
      `cannot read secret file ${path}: ${e.code ?? e.message} (start the cluster with \`raft-console up\`, which creates <cluster folder>/secret, or give the right --secret-file)`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SecretFileError(`secret file ${path} is not a regular file`);
    if (looserThanOwner(st.mode))
      throw new SecretFileError(
        `secret file ${path} may be read by other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}): run \`chmod 600 ${path}\``,
      );
    const secret = parseSecret(readFileSync(fd, 'utf8'));
    if (typeof secret === 'string')
      throw new SecretFileError(
        `secret file ${path} holds no secret: ${secret} (make one with \`openssl rand -hex ${SECRET_BYTES} > ${path}\`)`,
      );
    return secret;
  } finally {
    closeSync(fd);
  }
}

/**
 * The cluster's secret at `path`: made (32 random bytes, created with mode 0600 and O_EXCL, so that
 * it is never readable by others, not even for an instant, and an existing file is never replaced)
 * when there is none, and kept otherwise. An existing file with looser permissions is tightened to
 * 0600 first: it was made by hand or copied. Returns whether it was created.
 */
export function ensureSecretFile(path: string): { secret: ClusterSecret; created: boolean } {
  let fd: number | null = null;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (fd === null) {
    // Not through a symbolic link: readSecretFile refuses those anyway.
    if (lstatSync(path).isFile()) chmodSync(path, 0o600);
    return { secret: readSecretFile(path), created: false };
  }
  const secret = randomBytes(SECRET_BYTES);
  try {
    writeSync(fd, `${secret.toString('hex')}\n`);
  } finally {
    closeSync(fd);
  }
  return { secret, created: true };
}
