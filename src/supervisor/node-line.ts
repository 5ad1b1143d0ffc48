// What the supervisor reads from a node's stdout: one NDJSON line per event (src/node/event-stream.ts).
// The node is our own program, but a line is still input from another process: each is parsed with
// the depth limit and checked once, here, and handed on typed: a "state" line as the node's state
// (src/node/state-line.ts), a "control" line with its answer (src/node/control.ts), any other as an
// event. A line that fails is the node's bad output, and says why.
import { readControlAnswer, type ControlAnswer } from '../node/control.js';
import { readStateLine, type StateLine } from '../node/state-line.js';
import { readStepLine, type StepLine } from '../node/step-line.js';
import { fail, has, isObject, show, string, uint, validate, type JsonObject } from '../schema/json-shape.js';
import { parseUntrustedJson } from '../schema/untrusted-json.js';

/** A line that is neither a state nor a control answer: one event of the node's story, as the node told it. */
export interface NodeEvent {
  /** When it happened (milliseconds since the epoch); when it was read if the node did not say. */
  ts: number;
  kind: string;
  type: string;
  /** The node's sentence for it; null if it gave none. */
  text: string | null;
  /** Its other fields. */
  data: JsonObject;
}

export type NodeLine =
  | { kind: 'state'; ts: number; state: StateLine }
  /** What step mode did with one of the node's messages: held, sent on, dropped. */
  | { kind: 'step'; ts: number; step: StepLine }
  /** `answer` is set on a "control" line: the answer to a command, which is an event of the story too. */
  | { kind: 'event'; event: NodeEvent; answer: ControlAnswer | null }
  /** A state line that does not have the shape: the node's last good state stands. */
  | { kind: 'bad-state'; ts: number; problem: string }
  /** A line that is not an event at all (not JSON, too deep, too long, no kind): `problem` ends with the line. */
  | { kind: 'bad-line'; problem: string };

/** One line of a node's stdout, read and checked. */
export function readNodeLine(text: string): NodeLine {
  const json = parseUntrustedJson(text, 'the line');
  const line = json.ok ? validate(() => read(json.value)) : json;
  return line.ok ? line.value : { kind: 'bad-line', problem: `${line.problem}: ${text}` };
}

function read(value: unknown): NodeLine {
  if (!isObject(value)) fail(`the line must be a JSON object, got ${show(value)}`);
  const ts = has(value, 'ts') ? uint(value, 'ts') : Date.now();
  const kind = string(value, 'kind');
  const { ts: _ts, node: _node, kind: _kind, ...fields } = value;
  if (kind === 'state') {
    const state = readStateLine(fields);
    return state.ok ? { kind, ts, state: state.value } : { kind: 'bad-state', ts, problem: state.problem };
  }
  if (kind === 'step') {
    const step = readStepLine(fields);
    if (!step.ok) fail(`a step line: ${step.problem}`);
    return { kind, ts, step: step.value };
  }
  const type = string(fields, 'type');
  const said = has(fields, 'text') ? string(fields, 'text') : null;
  const { type: _type, text: _text, ...data } = fields;
  let answer: ControlAnswer | null = null;
  if (kind === 'control') {
    const checked = readControlAnswer({ ...data, text: said });
    if (!checked.ok) fail(checked.problem);
    answer = checked.value;
  }
  return { kind: 'event', event: { ts, kind, type, text: said, data }, answer };
}
