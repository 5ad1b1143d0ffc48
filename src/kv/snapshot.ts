// The state machine's snapshot string: what feeds the core's compact(index, data) and comes back
// through InstallSnapshot or a restart. One line of JSON with a version, so a later build can read
// an older snapshot. It is canonical: keys sorted, sessions least recently used first, so replicas
// that applied the same log produce byte-identical snapshots.
//
// {"v":2,"appliedIndex":42,"digest":"5f0c2a9e81d4b7c3","maxSessions":1000,"submitted":3,
//  "data":[["color","red"],["size","9"]],
//  "sessions":[{"clientId":"c1","seq":4,"lastIndex":40,"result":{"ok":true,"op":"put","previous":null}}]}
//
// The digest (digest.ts) is the applied-state digest at appliedIndex, so a node that installs the
// snapshot continues the chain. Version 1 had none: a machine restored from one has no digest.
//
// Decoding checks everything, since a restored machine must behave exactly like the one that was
// serialized: a damaged string is refused with an error naming the first problem, never half-loaded.
import {
  array,
  at,
  boolean,
  fail,
  field,
  intAtLeast,
  isObject,
  object,
  oneOf,
  onlyFields,
  parseJson,
  show,
  string,
  stringOrNull,
  validate,
} from '../schema/json-shape.js';
import { DIGEST_PATTERN } from './digest.js';
import type { CommandOutcome, CommandResult, KvErrorCode } from './result.js';
import type { Session } from './sessions.js';

export const SNAPSHOT_VERSION = 2;

export interface KvSnapshot {
  appliedIndex: number;
  /** The applied-state digest at appliedIndex; null when unknown (read from a version 1 snapshot). */
  digest: string | null;
  maxSessions: number;
  submitted: number;
  data: [string, string][];
  /** Least recently used first. */
  sessions: Session[];
}

export type KvSnapshotProblem = 'not-json' | 'unsupported-version' | 'invalid';

/** restore() was handed a string it will not load; `problem` is for programs, the message for people. */
export class KvSnapshotError extends Error {
  override readonly name = 'KvSnapshotError';

  constructor(
    readonly problem: KvSnapshotProblem,
    message: string,
  ) {
    super(message);
  }
}

const FIELDS = ['v', 'appliedIndex', 'digest', 'maxSessions', 'submitted', 'data', 'sessions'] as const;
const V1_FIELDS = FIELDS.filter((f) => f !== 'digest');
const SESSION_FIELDS = ['clientId', 'seq', 'lastIndex', 'result'] as const;
// Written as records so the compiler checks that every code and op is listed.
const ERROR_CODES = Object.keys({
  malformed: true,
  'unsupported-version': true,
  'too-large': true,
  'stale-sequence': true,
  'session-expired': true,
} satisfies Record<KvErrorCode, true>) as KvErrorCode[];
const OPS = Object.keys({ submit: true, put: true, delete: true, cas: true } satisfies Record<
  CommandOutcome['op'],
  true
>) as CommandOutcome['op'][];

export function encodeSnapshot(s: KvSnapshot): string {
  const data = [...s.data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const sessions = s.sessions.map(({ clientId, seq, lastIndex, result }) => ({ clientId, seq, lastIndex, result }));
  const { appliedIndex, digest, maxSessions, submitted } = s;
  return JSON.stringify({ v: SNAPSHOT_VERSION, appliedIndex, digest, maxSessions, submitted, data, sessions });
}

/** Throws a KvSnapshotError naming the first problem found. */
export function decodeSnapshot(text: string): KvSnapshot {
  const parsed = validate(() => parseJson(text, 'the kv snapshot'));
  if (!parsed.ok) throw new KvSnapshotError('not-json', `${parsed.problem} (is it truncated?)`);
  const root = parsed.value;
  const v = isObject(root) ? field(root, 'v') : undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > SNAPSHOT_VERSION)
    throw new KvSnapshotError(
      'unsupported-version',
      `kv snapshot version ${v} is not supported: this build reads version ${SNAPSHOT_VERSION}`,
    );
  const read = validate(() => readSnapshot(root));
  if (!read.ok) throw new KvSnapshotError('invalid', `the kv snapshot is invalid: ${read.problem}`);
  return read.value;
}

