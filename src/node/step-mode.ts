// Step mode in a node, as the supervisor switches and drives it over the control channel
// (control.ts): the core's time stands still (core-time.ts), every message it sends is held by the
// transport (step-hold.ts) and told on stdout as a "step" line (step-line.ts), and the learner
// decides, through the supervisor, which held message goes now, which is lost, when a timer fires
// and when time moves on. Inbound messages are taken as usual: only the delivery order is in the
// learner's hands. The core runs its own rules throughout: firing a timer moves its time to the
// deadline rather than calling campaign() (so PreVote and CheckQuorum apply as they would).
import type { Raft } from '../raft/raft.js';
import { MAX_TERM_OR_INDEX } from '../raft/types.js';
import { array, fail, oneOf, show, uintAtMost, boolean, type JsonObject } from '../schema/json-shape.js';
import { HELD_ID, type HeldEntry } from '../transport/step-hold.js';
import type { Released, Transport } from '../transport/transport.js';
import type { StepLine } from './step-line.js';

export type StepCommand =
  | { op: 'step'; on: boolean }
  | { op: 'deliver'; ids: string[] }
  | { op: 'drop'; ids: string[] }
  | { op: 'fire'; timer: StepTimer }
  | { op: 'advance'; ticks: number };

/** What a node does in step mode on the supervisor's word: the same five as the control API's step actions (STEP_OPS). */
export const STEP_COMMANDS = ['step', 'deliver', 'drop', 'fire', 'advance'] as const;

/** The timers `fire` brings due: an election timeout (a follower's or a candidate's), a leader's heartbeat. */
export const STEP_TIMERS = ['election', 'heartbeat'] as const;
export type StepTimer = (typeof STEP_TIMERS)[number];

/** The most ticks one advance takes (the control API's own bound is lower). */
const MAX_TICKS = 100_000;

/** What step mode acts on in a node. */
export interface StepTarget {
  clock: {
    readonly frozen: boolean;
    setFrozen(on: boolean): void;
    advance(ticks: number): void;
    fireElection(): boolean;
    fireHeartbeat(ticksLeft: number): void;
    readonly core: Pick<Raft, 'status'>;
  };
  transport: Pick<Transport, 'setStep' | 'release' | 'discard' | 'held'>;
  /** The leader's heartbeat interval, in ticks. */
  heartbeatTicks: number;
  /** Writes a step line. */
  report(line: StepLine): void;
}

function ids(o: JsonObject): string[] {
  const list = array(o, 'ids');
  if (list.length === 0) fail('ids must name at least one held message, e.g. ["1.4"]');
  return list.map((v, i) => {
    if (typeof v !== 'string' || !HELD_ID.test(v)) fail(`ids[${i}] must be a held message's id such as "1.4", got ${show(v)}`);
    return v;
  });
}

export function parseStepCommand(o: JsonObject, op: StepCommand['op']): StepCommand {
  switch (op) {
    case 'step':
      return { op, on: boolean(o, 'on') };
    case 'deliver':
    case 'drop':
      return { op, ids: ids(o) };
    case 'fire':
      return { op, timer: oneOf(o, 'timer', STEP_TIMERS) };
    case 'advance': {
      const ticks = uintAtMost(o, 'ticks', Math.min(MAX_TICKS, MAX_TERM_OR_INDEX));
      if (ticks < 1) fail('ticks must be at least 1');
      return { op, ticks };
    }
  }
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** "1.3, 1.4" */
const listed = (entries: readonly HeldEntry[]): string => entries.map((e) => e.id).join(', ');

function reportSent(t: StepTarget, released: readonly Released[]): void {
  for (const r of released) t.report({ type: 'sent', id: r.entry.id, fate: r.fate });
}

/** " (2 dropped by faults on their links)", or nothing. */
function lostOnTheWay(released: readonly Released[]): string {
  const lost = released.filter((r) => r.fate !== 'queued' && r.fate !== 'delayed').length;
  return lost === 0 ? '' : ` (${plural(lost, 'message')} dropped by a fault on ${lost === 1 ? 'its link' : 'their links'})`;
}

/** Carries out one step command; the answer says what happened. */
export function runStepCommand(self: number, t: StepTarget, c: StepCommand): { ok: boolean; text: string } {
  const me = `n${self}`;
  if (c.op !== 'step' && !t.clock.frozen) return { ok: false, text: `${me} is not in step mode` };
  switch (c.op) {
    case 'step': {
      if (c.on) {
        // Held first: what fires as the time is brought up to now is held too.
        t.transport.setStep(true);
        t.clock.setFrozen(true);
        return { ok: true, text: `${me} steps: its clock stands still and it holds every message it sends` };
      }
      const released = t.transport.setStep(false);
      reportSent(t, released);
      t.clock.setFrozen(false);
      return {
        ok: true,
        text: `${me} runs again: its clock resumes where it stood${released.length === 0 ? '' : `, and the ${plural(released.length, 'message')} it held went out in the order held${lostOnTheWay(released)}`}`,
      };
    }
    case 'deliver': {
      const { released, unknown } = t.transport.release(c.ids);
      reportSent(t, released);
      if (released.length === 0) return { ok: false, text: `${me} holds no message ${c.ids.join(', ')}` };
      return {
        ok: true,
        text: `${me} sent ${listed(released.map((r) => r.entry))}${lostOnTheWay(released)}${unknown.length === 0 ? '' : `; it holds no ${unknown.join(', ')}`}`,
      };
    }
    case 'drop': {
      const { dropped, unknown } = t.transport.discard(c.ids);
      for (const e of dropped) t.report({ type: 'dropped', id: e.id });
      if (dropped.length === 0) return { ok: false, text: `${me} holds no message ${c.ids.join(', ')}` };
      return { ok: true, text: `${me} dropped ${listed(dropped)}${unknown.length === 0 ? '' : `; it holds no ${unknown.join(', ')}`}` };
    }
    case 'fire': {
      const s = t.clock.core.status();
      if (c.timer === 'heartbeat') {
        if (s.role !== 'leader') return { ok: false, text: `${me} is a ${s.role}, not the leader: only a leader sends heartbeats` };
        t.clock.fireHeartbeat(t.heartbeatTicks - s.heartbeatElapsed);
        return { ok: true, text: `${me}'s heartbeat timer fired` };
      }
      if (!t.clock.fireElection())
        return {
          ok: false,
          text:
            s.role === 'leader'
              ? `${me} leads term ${s.term}: a leader has no election timer (fire its heartbeat instead)`
              : `${me} has no election timer: it does not campaign (a learner, a removed node, or one recovering lost data)`,
        };
      return { ok: true, text: `${me}'s election timer fired` };
    }
    case 'advance':
      t.clock.advance(c.ticks);
      return { ok: true, text: `${me}'s clock moved on ${plural(c.ticks, 'tick')}` };
  }
}
