// The writes clients send through the Raft log, and their encoding as NormalEntry.data: one line of
// JSON whose "v" names the encoding version. A later build can add commands or fields under a new
// version and still read this one; a build that meets a version it does not know answers
// 'unsupported-version' without applying anything. Unknown fields are refused rather than ignored: a
// field this build skipped could carry a meaning that another build honours, and replicas would
// diverge.
//
// Every write carries its client's session, (clientId, seq), for exactly-once application
// (sessions.ts). Reads do not go through the log (they use ReadIndex), so there is no get command.
import {
  fail,
  field,
  intAtLeast,
  object,
  oneOf,
  onlyFields,
  parseJson,
  show,
  string,
  stringOrNull,
  validate,
  type JsonObject,
} from '../schema/json-shape.js';
import { MAX_CLIENT_ID_BYTES, MAX_KEY_BYTES, MAX_VALUE_BYTES, utf8Bytes } from './limits.js';
import { commandError, type CommandError } from './result.js';

export const COMMAND_VERSION = 1;

interface SessionFields {
  /** Chosen by the client, unique to it (e.g. random): 1 to MAX_CLIENT_ID_BYTES bytes. */
  clientId: string;
  /** 1 for the client's first write, then increasing (gaps allowed); one write in flight at a time. */
  seq: number;
}
/** Appends an opaque text to the log; the state machine only counts it. */
export interface SubmitCommand extends SessionFields {
  op: 'submit';
  text: string;
}
export interface PutCommand extends SessionFields {
  op: 'put';
  key: string;
  value: string;
}
export interface DeleteCommand extends SessionFields {
  op: 'delete';
  key: string;
}
/** Sets `key` to `value` if its current value is `expected` (null: only if the key is absent). */
export interface CasCommand extends SessionFields {
  op: 'cas';
  key: string;
  expected: string | null;
  value: string;
}
export type KvCommand = SubmitCommand | PutCommand | DeleteCommand | CasCommand;
export type KvOp = KvCommand['op'];

export type DecodedCommand = { ok: true; command: KvCommand } | { ok: false; error: CommandError };

/** The fields of each command on the wire, in the order encodeCommand writes them. */
const WIRE_FIELDS: Record<KvOp, readonly string[]> = {
  submit: ['v', 'op', 'clientId', 'seq', 'text'],
  put: ['v', 'op', 'clientId', 'seq', 'key', 'value'],
  delete: ['v', 'op', 'clientId', 'seq', 'key'],
  cas: ['v', 'op', 'clientId', 'seq', 'key', 'expected', 'value'],
};
const OPS = Object.keys(WIRE_FIELDS) as KvOp[];

/**
 * The entry data for `command`. Throws a RangeError when the command is not one the state machine
 * would run (a bad field, or a key or value over its limit), so a client finds out before proposing.
 */
export function encodeCommand(command: KvCommand): string {
  const data = wireData(command);
  const problem = dataProblem(data);
  if (problem !== null) throw new RangeError(`cannot encode kv command: ${problem.message}`);
  return data;
}

/**
 * Why the state machine would refuse `command` without running it: 'malformed' (a field it does not
 * take) or 'too-large' (over a limit); null when it would run it. For a node checking a client's
 * write before proposing it.
 */
export function commandProblem(command: KvCommand): CommandError | null {
  return dataProblem(wireData(command));
}

function wireData(command: KvCommand): string {
  const source = command as unknown as JsonObject;
  const wire: JsonObject = {};
  // Copy only the command's own fields, in a fixed order: the same command always encodes alike.
  // An op this build does not know (from an untyped caller) is copied alone; the check names it.
  const fields = Object.hasOwn(WIRE_FIELDS, command.op) ? WIRE_FIELDS[command.op] : ['v', 'op'];
  for (const key of fields) wire[key] = key === 'v' ? COMMAND_VERSION : source[key];
  return JSON.stringify(wire);
}

/**
 * Reading the data back is what makes the guarantee: the encoder and the state machine share one
 * validator.
 */
function dataProblem(data: string): CommandError | null {
  const decoded = decodeCommand(data);
  if (!decoded.ok) return decoded.error;
  const over = limitViolation(decoded.command);
  return over === null ? null : commandError('too-large', over);
}

/**
 * Reads entry data as a command. Never throws: data that is not a command gives 'malformed' (or
 * 'unsupported-version'), with a message that depends on the data alone, the same on every replica.
 * Limits are not checked here: an over-limit command is well formed, and its refusal belongs to its
 * session (see limitViolation).
 */
export function decodeCommand(data: string): DecodedCommand {
  const envelope = validate(() => object(parseJson(data, 'the entry data'), 'the command'));
  if (!envelope.ok) return { ok: false, error: commandError('malformed', envelope.problem) };
  const v = field(envelope.value, 'v');
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > COMMAND_VERSION)
    return {
      ok: false,
      error: commandError('unsupported-version', `command version ${v} is not supported: this build reads version ${COMMAND_VERSION}`),
    };
  const read = validate(() => readCommand(envelope.value));
  return read.ok ? { ok: true, command: read.value } : { ok: false, error: commandError('malformed', read.problem) };
}

/** Why `command` is over a size limit, or null when it is within them all. */
export function limitViolation(command: KvCommand): string | null {
  switch (command.op) {
    case 'submit':
      return over('text', command.text, MAX_VALUE_BYTES);
    case 'put':
      return over('key', command.key, MAX_KEY_BYTES) ?? over('value', command.value, MAX_VALUE_BYTES);
    case 'delete':
      return over('key', command.key, MAX_KEY_BYTES);
    case 'cas':
      return (
        over('key', command.key, MAX_KEY_BYTES) ??
        over('expected', command.expected, MAX_VALUE_BYTES) ??
        over('value', command.value, MAX_VALUE_BYTES)
      );
  }
}

function over(name: string, text: string | null, limit: number): string | null {
  const bytes = text === null ? 0 : utf8Bytes(text);
  return bytes > limit ? `${name} is ${bytes} bytes, over the limit of ${limit}` : null;
}

function readCommand(o: JsonObject): KvCommand {
  if (field(o, 'v') !== COMMAND_VERSION) fail(`v must be the command version ${COMMAND_VERSION}, got ${show(field(o, 'v'))}`);
  const op = oneOf(o, 'op', OPS);
  onlyFields(o, `a ${op} command`, WIRE_FIELDS[op]);
  const clientId = string(o, 'clientId');
  if (clientId === '' || utf8Bytes(clientId) > MAX_CLIENT_ID_BYTES)
    fail(`clientId must be 1 to ${MAX_CLIENT_ID_BYTES} bytes, got ${show(clientId)}`);
  const seq = intAtLeast(o, 'seq', 1);
  switch (op) {
    case 'submit':
      return { op, clientId, seq, text: string(o, 'text') };
    case 'put':
      return { op, clientId, seq, key: readKey(o), value: string(o, 'value') };
    case 'delete':
      return { op, clientId, seq, key: readKey(o) };
    case 'cas':
      return {
        op,
        clientId,
        seq,
        key: readKey(o),
        expected: stringOrNull(o, 'expected'),
        value: string(o, 'value'),
      };
  }
}

function readKey(o: JsonObject): string {
  const key = string(o, 'key');
  if (key === '') fail('key must not be empty');
  return key;
}
