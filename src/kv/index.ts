// The replicated key-value state machine: what the node runtime applies committed entries to, and
// what clients encode their writes with. See docs/PROTOCOL.md, section 4, for the wire format.
export { KvStateMachine, type ApplyResult, type KvOptions, type KvStats } from './state-machine.js';
export {
  COMMAND_VERSION,
  commandProblem,
  decodeCommand,
  encodeCommand,
  limitViolation,
  type CasCommand,
  type DecodedCommand,
  type DeleteCommand,
  type KvCommand,
  type KvOp,
  type PutCommand,
  type SubmitCommand,
} from './command.js';
export type { CommandError, CommandOutcome, CommandResult, KvErrorCode } from './result.js';
export { DEFAULT_MAX_SESSIONS, MAX_CLIENT_ID_BYTES, MAX_KEY_BYTES, MAX_VALUE_BYTES } from './limits.js';
export { DIGEST_PATTERN, GENESIS_DIGEST, nextDigest } from './digest.js';
export { KvSnapshotError, SNAPSHOT_VERSION, type KvSnapshotProblem } from './snapshot.js';
