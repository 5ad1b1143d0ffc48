// The one error class of the cluster's code (src/cluster-model, src/supervisor) that a user can fix.
// Its message names the cause and the fix, for people: the CLI prints it as it is. Programs read
// its `problem`, a code and the values it is about, never the message. Anything else is a bug and
// keeps its stack.
import { array, at, boolean, field, object, oneOf, string, stringOrNull, uint, type JsonObject } from '../schema/json-shape.js';
import { PROCESS_STATES, type ProcessState } from './model.js';
import { ENGINE_KINDS, type EngineKind } from './engine.js';
import { STEP_TIMERS, type StepTimer } from '../node/step-mode.js';

export type ClusterProblem =
  /** No supervisor answers for that cluster name (the CLI exits 3). */
  | { code: 'not-running' }
  /** A port the cluster needs is taken; `owner` names the process holding it when that can be known. */
  | { code: 'port-in-use'; port: number; owner: string | null }
  /** A file of the cluster folder is damaged, or not one the supervisor wrote. */
  | { code: 'bad-file'; path: string }
  /** A file, or a folder of files, larger than its reader takes (a recording's segment or the whole recording: `limit`, from the recording cap), left unread. */
  | { code: 'too-big'; path: string; bytes: number; limit: number }
  /** An action named a node the cluster does not have (`removed`: it had it once). */
  | { code: 'not-a-node'; node: number; removed: boolean }
  /** An action cannot be done to a node in its process state, e.g. kill a node that is already down. */
  | { code: 'node-state'; node: number; op: string; state: ProcessState }
  /** An action listed a node twice. */
  | { code: 'listed-twice'; node: number }
  /** No leader within `waitedMs`: `running` of `voters` voters run and `needed` make a majority; `faults`: the network has faults. */
  | { code: 'no-leader'; waitedMs: number; running: number; voters: number; needed: number; faults: boolean }
  /** The supervisor is stopping the cluster: no other action now. */
  | { code: 'shutting-down' }
  /** A partition of fewer than two groups. */
  | { code: 'one-group' }
  /** A link from a node to itself. */
  | { code: 'same-node'; node: number }
  /** A link change that says neither a drop nor a delay. */
  | { code: 'link-unsaid' }
  /** A transfer to the node that leads already. */
  | { code: 'already-leader'; node: number; term: number }
  /** Isolating the only node there is. */
  | { code: 'only-node'; node: number }
  /** Promoting a node that is not a learner: a voter already (`voter`), or in no configuration. */
  | { code: 'not-a-learner'; node: number; voter: boolean }
  /** Removing the last voter. */
  | { code: 'last-voter'; node: number }
  /** A node being started was killed or stopped before it was up. */
  | { code: 'interrupted'; node: number; by: 'killed' | 'stopped' }
  /** A node exited before it was up; `cause` is its own account (its last stderr line without one). */
  | { code: 'did-not-start'; node: number; cause: string | null }
  /** Attached to a cluster read-only (`dashboard --etcd` without --allow-changes): `op` changes it. */
  | { code: 'read-only'; op: string }
  /** The cluster's engine cannot do that action (etcd: campaign, replace, speed; fsync off, known bugs), or (`remote`) raft-console does not run its members (kill, partition... on `dashboard --etcd`). */
  | { code: 'engine-unsupported'; op: string; engine: EngineKind; remote: boolean }
  /** The etcd binary is not there (`bin`: what was looked for). */
  | { code: 'etcd-missing'; bin: string }
  /** `up --engine` named another engine than the one the existing cluster runs. */
  | { code: 'engine-mismatch'; engine: EngineKind; asked: EngineKind }
  /** etcd refused or failed an action (`cause`: its own words, or why it could not be reached). */
  | { code: 'etcd-failed'; op: string; cause: string }
  /** A step mode action (deliver, drop, fire, advance) while the cluster is not stepping. */
  | { code: 'step-off'; op: string }
  /** Held messages asked for that no node holds (now): delivered, dropped, or lost with their sender. */
  | { code: 'not-held'; ids: string[] }
  /** `fire` on a node that has no such timer: an election timeout on a leader or a learner, a heartbeat on a follower. */
  | { code: 'no-timer'; node: number; timer: StepTimer }
  /** A recording is replayed, not run: nothing can be done to it. */
  | { code: 'replay' }
  /** An aimed episode of `check` cannot run on this cluster: its voters or its switches are not what the schedule needs. */
  | { code: 'unfit-cluster'; episode: string; voters: number; preVote: boolean; checkQuorum: boolean }
  /** Anything else. */
  | { code: 'failed' };