function readSnapshot(value: unknown): KvSnapshot {
  const o = object(value, 'the snapshot');
  const v = field(o, 'v');
  if (v !== SNAPSHOT_VERSION && v !== 1) fail(`v must be the snapshot version ${SNAPSHOT_VERSION} (or 1), got ${show(v)}`);
  onlyFields(o, 'the snapshot', v === 1 ? V1_FIELDS : FIELDS);
  const appliedIndex = intAtLeast(o, 'appliedIndex', 0);
  const digest = v === 1 ? null : string(o, 'digest');
  if (digest !== null && !DIGEST_PATTERN.test(digest)) fail(`digest must be 16 hex digits, got ${show(digest)}`);
  const maxSessions = intAtLeast(o, 'maxSessions', 1);
  const submitted = intAtLeast(o, 'submitted', 0);
  const pairs = array(o, 'data');
  const data = pairs.map((_, i) => readPair(pairs, i));
  data.forEach(([key], i) => {
    if (i > 0 && !((data[i - 1] as [string, string])[0] < key)) fail(`data[${i}] is out of order: keys must be sorted and unique`);
  });
  const list = array(o, 'sessions');
  const sessions = list.map((s, i) => readSession(s, at('sessions', i), appliedIndex));
  if (sessions.length > maxSessions) fail(`it holds ${sessions.length} sessions, over its maxSessions of ${maxSessions}`);
  const clients = new Set<string>();
  sessions.forEach((s, i) => {
    if (clients.has(s.clientId)) fail(`sessions[${i}] repeats client ${show(s.clientId)}`);
    clients.add(s.clientId);
    if (i > 0 && !((sessions[i - 1] as Session).lastIndex < s.lastIndex)) fail(`sessions[${i}] is out of order: lastIndex must increase`);
  });
  return { appliedIndex, digest, maxSessions, submitted, data, sessions };
}

function readPair(pairs: unknown[], i: number): [string, string] {
  const path = at('data', i);
  const pair = array(pairs, i, 'data');
  if (pair.length !== 2) fail(`${path} must be a [key, value] pair, got ${show(pair)}`);
  const key = string(pair, 0, path);
  if (key === '') fail(`${path}[0] is an empty key`);
  return [key, string(pair, 1, path)];
}

function readSession(value: unknown, path: string, appliedIndex: number): Session {
  const o = object(value, path);
  onlyFields(o, path, SESSION_FIELDS);
  const clientId = string(o, 'clientId', path);
  if (clientId === '') fail(`${path}.clientId must not be empty`);
  const seq = intAtLeast(o, 'seq', 1, path);
  const lastIndex = intAtLeast(o, 'lastIndex', 1, path);
  if (lastIndex > appliedIndex) fail(`${path}.lastIndex ${lastIndex} is beyond appliedIndex ${appliedIndex}`);
  return { clientId, seq, lastIndex, result: readResult(field(o, 'result'), at(path, 'result')) };
}

function readResult(value: unknown, path: string): CommandResult {
  const o = object(value, path);
  if (!boolean(o, 'ok', path)) {
    onlyFields(o, path, ['ok', 'code', 'message']);
    return { ok: false, code: oneOf(o, 'code', ERROR_CODES, path), message: string(o, 'message', path) };
  }
  const op = oneOf(o, 'op', OPS, path);
  switch (op) {
    case 'submit':
      onlyFields(o, path, ['ok', 'op']);
      return { ok: true, op };
    case 'put':
      onlyFields(o, path, ['ok', 'op', 'previous']);
      return { ok: true, op, previous: stringOrNull(o, 'previous', path) };
    case 'delete':
      onlyFields(o, path, ['ok', 'op', 'existed']);
      return { ok: true, op, existed: boolean(o, 'existed', path) };
    case 'cas':
      if (boolean(o, 'swapped', path)) {
        onlyFields(o, path, ['ok', 'op', 'swapped']);
        return { ok: true, op, swapped: true };
      }
      onlyFields(o, path, ['ok', 'op', 'swapped', 'current']);
      return { ok: true, op, swapped: false, current: stringOrNull(o, 'current', path) };
  }
}
