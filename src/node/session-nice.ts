// A node process's share of a busy CPU. The supervisor starts each node in a session of its own at
// a higher autogroup nice, and a dashboard watching the nodes raises it further while it is open
// (src/tui/priority.ts): both set it here.
import { writeFileSync } from 'node:fs';

/** The autogroup nice value of a node's session: below the terminal's when the CPU is short. */
export const NODE_AUTOGROUP_NICE = 5;

/**
 * Sets the autogroup nice of `pid`'s session. 'again': the kernel rate-limits these changes (about
 * ten every five seconds), try later; 'no': no autogroup scheduler here, no right, or no process.
 */
export function setSessionNice(pid: number, nice: number): 'done' | 'again' | 'no' {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return 'done';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EAGAIN' ? 'again' : 'no';
  }
}
