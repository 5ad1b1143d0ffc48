// The targets for `npm run bench -- --vs etcd`, as ratios against etcd 3.4 measured on the
// same machine in the same run: throughput at least `ratio` times etcd's, and (for writes) a p99 at
// or below etcd's in the same row. Rows with another client count are measured but have no aim.

export type LoadKind = 'writes' | 'reads';

/** Writes at 1 / 16 / 64 clients; linearizable reads at 64 clients. */
const AIMS: Record<LoadKind, ReadonlyMap<number, number>> = {
  writes: new Map([
    [1, 1.2],
    [16, 1.5],
    [64, 2],
  ]),
  reads: new Map([[64, 1.5]]),
};

export interface Aim {
  /** Our throughput at least this many times etcd's. */
  ratio: number;
  /** Our p99 at or below etcd's in the same row. */
  p99AtMostEtcd: boolean;
}

export function aimFor(kind: LoadKind, clients: number): Aim | null {
  const ratio = AIMS[kind].get(clients);
  return ratio === undefined ? null : { ratio, p99AtMostEtcd: kind === 'writes' };
}

/** ours / theirs, or null when either is unknown or theirs is not positive. */
export function ratioOf(ours: number | null | undefined, theirs: number | null | undefined): number | null {
  if (ours == null || theirs == null || !Number.isFinite(ours) || !Number.isFinite(theirs) || theirs <= 0) return null;
  return ours / theirs;
}

/** Whether our throughput meets the aim (null: no aim, or no etcd figure to compare with). */
export function throughputMet(aim: Aim | null, ours: number | null, etcd: number | null): boolean | null {
  const r = ratioOf(ours, etcd);
  return aim === null || r === null ? null : r >= aim.ratio;
}

/** Whether our p99 is at or below etcd's, when the aim asks for it (null: it does not, or no figures). */
export function p99Met(aim: Aim | null, ours: number | null, etcd: number | null): boolean | null {
  if (aim === null || !aim.p99AtMostEtcd || ours == null || etcd == null || Number.isNaN(ours) || Number.isNaN(etcd)) return null;
  return ours <= etcd;
}
