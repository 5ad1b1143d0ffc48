// A node's core, its time on a fake clock and a transport that is never started (its peers' queues
// fill but nothing dials): what step mode acts on (src/node/step-mode.ts), for its tests and the
// control channel's.
import { TimedDriver } from '../../src/node/core-time.js';
import type { StepTarget } from '../../src/node/step-mode.js';
import type { StepLine } from '../../src/node/step-line.js';
import { Raft } from '../../src/raft/raft.js';
import type { RaftEvent } from '../../src/raft/events.js';
import { Transport } from '../../src/transport/index.js';
import { NO_SECRET } from '../../src/transport/secret.js';
import { FakeClock } from './fake-clock.js';

export const TICK_MS = 10;

/** Node 1 of 1, 2, 3 at 10 ms a tick: election timeouts of 15 ticks (random 0), heartbeats every 5 ticks, PreVote on. */
export function stepNode() {
  const clock = new FakeClock();
  const core = new Raft({
    id: 1,
    voters: [1, 2, 3],
    random: () => 0,
    electionTimeoutMin: 15,
    electionTimeoutMax: 30,
    heartbeatInterval: 5,
    preVote: true,
  });
  const transport = new Transport({
    id: 1,
    clusterId: 'test',
    secret: NO_SECRET,
    peers: [
      { id: 2, port: 1 },
      { id: 3, port: 1 },
    ],
    now: () => clock.wall(),
  });
  const lines: StepLine[] = [];
  const events: RaftEvent[] = [];
  transport.onHeld((e) =>
    lines.push({ type: 'held', id: e.id, to: e.message.to, message: e.message.type, term: e.message.term, detail: {}, heldAt: e.heldAt }),
  );
  const driver = new TimedDriver(
    core,
    {
      observe: (rd) => void events.push(...rd.events),
      persist: () => Promise.resolve(),
      send: (messages) => messages.forEach((m) => transport.send(m)),
      apply: () => Promise.resolve(),
      advanced: () => Promise.resolve(),
    },
    (err) => {
      throw err;
    },
    clock,
    TICK_MS,
    () => undefined,
  );
  driver.run(() => undefined);
  const target: StepTarget = { clock: driver, transport, heartbeatTicks: 5, report: (l) => lines.push(l) };
  return { clock, core, driver, transport, target, lines, events, role: () => core.status().role };
}
