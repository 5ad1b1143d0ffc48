// The supervisor's control channel to a node it started: NDJSON commands on the node's stdin, one
// answer each on stdout (kind "control"). Faults, forced elections, transfers, membership changes
// and speed changes all go this way, and stdin closing means the supervisor is gone, so the node
// stops: a supervisor killed with SIGKILL leaves no orphan behind.
import type { Readable } from 'node:stream';
import type { ConfChange, NodeId } from '../raft/types.js';
import type { FaultSettings, LinkFault, Transport } from '../transport/index.js';
import {
  array,
  boolean,
  fail,
  has,
  isNodeId,
  isObject,
  nodeId,
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
import { readBoundedLines } from '../schema/bounded-lines.js';
import { parseUntrustedJson } from '../schema/untrusted-json.js';
import type { RaftDriver } from './raft-driver.js';
import { parseStepCommand, runStepCommand, STEP_COMMANDS, type StepCommand, type StepTarget } from './step-mode.js';

export type ControlCommand =
  | { op: 'faults'; settings: FaultSettings }
  | { op: 'heal' }
  | { op: 'campaign' }
  | { op: 'transfer'; to: NodeId }
  | { op: 'add-peer'; peer: NodeId; host: string; port: number }
  | { op: 'remove-peer'; peer: NodeId }
  | { op: 'conf-change'; change: ConfChange }
  | { op: 'tick'; ms: number }
  | StepCommand;

export interface ControlAnswer {
  /** Echoes the command's `id`, so the supervisor can match answers to commands. */
  id: number | null;
  op: string;
  ok: boolean;
  text: string;
  /** For a conf-change that was proposed: the log index of its configuration entry. */
  index?: number;
}

/**
 * An answer as the supervisor reads it back from the node's stdout (a "control" line, event-stream.ts):
 * its fields besides ts, node, kind and type, checked.
 */
export function readControlAnswer(fields: JsonObject): Validation<ControlAnswer> {
  return validate(() => {
    const o = object(fields, 'answer', ['id', 'op', 'ok', 'text', 'index']);
    return {
      // null answers a line that was not a command (its id unreadable).
      id: has(o, 'id') && o.id === null ? null : uint(o, 'id'),
      op: string(o, 'op'),
      ok: boolean(o, 'ok'),
      text: string(o, 'text'),
      ...(has(o, 'index') ? { index: uint(o, 'index') } : {}),
    };
  });
}

/** What the channel acts on. */
export interface ControlTarget {
  self: NodeId;
  driver: RaftDriver;
  transport: Pick<Transport, 'filter' | 'addPeer' | 'removePeer'>;
  setTickMs(ms: number): void;
  /** Step mode: the node's frozen clock and held messages (step-mode.ts). */
  step: StepTarget;
}

const OPS = ['faults', 'heal', 'campaign', 'transfer', 'add-peer', 'remove-peer', 'conf-change', 'tick', ...STEP_COMMANDS] as const;

export function parseControlCommand(value: unknown): Validation<ControlCommand> {
  return validate(() => {
    const o = object(value, '', [
      'id',
      'op',
      'blockedTo',
      'blockedFrom',
      'links',
      'to',
      'peer',
      'host',
      'port',
      'change',
      'ms',
      'on',
      'ids',
      'timer',
      'ticks',
    ]);
    const op = oneOf(o, 'op', OPS);
    switch (op) {
      case 'step':
      case 'deliver':
      case 'drop':
      case 'fire':
      case 'advance':
        return parseStepCommand(o, op);
      case 'faults': {
        const settings: FaultSettings = {};
        if (has(o, 'blockedTo')) settings.blockedTo = ids(o, 'blockedTo');
        if (has(o, 'blockedFrom')) settings.blockedFrom = ids(o, 'blockedFrom');
        if (has(o, 'links')) settings.links = links(o.links);
        return { op, settings };
      }
      case 'heal':
      case 'campaign':
        return { op };
      case 'transfer':
        return { op, to: nodeId(o, 'to') };
      case 'add-peer':
        return { op, peer: nodeId(o, 'peer'), host: string(o, 'host'), port: uintAtMost(o, 'port', 65535) };
      case 'remove-peer':
        return { op, peer: nodeId(o, 'peer') };
      case 'conf-change': {
        if (!isObject(o.change)) fail('change must be an object { type, node }');
        const c = object(o.change, 'change', ['type', 'node']);
        return {
          op,
          change: { type: oneOf(c, 'type', ['add-learner', 'promote', 'remove'] as const, 'change'), node: nodeId(c, 'node', 'change') },
        };
      }
      case 'tick': {
        const ms = uint(o, 'ms');
        if (ms < 1) fail('ms must be at least 1');
        return { op, ms };
      }
    }
  });
}

/** The longest delay a link fault may add, as the control API allows. */
const MAX_DELAY_MS = 60_000;

function links(value: unknown): NonNullable<FaultSettings['links']> {
  if (!isObject(value)) fail(`links must be an object of peer id -> { delayMs, loss }, got ${show(value)}`);
  const out: NonNullable<FaultSettings['links']> = {};
  for (const [key, fault] of Object.entries(value)) {
    const id = Number(key);
    if (!isNodeId(id)) fail(`links: ${show(key)} is not a node id`);
    const f = object(fault, `links.${key}`, ['delayMs', 'loss']);
    const link: Partial<LinkFault> = {};
    if (has(f, 'delayMs')) link.delayMs = uintAtMost(f, 'delayMs', MAX_DELAY_MS, `links.${key}`);
    if (has(f, 'loss')) {
      const loss = f.loss;
      if (typeof loss !== 'number' || !(loss >= 0 && loss <= 1))
        fail(`links.${key}.loss must be a probability from 0 to 1, got ${show(loss)}`);
      link.loss = loss;
    }
    out[id] = link;
  }
  return out;
}

function ids(o: JsonObject, key: string): NodeId[] {
  return array(o, key).map((v, i) => nodeId({ v }, 'v', `${key}[${i}]`));
}

/** Carries out one command; the answer says what happened, in the words the dashboard shows. */
export function runControlCommand(t: ControlTarget, c: ControlCommand): Omit<ControlAnswer, 'id' | 'op'> {
  const me = `n${t.self}`;
  switch (c.op) {
    case 'faults':
      t.transport.filter.set(c.settings);
      return { ok: true, text: `${me} network faults: ${t.transport.filter.describe()}` };
    case 'heal':
      t.transport.filter.heal();
      return { ok: true, text: `${me} network healed` };
    case 'campaign': {
      const role = t.driver.core.status().role;
      if (role === 'leader') return { ok: false, text: `${me} is already the leader` };
      t.driver.run((core) => core.campaign());
      return { ok: true, text: `${me} starts an election now` };
    }
    case 'transfer': {
      const r = t.driver.run((core) => core.transferLeadership(c.to));
      return r.ok ? { ok: true, text: `${me} hands leadership to n${c.to}` } : { ok: false, text: r.reason };
    }
    case 'add-peer':
      t.transport.addPeer({ id: c.peer, host: c.host, port: c.port });
      return { ok: true, text: `${me} knows n${c.peer} at ${c.host}:${c.port}` };
    case 'remove-peer':
      t.transport.removePeer(c.peer);
      return { ok: true, text: `${me} forgets n${c.peer}` };
    case 'conf-change': {
      const r = t.driver.run((core) => core.proposeConfChange(c.change));
      if (r.ok) return { ok: true, text: `${me} proposes ${c.change.type} n${c.change.node} at entry ${r.index}`, index: r.index };
      return {
        ok: false,
        text: `${me} refuses ${c.change.type} n${c.change.node}: ${r.reason.replace(/-/g, ' ')}${r.detail ? ` (${r.detail})` : ''}`,
      };
    }
    case 'tick':
      t.setTickMs(c.ms);
      return { ok: true, text: `${me} ticks every ${c.ms} ms` };
    default:
      return runStepCommand(t.self, t.step, c);
  }
}

/** The cap on one control line: a command is a few hundred bytes. */
export const MAX_CONTROL_LINE_BYTES = 64 * 1024;

/**
 * Reads commands from `input` until it ends. Each line gets an answer through `answer`, a bad line
 * included (one too long, not JSON or nested too deep: it never stops the node); `onEnd` runs when
 * the supervisor is gone.
 */
export function attachControl(input: Readable, target: ControlTarget, answer: (a: ControlAnswer) => void, onEnd: () => void): void {
  const refuse = (text: string): void => answer({ id: null, op: 'unknown', ok: false, text });
  readBoundedLines(
    input,
    {
      line(line) {
        if (line.trim() === '') return;
        const json = parseUntrustedJson(line, 'the control line');
        if (!json.ok) {
          refuse(`${json.problem}: ${line.slice(0, 60)}`);
          return;
        }
        const value = json.value;
        const id = isObject(value) && typeof value.id === 'number' ? value.id : null;
        const parsed = parseControlCommand(value);
        if (!parsed.ok) {
          answer({
            id,
            op: isObject(value) && typeof value.op === 'string' ? value.op.slice(0, 60) : 'unknown',
            ok: false,
            text: parsed.problem,
          });
          return;
        }
        try {
          answer({ id, op: parsed.value.op, ...runControlCommand(target, parsed.value) });
        } catch (err) {
          answer({ id, op: parsed.value.op, ok: false, text: (err as Error).message });
        }
      },
      tooLong: (bytes) => refuse(`a control line of ${bytes} bytes was dropped: the limit is ${MAX_CONTROL_LINE_BYTES}`),
      end: onEnd,
    },
    MAX_CONTROL_LINE_BYTES,
  );
}