export type ClusterErrorCode = ClusterProblem['code'];

const FAILED: ClusterProblem = { code: 'failed' };

export class ClusterError extends Error {
  override readonly name = 'ClusterError';

  constructor(
    message: string,
    readonly problem: ClusterProblem = FAILED,
  ) {
    super(message);
  }
}

// A record, so that the compiler checks that every code is listed.
const CODES = Object.keys({
  'not-running': true,
  'port-in-use': true,
  'bad-file': true,
  'too-big': true,
  'not-a-node': true,
  'node-state': true,
  'listed-twice': true,
  'no-leader': true,
  'shutting-down': true,
  'one-group': true,
  'same-node': true,
  'link-unsaid': true,
  'already-leader': true,
  'only-node': true,
  'not-a-learner': true,
  'last-voter': true,
  interrupted: true,
  'did-not-start': true,
  'read-only': true,
  'engine-unsupported': true,
  'etcd-missing': true,
  'engine-mismatch': true,
  'etcd-failed': true,
  'step-off': true,
  'not-held': true,
  'no-timer': true,
  replay: true,
  'unfit-cluster': true,
  failed: true,
} satisfies Record<ClusterErrorCode, true>) as ClusterErrorCode[];

/** The problem in field `key` of `o`, as it crossed a process boundary (`raft-console supervise` reports one on stdout). */
export function readClusterProblem(o: JsonObject, key: string, path = ''): ClusterProblem {
  const where = at(path, key);
  const p = object(field(o, key), where);
  const code = oneOf(p, 'code', CODES, where);
  switch (code) {
    case 'port-in-use':
      return { code, port: uint(p, 'port', where), owner: stringOrNull(p, 'owner', where) };
    case 'bad-file':
      return { code, path: string(p, 'path', where) };
    case 'too-big':
      return { code, path: string(p, 'path', where), bytes: uint(p, 'bytes', where), limit: uint(p, 'limit', where) };
    case 'not-a-node':
      return { code, node: uint(p, 'node', where), removed: boolean(p, 'removed', where) };
    case 'node-state':
      return { code, node: uint(p, 'node', where), op: string(p, 'op', where), state: oneOf(p, 'state', PROCESS_STATES, where) };
    case 'listed-twice':
    case 'same-node':
    case 'only-node':
    case 'last-voter':
      return { code, node: uint(p, 'node', where) };
    case 'already-leader':
      return { code, node: uint(p, 'node', where), term: uint(p, 'term', where) };
    case 'not-a-learner':
      return { code, node: uint(p, 'node', where), voter: boolean(p, 'voter', where) };
    case 'interrupted':
      return { code, node: uint(p, 'node', where), by: oneOf(p, 'by', ['killed', 'stopped'], where) };
    case 'did-not-start':
      return { code, node: uint(p, 'node', where), cause: stringOrNull(p, 'cause', where) };
    case 'read-only':
      return { code, op: string(p, 'op', where) };
    case 'engine-unsupported':
      return { code, op: string(p, 'op', where), engine: oneOf(p, 'engine', ENGINE_KINDS, where), remote: boolean(p, 'remote', where) };
    case 'etcd-missing':
      return { code, bin: string(p, 'bin', where) };
    case 'engine-mismatch':
      return { code, engine: oneOf(p, 'engine', ENGINE_KINDS, where), asked: oneOf(p, 'asked', ENGINE_KINDS, where) };
    case 'etcd-failed':
      return { code, op: string(p, 'op', where), cause: string(p, 'cause', where) };
    case 'step-off':
      return { code, op: string(p, 'op', where) };
    case 'not-held': {
      const list = array(p, 'ids', where);
      return { code, ids: list.map((_, i) => string(list, i, at(where, 'ids'))) };
    }
    case 'no-timer':
      return { code, node: uint(p, 'node', where), timer: oneOf(p, 'timer', STEP_TIMERS, where) };
    case 'unfit-cluster':
      return {
        code,
        episode: string(p, 'episode', where),
        voters: uint(p, 'voters', where),
        preVote: boolean(p, 'preVote', where),
        checkQuorum: boolean(p, 'checkQuorum', where),
      };
    case 'no-leader':
      return {
        code,
        waitedMs: uint(p, 'waitedMs', where),
        running: uint(p, 'running', where),
        voters: uint(p, 'voters', where),
        needed: uint(p, 'needed', where),
        faults: boolean(p, 'faults', where),
      };
    default:
      return { code };
  }
}
