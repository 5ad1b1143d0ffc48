// A node's "step" lines (event-stream.ts): what step mode did with its messages, for the supervisor
// to keep the model's list of held messages (ClusterModel.step). Each message the core sent while
// held, each held message sent on (and what the fault filter did with it) or dropped. Read back by
// the supervisor like every line of a child process: every field checked.
import type { MessageType, NodeId } from '../raft/types.js';
import {
  at,
  fail,
  field,
  isObject,
  nodeId,
  object,
  oneOf,
  show,
  string,
  uint,
  validate,
  type JsonObject,
  type Validation,
} from '../schema/json-shape.js';
import { MESSAGE_TYPES } from '../transport/message-schema.js';
import { DROP_CAUSES } from '../transport/stats.js';
import { HELD_ID, type HeldDetail } from '../transport/step-hold.js';
import type { SendFate } from '../transport/transport.js';

export type StepLine =
  /** The core sent a message, held (heldAt: ms epoch). */
  | { type: 'held'; id: string; to: NodeId; message: MessageType; term: number; detail: HeldDetail; heldAt: number }
  /** A held message was let go: delivered, or at the end of step mode; `fate` is what the fault filter did with it. */
  | { type: 'sent'; id: string; fate: SendFate }
  /** A held message was thrown away. */
  | { type: 'dropped'; id: string };

const FATES: readonly SendFate[] = ['queued', 'delayed', ...DROP_CAUSES];

function heldId(o: JsonObject): string {
  const id = string(o, 'id');
  if (!HELD_ID.test(id)) fail(`id must be a held message's id such as "1.4", got ${show(id)}`);
  return id;
}

/** A held message's detail (here and in the model, HeldMessage.detail): flat fields of numbers, strings and flags only. */
export function readHeldDetail(v: unknown, path: string): HeldDetail {
  if (!isObject(v)) fail(`${path} must be an object, got ${show(v)}`);
  const out: HeldDetail = {};
  for (const [key, x] of Object.entries(v)) {
    if (typeof x !== 'number' && typeof x !== 'string' && typeof x !== 'boolean')
      fail(`${at(path, key)} must be a number, a string or true/false, got ${show(x)}`);
    out[key] = x;
  }
  return out;
}

/** The fields of a step line (without ts, node and kind), checked. */
export function readStepLine(data: JsonObject): Validation<StepLine> {
  return validate((): StepLine => {
    const type = oneOf(data, 'type', ['held', 'sent', 'dropped'] as const);
    switch (type) {
      case 'held': {
        const o = object(data, 'step', ['type', 'id', 'to', 'message', 'term', 'detail', 'heldAt']);
        return {
          type,
          id: heldId(o),
          to: nodeId(o, 'to'),
          message: oneOf(o, 'message', MESSAGE_TYPES),
          term: uint(o, 'term'),
          detail: readHeldDetail(field(o, 'detail'), 'detail'),
          heldAt: uint(o, 'heldAt'),
        };
      }
      case 'sent': {
        const o = object(data, 'step', ['type', 'id', 'fate']);
        return { type, id: heldId(o), fate: oneOf(o, 'fate', FATES) };
      }
      case 'dropped':
        return { type, id: heldId(object(data, 'step', ['type', 'id'])) };
    }
  });
}
