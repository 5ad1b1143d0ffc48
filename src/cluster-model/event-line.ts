// One cluster event as a line people read: local time, the node (or "cluster" for the
// supervisor's own), a glyph for role changes so a new leader stands out without colour, and the
// event's sentence.
//   12:04:31.207  n3       ★ n3 becomes leader in term 2: it won the election
import type { ClusterEvent } from './model.js';

/** The styles a line may ask for; a terminal without colours shows none. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

/** Wraps text in a style, or returns it unchanged where there is no colour (the CLI's paintFor). */
export type Paint = (style: Style | undefined, text: string) => string;

/** The role a node takes in a role change, as a glyph and a colour. */
const ROLE_MARKS: Record<string, { glyph: string; style?: Style }> = {
  leader: { glyph: '★', style: 'green' },
  candidate: { glyph: '◆', style: 'yellow' },
  'pre-candidate': { glyph: '◇', style: 'yellow' },
  follower: { glyph: '·' },
};

export function clock(ts: number): string {
  const d = new Date(ts);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function mark(e: ClusterEvent): { glyph: string; style?: Style } {
  if (e.type === 'role-change' && typeof e.data?.to === 'string') return ROLE_MARKS[e.data.to] ?? { glyph: ' ' };
  if (e.node === null)
    return e.data?.ok === false || e.type === 'crashed' || e.type === 'start-failed'
      ? { glyph: '✗', style: 'red' }
      : { glyph: '▸', style: 'cyan' };
  return { glyph: ' ' };
}

/** The event's line; `text` is its sentence as the reader asked for it (as the cluster told it unless given). */
export function eventLine(e: ClusterEvent, paint: Paint, text = e.text): string {
  const who = e.node === null ? 'cluster' : `n${e.node}`;
  const m = mark(e);
  return `${paint('dim', clock(e.ts))}  ${who.padEnd(7)}  ${paint(m.style, `${m.glyph} ${text}`)}`;
}
