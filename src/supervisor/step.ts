// Step mode on raft-console's own nodes (ClusterModel.step): the supervisor switches every running
// node's step mode over its control channel, and delivers, drops, fires and advances on the
// learner's word. The nodes hold their own messages and tell each one (src/node/step-mode.ts); the
// model's list of held messages is kept from what they tell (live-model.ts), so it is what the
// nodes hold, not what the supervisor hopes they do.
import type { StepAction } from '../cluster-model/control-protocol.js';
import { ClusterError } from '../cluster-model/errors.js';
import { dueMessages } from '../cluster-model/queries.js';
import { plural } from '../cluster-model/plural.js';
import type { HeldMessage, NodeModel } from '../cluster-model/model.js';
import type { NodeId } from '../raft/types.js';
import type { Done } from './actions.js';
import type { Fleet } from './fleet.js';

const running = (f: Fleet): NodeModel[] => f.members().filter((n) => n.process.state === 'running');

function stepOff(op: string): ClusterError {
  return new ClusterError(`the cluster is not in step mode: \`raft-console step on\` first, then ${op}`, { code: 'step-off', op });
}

/** The held messages `ids`, in the order asked, or why not. */
function heldOf(f: Fleet, ids: readonly string[]): HeldMessage[] {
  const held = f.live.model.step?.held ?? [];
  const missing = ids.filter((id) => !held.some((h) => h.id === id));
  if (missing.length > 0)
    throw new ClusterError(
      `no node holds ${missing.join(', ')}: delivered, dropped, or lost with its sender (\`raft-console step list\` lists what is held)`,
      { code: 'not-held', ids: missing },
    );
  return ids.map((id) => held.find((h) => h.id === id)!);
}

/** Runs of consecutive messages from one sender: one command each, in the order asked. */
function bySender(messages: readonly HeldMessage[]): Array<{ from: NodeId; ids: string[] }> {
  const runs: Array<{ from: NodeId; ids: string[] }> = [];
  for (const m of messages) {
    const last = runs.at(-1);
    if (last?.from === m.from) last.ids.push(m.id);
    else runs.push({ from: m.from, ids: [m.id] });
  }
  return runs;
}

/** Tells each sender, one after the other, so that messages leave in the order asked. */
async function tellSenders(f: Fleet, op: 'deliver' | 'drop', messages: readonly HeldMessage[]): Promise<void> {
  for (const run of bySender(messages)) {
    const answer = await f.tell(run.from, { op, ids: run.ids });
    if (answer !== null && !answer.ok) throw new ClusterError(answer.text, { code: 'not-held', ids: run.ids });
  }
}

/** "1.3 (n1 asks n3 for a pre-vote ...)" for one message, "3 messages: 1.3, 1.4, 2.1" for more. */
function which(messages: readonly HeldMessage[]): string {
  if (messages.length === 1) return `${messages[0]!.id}: ${messages[0]!.text}`;
  return `${plural(messages.length, 'message')}: ${messages.map((m) => m.id).join(', ')}`;
}

async function switchStep(f: Fleet, on: boolean): Promise<Done> {
  const held = f.live.model.step?.held.length ?? 0;
  // The model first: a node that starts from now on starts as the model says (fleet.ts, --step).
  f.live.stepSwitched(on);
  const nodes = running(f).map((n) => n.id);
  await Promise.all(nodes.map((id) => f.tell(id, { op: 'step', on })));
  const outcome = { code: 'step', on, nodes, released: on ? 0 : held } as const;
  if (on)
    return {
      text: "step mode on: every node's clock stands still and every Raft message is held until you deliver or drop it (`raft-console step list`); messages still arrive as usual, and clients' requests wait for you too",
      outcome,
    };
  return {
    text: `step mode off: ${held === 0 ? '' : `the ${plural(held, 'held message')} went out in the order ${held === 1 ? 'it was' : 'they were'} held, and `}every clock resumes where it stood, with no burst of expired timers`,
    outcome,
  };
}

export async function stepAction(f: Fleet, a: StepAction): Promise<Done> {
  if (a.op === 'step') return switchStep(f, a.on);
  if (!f.stepping) throw stepOff(a.op);
  switch (a.op) {
    case 'deliver': {
      const messages = a.ids === 'due' ? dueMessages(f.live.model) : heldOf(f, a.ids);
      if (messages.length === 0)
        return { text: 'no held message is due: nothing to deliver', outcome: { code: 'delivered', ids: [], lost: [] } };
      await tellSenders(f, 'deliver', messages);
      const ids = messages.map((m) => m.id);
      const fates = f.live.takeFates(ids);
      const lost = ids.filter((id) => {
        const fate = fates.get(id);
        return fate !== undefined && fate !== 'queued' && fate !== 'delayed';
      });
      return {
        text: `delivered ${which(messages)}${lost.length === 0 ? '' : `; a fault on the link dropped ${lost.join(', ')}`}`,
        outcome: { code: 'delivered', ids, lost },
      };
    }
    case 'drop': {
      const messages = heldOf(f, a.ids);
      await tellSenders(f, 'drop', messages);
      return { text: `dropped ${which(messages)}, as a lossy network would`, outcome: { code: 'dropped', ids: a.ids } };
    }
    case 'fire': {
      const n = f.member(a.node);
      if (n.process.state !== 'running')
        throw new ClusterError(`cannot fire n${a.node}'s ${a.timer} timer: it is ${n.process.state}`, {
          code: 'node-state',
          node: a.node,
          op: 'fire',
          state: n.process.state,
        });
      const answer = await f.tell(a.node, { op: 'fire', timer: a.timer });
      if (answer !== null && !answer.ok) throw new ClusterError(answer.text, { code: 'no-timer', node: a.node, timer: a.timer });
      return {
        text:
          a.timer === 'election'
            ? `n${a.node}'s election timeout fired: it follows its own rule (with PreVote, it asks for pre-votes first); its messages are held (\`raft-console step list\`)`
            : `n${a.node}'s heartbeat timer fired: it sends each follower a heartbeat, held (\`raft-console step list\`)`,
        outcome: { code: 'fired', node: a.node, timer: a.timer },
      };
    }
    case 'advance': {
      const ticks = a.ticks ?? 1;
      const nodes = running(f).map((n) => n.id);
      await Promise.all(nodes.map((id) => f.tell(id, { op: 'advance', ticks })));
      const tickMs = f.live.model.timing.tickMs;
      return {
        text: `every clock moved on ${plural(ticks, 'tick')} (${ticks * tickMs} ms): the timers that fell due fired, and what they sent is held`,
        outcome: { code: 'advanced', ticks, tickMs, nodes },
      };
    }
  }
}
