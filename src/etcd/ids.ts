// etcd's member and cluster ids are uint64s: its JSON API writes them as decimal strings, its logs
// as hex without leading zeros. Neither fits a JS number, so they stay strings, converted through
// BigInt. raft-console keeps the hex form (what a user sees in etcd's own logs and etcdctl's
// tables) and converts at the API's edge.

const DECIMAL = /^[0-9]{1,20}$/;
const HEX = /^[0-9a-f]{1,16}$/;
const MAX = (1n << 64n) - 1n;

/** "10501334649042878790" -> "91bc3c398fb3c146"; null when it is not a uint64 in decimal. */
export function hexId(decimal: string): string | null {
  if (!DECIMAL.test(decimal)) return null;
  const v = BigInt(decimal);
  return v > MAX ? null : v.toString(16);
}

/** "91bc3c398fb3c146" -> "10501334649042878790"; null when it is not a uint64 in hex. */
export function decimalId(hex: string): string | null {
  const h = hex.toLowerCase();
  return HEX.test(h) ? BigInt(`0x${h}`).toString(10) : null;
}

/** Whether a string is a member id as raft-console keeps it (lowercase hex, no leading zeros, not 0). */
export function isHexId(s: string): boolean {
  return HEX.test(s) && !s.startsWith('0');
}
