// While a dashboard is open the nodes it shows yield the CPU (autogroup nice 10), and get their
// nice back (5) when it closes.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NodePriority } from '../../src/tui/priority.js';
import { model, node } from './fixtures.js';

const autogroup = existsSync('/proc/self/autogroup');

function niceOf(pid: number): number {
  return Number(/nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[1]);
}

describe.skipIf(!autogroup)('node priority while a dashboard is open', () => {
  it('lowers the shown nodes and puts them back on release', async () => {
    // A stand-in node in a session of its own, as the supervisor starts them.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
    const gone = new Promise((resolve) => child.on('exit', resolve));
    try {
      const n = node(1, { role: 'follower' });
      n.process.pid = child.pid!;
      const priority = new NodePriority();
      priority.watch(model([n]));
      expect(niceOf(child.pid!)).toBe(10);
      priority.release();
      expect(niceOf(child.pid!)).toBe(5);
    } finally {
      child.kill('SIGKILL');
      await gone;
    }
  });
});
