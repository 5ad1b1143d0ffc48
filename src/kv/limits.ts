// Size limits on what a command may carry, and the default bound on client sessions.
//
// Sizes are UTF-8 bytes, as the log stores and the transport sends them. Every replica measures the
// same string the same way, so a command over a limit is refused identically everywhere. With these
// values one command stays far below the core's default maxBytesPerMsg (1 MiB), and what the
// session table remembers stays bounded: each session keeps its latest result, and a put's result
// holds the value it replaced, so sessions hold at most about
// DEFAULT_MAX_SESSIONS * (MAX_VALUE_BYTES + MAX_CLIENT_ID_BYTES) = about 16 MiB.

/** A key: 1 to 256 bytes. */
export const MAX_KEY_BYTES = 256;
/** A value, a cas's expected value, a submitted text: at most 16 KiB. */
export const MAX_VALUE_BYTES = 16 * 1024;
/** A client id: 1 to 64 bytes (a session is remembered under it). */
export const MAX_CLIENT_ID_BYTES = 64;
/** Sessions remembered before the least recently used one (by log index) is evicted. */
export const DEFAULT_MAX_SESSIONS = 1000;

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
