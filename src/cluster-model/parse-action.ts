// Checks an action arriving on the control API before the supervisor acts on it: shape and ranges
// only (whether node 7 exists is the supervisor's question). A problem names the field and what a
// good value looks like.
import {
  array,
  boolean,
  fail,
  has,
  isNodeId,
  nodeId,
  object,
  oneOf,
  show,
  validate,
  type JsonObject,
  type Validation,
} from '../schema/json-shape.js';
import { ACTION_OPS, MAX_ADVANCE_TICKS, STEP_TIMERS, type Action } from './control-protocol.js';
import { HELD_ID } from './model.js';
import { SPEED_PRESETS } from './timing.js';

function ids(value: unknown, where: string): number[] {
  if (!Array.isArray(value) || value.length === 0) fail(`${where} must be a non-empty list of node ids, got ${show(value)} (e.g. [1, 3])`);
  for (const v of value) if (!isNodeId(v)) fail(`${where} must hold node ids (integers from 1), got ${show(v)}`);
  return value as number[];
}

/** Held message ids ("1.7"), none twice: delivering one message twice is not something a network does. */
function heldIds(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0)
    fail(`${where} must be a non-empty list of held message ids, got ${show(value)} (e.g. ["1.4", "3.2"])`);
  for (const v of value)
    if (typeof v !== 'string' || !HELD_ID.test(v)) fail(`${where} must hold message ids such as "1.4" (sender.number), got ${show(v)}`);
  const list = value as string[];
  const twice = list.find((id, i) => list.indexOf(id) !== i);
  if (twice !== undefined) fail(`${where} names message ${twice} twice`);
  return list;
}

function probability(o: JsonObject, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(`action.${key} must be a probability from 0 to 1 (0.3 drops 30%), got ${show(v)}`);
  return v;
}

export function parseAction(value: unknown): Validation<Action> {
  return validate((): Action => {
    const o = object(value, 'action', [
      'op',
      'nodes',
      'groups',
      'node',
      'from',
      'to',
      'drop',
      'delayMs',
      'oneWay',
      'preset',
      'purge',
      'learner',
      'on',
      'ids',
      'timer',
      'ticks',
    ]);
    const op = oneOf(o, 'op', ACTION_OPS, 'action');
    const allowed = (...keys: string[]): void => {
      for (const k of Object.keys(o)) if (k !== 'op' && !keys.includes(k)) fail(`action.${k} is not a field of "${op}"`);
    };
    switch (op) {
      case 'kill':
      case 'stop':
      case 'restart':
      case 'pause':
      case 'resume':
        allowed('nodes');
        return { op, nodes: ids(o.nodes, 'action.nodes') };
      case 'partition': {
        allowed('groups');
        const groups = array(o, 'groups', 'action').map((g, i) => ids(g, `action.groups[${i}]`));
        if (groups.length === 0) fail('action.groups must list at least one group (e.g. [[1, 2], [3, 4, 5]])');
        return { op, groups };
      }
      case 'isolate':
      case 'campaign':
      case 'transfer':
      case 'remove':
      case 'replace':
      case 'promote':
        allowed('node');
        return { op, node: nodeId(o, 'node', 'action') };
      case 'link': {
        allowed('from', 'to', 'drop', 'delayMs', 'oneWay');
        const action: Action = { op, from: nodeId(o, 'from', 'action'), to: nodeId(o, 'to', 'action') };
        if (has(o, 'drop')) action.drop = probability(o, 'drop');
        if (has(o, 'delayMs')) {
          const d = o.delayMs;
          if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 60_000)
            fail(`action.delayMs must be whole milliseconds from 0 to 60000, got ${show(d)}`);
          action.delayMs = d;
        }
        if (has(o, 'oneWay')) action.oneWay = boolean(o, 'oneWay', 'action');
        return action;
      }
      case 'heal':
        allowed();
        return { op };
      case 'add':
        allowed('learner');
        return has(o, 'learner') ? { op, learner: boolean(o, 'learner', 'action') } : { op };
      case 'speed':
        allowed('preset');
        return { op, preset: oneOf(o, 'preset', SPEED_PRESETS, 'action') };
      case 'step':
        allowed('on');
        return { op, on: boolean(o, 'on', 'action') };
      case 'deliver':
        allowed('ids');
        return { op, ids: o.ids === 'due' ? 'due' : heldIds(o.ids, 'action.ids') };
      case 'drop':
        allowed('ids');
        return { op, ids: heldIds(o.ids, 'action.ids') };
      case 'fire':
        allowed('node', 'timer');
        return { op, node: nodeId(o, 'node', 'action'), timer: oneOf(o, 'timer', STEP_TIMERS, 'action') };
      case 'advance': {
        allowed('ticks');
        if (!has(o, 'ticks')) return { op };
        const t = o.ticks;
        if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > MAX_ADVANCE_TICKS)
          fail(`action.ticks must be a whole number of ticks from 1 to ${MAX_ADVANCE_TICKS}, got ${show(t)}`);
        return { op, ticks: t };
      }
      case 'down':
        allowed('purge');
        return has(o, 'purge') ? { op, purge: boolean(o, 'purge', 'action') } : { op };
    }
  });
}
