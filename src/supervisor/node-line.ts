// What the supervisor reads from a node's stdout: one NDJSON line per event (src/node/event-stream.ts).
// The node is our own program, but a line is still input from another process: it is parsed with
// the depth limit, and a "state" line, which the model stores and the safety monitor reasons on, is
// checked field by field (state-line.ts) before the model takes it. A line that fails is reported as the node's
// bad output.
import { isObject, show, type JsonObject, type Validation } from '../schema/json-shape.js';
import { parseUntrustedJson } from '../schema/untrusted-json.js';
import { readStateLine } from './state-line.js';

/** One line of a node's stdout as a JSON object (a state line checked as NodeRaftState), or why not. */
export function parseNodeLine(text: string): Validation<JsonObject> {
  const json = parseUntrustedJson(text, 'the line');
  if (!json.ok) return { ok: false, problem: json.problem };
  const value = json.value;
  if (!isObject(value)) return { ok: false, problem: `the line must be a JSON object, got ${show(value)}` };
  if (value.kind !== 'state') return { ok: true, value };
  const { ts: _ts, node: _node, kind: _kind, ...fields } = value;
  const state = readStateLine(fields);
  return state.ok ? { ok: true, value } : { ok: false, problem: state.problem };
}
