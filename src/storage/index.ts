// The node's durable storage. The API and the files it keeps are described at the top of
// disk-storage.ts.
export { DataDirError, SnapshotRefusedError, type DataDirProblem, type SnapshotRefusal } from './errors.js';
export {
  DEFAULT_SEGMENT_BYTES,
  DiskStorage,
  type DiskStorageOptions,
  type OpenedStorage,
  type PersistStep,
  type RecoveryReport,
  type SnapshotWrite,
} from './disk-storage.js';
export type { TornTail } from './segment-files.js';
