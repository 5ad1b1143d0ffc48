// What a node tells of each client read it answers or refuses: who answered (the node), the key, the
// value or why not, and how the answer was confirmed: a ReadIndex round (dissertation 6.4) that a
// majority answered, at the commit index it read at, or not at all (the read-without-quorum known
// bug). The dashboard's read lane and exercise 11 show these lines; the English sentence is here,
// the Chinese one in src/cluster-model/node-event-zh.ts.
import type { ClientErrorCode } from './client-protocol.js';

/** How a served read knew its answer was current. */
export type ReadConfirmation = 'read-index' | 'unconfirmed';
export const READ_CONFIRMATIONS: readonly ReadConfirmation[] = ['read-index', 'unconfirmed'];

/** A read as the node's client service answered it. */
export type ReadAnswer =
  | {
      type: 'read-served';
      key: string;
      /** The value, cut to VALUE_CHARS characters; null when the key is not set. */
      value: string | null;
      /** The read index: the commit index the ReadIndex round confirmed, or the leader's own under the bug. */
      index: number;
      /** What the state machine had applied when it answered (at least `index`). */
      applied: number;
      /** The node's term when the read arrived. */
      term: number;
      confirmed: ReadConfirmation;
    }
  | {
      type: 'read-refused';
      key: string;
      code: ClientErrorCode;
      reason: string;
      /** The leader this node knows of, or 0 for none: where a not-leader refusal sends the client. */
      leader: number;
    };

/** The line told: `untold` counts the reads since the last line that were not told (EventStream's rate cap). */
export type ReadEvent = ReadAnswer & { untold: number };

/** Values and keys are cut to this many characters in a read's line: a line per read must stay short. */
export const VALUE_CHARS = 60;

export function cut(s: string): string {
  return s.length <= VALUE_CHARS ? s : `${s.slice(0, VALUE_CHARS - 1)}…`;
}

export function describeRead(me: string, e: ReadEvent): string {
  const more = e.untold > 0 ? ` (${e.untold} more reads since the last one told)` : '';
  if (e.type === 'read-refused') return `${me} refuses a read of ${e.key}: ${e.code}: ${e.reason}${more}`;
  const answer = e.value === null ? 'not set' : JSON.stringify(e.value);
  const how =
    e.confirmed === 'read-index'
      ? `a ReadIndex round confirmed by a majority at commit ${e.index}`
      : `UNCONFIRMED: it answered from its own state at commit ${e.index} without asking a majority whether it still leads (BUG read-without-quorum)`;
  return `${me} answers a read of ${e.key}: ${answer} (${how})${more}`;
}
