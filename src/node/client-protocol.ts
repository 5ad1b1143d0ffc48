// The requests a client sends to a node and the responses it gets, on the same framing and port as
// peers (hello kind "client"). docs/PROTOCOL.md is the contract; this is its code. Every request has
// an id, and every response answers it with that id.
import { commandProblem, type CommandResult, type KvCommand } from '../kv/index.js';
import type { RaftStatus } from '../raft/raft.js';
import { MAX_TERM_OR_INDEX, type Entry, type NodeId } from '../raft/types.js';
import {
  fail,
  has,
  object,
  oneOf,
  show,
  string,
  uint,
  uintAtMost,
  validate,
  type JsonObject,
  type Validation,
} from '../schema/json-shape.js';

export type RequestId = number;

/** Writes (submit, put, delete, cas) go through the log and are answered once applied. */
export type ClientRequest =
  | { id: RequestId; type: 'submit'; clientId: string; seq: number; text: string }
  | { id: RequestId; type: 'put'; clientId: string; seq: number; key: string; value: string }
  | { id: RequestId; type: 'delete'; clientId: string; seq: number; key: string }
  | { id: RequestId; type: 'cas'; clientId: string; seq: number; key: string; expected: string | null; value: string }
  | { id: RequestId; type: 'get'; key: string }
  | { id: RequestId; type: 'status' }
  | { id: RequestId; type: 'log'; from: number; to: number };

export type ClientErrorCode =
  /** This node is not the leader; `leader` says who is, when known: send the request there. */
  | 'not-leader'
  /** Leadership changed before the request completed: its outcome is unknown, retry it (same seq). */
  | 'leadership-lost'
  /** The request waited longer than the node's limit (no quorum?): outcome unknown, retry. */
  | 'timeout'
  /** The node is shutting down: retry elsewhere. */
  | 'unavailable'
  /** The state machine refused the command (see the KV error codes). */
  | CommandResultError;
type CommandResultError = Extract<CommandResult, { ok: false }>['code'];

export interface LeaderHint {
  id: NodeId;
  /** host:port to connect to, when this node knows it. */
  address: string | null;
}

export interface ErrorResponse {
  id: RequestId;
  ok: false;
  error: { code: ClientErrorCode; message: string };
  /** Set on not-leader and leadership-lost: the leader this node knows of (null: none known). */
  leader?: LeaderHint | null;
}

export type WriteResponse = { id: RequestId; ok: true; index: number; term: number; result: Extract<CommandResult, { ok: true }> };
export type GetResponse = { id: RequestId; ok: true; key: string; value: string | null; index: number };
export type StatusResponse = { id: RequestId; ok: true; status: NodeStatus };
export type LogResponse = {
  id: RequestId;
  ok: true;
  firstIndex: number;
  commit: number;
  entries: Array<Entry & { committed: boolean }>;
};
export type ClientResponse = WriteResponse | GetResponse | StatusResponse | LogResponse | ErrorResponse;

/** Everything a node believes, as `status` answers it. */
export interface NodeStatus extends RaftStatus {
  clusterId: string;
  address: string;
  unsafeNoFsync: boolean;
  /** Run with --insecure-no-auth: it admits any peer or client that can reach its port. */
  insecureNoAuth: boolean;
  kv: { keys: number; sessions: number; submitted: number };
}

/** At most this many entries per `log` answer. */
export const MAX_LOG_ENTRIES = 1000;

const WRITE_FIELDS = ['id', 'type', 'clientId', 'seq'];

/**
 * A request, or the first problem. A write whose command the state machine would refuse as
 * malformed (an empty key or clientId, a clientId over its limit, seq 0) is refused here, before it
 * could be proposed; one over a size limit is not: its answer is the 'too-large' error response.
 */
export function validateClientRequest(value: unknown): Validation<ClientRequest> {
  return validate(() => {
    const request = readRequest(value);
    if ('clientId' in request) {
      const problem = commandProblem(commandOf(request));
      if (problem !== null && problem.code !== 'too-large') fail(problem.message);
    }
    return request;
  });
}

function readRequest(value: unknown): ClientRequest {
  const head = object(value, '', ['id', 'type', 'clientId', 'seq', 'text', 'key', 'value', 'expected', 'from', 'to']);
  const id = uint(head, 'id');
  const type = oneOf(head, 'type', ['submit', 'put', 'delete', 'cas', 'get', 'status', 'log'] as const);
  switch (type) {
    case 'submit': {
      const o = object(value, '', [...WRITE_FIELDS, 'text']);
      return { id, type, clientId: string(o, 'clientId'), seq: uint(o, 'seq'), text: string(o, 'text') };
    }
    case 'put': {
      const o = object(value, '', [...WRITE_FIELDS, 'key', 'value']);
      return { id, type, clientId: string(o, 'clientId'), seq: uint(o, 'seq'), key: string(o, 'key'), value: string(o, 'value') };
    }
    case 'delete': {
      const o = object(value, '', [...WRITE_FIELDS, 'key']);
      return { id, type, clientId: string(o, 'clientId'), seq: uint(o, 'seq'), key: string(o, 'key') };
    }
    case 'cas': {
      const o = object(value, '', [...WRITE_FIELDS, 'key', 'expected', 'value']);
      return {
        id,
        type,
        clientId: string(o, 'clientId'),
        seq: uint(o, 'seq'),
        key: string(o, 'key'),
        expected: nullableString(o, 'expected'),
        value: string(o, 'value'),
      };
    }
    case 'get':
      return { id, type, key: string(object(value, '', ['id', 'type', 'key']), 'key') };
    case 'status':
      object(value, '', ['id', 'type']);
      return { id, type };
    case 'log': {
      const o = object(value, '', ['id', 'type', 'from', 'to']);
      // Indexes within the range a node takes from anywhere (2^48), so from + 999 stays exact.
      const from = has(o, 'from') ? uintAtMost(o, 'from', MAX_TERM_OR_INDEX) : 0;
      const to = has(o, 'to') ? uintAtMost(o, 'to', MAX_TERM_OR_INDEX) : MAX_TERM_OR_INDEX;
      if (to < from) fail(`to (${to}) must not be below from (${from})`);
      return { id, type, from, to };
    }
  }
}

function nullableString(o: JsonObject, key: string): string | null {
  if (!has(o, key)) fail(`${key} must be a string or null, got nothing`);
  const v = o[key];
  if (v !== null && typeof v !== 'string') fail(`${key} must be a string or null, got ${show(v)}`);
  return v;
}

/** The KV command a write request asks for. */
export function commandOf(r: Extract<ClientRequest, { clientId: string }>): KvCommand {
  switch (r.type) {
    case 'submit':
      return { op: 'submit', clientId: r.clientId, seq: r.seq, text: r.text };
    case 'put':
      return { op: 'put', clientId: r.clientId, seq: r.seq, key: r.key, value: r.value };
    case 'delete':
      return { op: 'delete', clientId: r.clientId, seq: r.seq, key: r.key };
    case 'cas':
      return { op: 'cas', clientId: r.clientId, seq: r.seq, key: r.key, expected: r.expected, value: r.value };
  }
}
