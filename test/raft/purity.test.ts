// The core is a pure, deterministic state machine: no I/O, no clocks, no timers, no ambient
// randomness. Checked on the source text (comments stripped), and by running it twice.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Raft } from '../../src/raft/raft.js';
import { newCluster, prng } from './harness.js';

const coreDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'raft');

/** Source without comments (strings kept), good enough for a lint-style scan. */
function stripComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    const next = src[i + 1];
    if (ch === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (ch === '/' && next === '*') {
      i += 2;
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) i++;
      i += 2;
    } else if (ch === '"' || ch === "'" || ch === '`') {
      const q = ch;
      out += ch;
      i++;
      while (i < src.length && src[i] !== q) {
        if (src[i] === '\\') {
          out += src[i]!;
          i++;
        }
        out += src[i] ?? '';
        i++;
      }
      out += src[i] ?? '';
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

const FORBIDDEN: { what: string; re: RegExp }[] = [
  {
    what: 'imports an I/O or timer module',
    re: /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"](?:node:)?(?:net|fs|fs\/promises|dgram|child_process|timers|timers\/promises|http|https|worker_threads)['"]/,
  },
  { what: 'uses Date', re: /\bDate\b/ },
  { what: 'uses performance', re: /\bperformance\b/ },
  { what: 'uses setTimeout/setInterval/setImmediate', re: /\b(?:setTimeout|setInterval|setImmediate)\b/ },
  { what: 'uses Math.random', re: /\bMath\s*\.\s*random\b/ },
  { what: 'uses process.hrtime', re: /\bprocess\s*\.\s*hrtime\b/ },
];

describe('purity of src/raft', () => {
  const files = readdirSync(coreDir).filter((f) => f.endsWith('.ts'));

  it('has source files to check', () => {
    expect(files).toContain('raft.ts');
  });

  it('no core file imports node:net/fs/dgram/child_process/timers or uses Date, performance, timers or Math.random', () => {
    const problems: string[] = [];
    for (const f of files) {
      const code = stripComments(readFileSync(join(coreDir, f), 'utf8'));
      code.split('\n').forEach((line, n) => {
        for (const { what, re } of FORBIDDEN) if (re.test(line)) problems.push(`${f}:${n + 1} ${what}: ${line.trim()}`);
      });
    }
    expect(problems).toEqual([]);
  });

  it('the scanner itself catches what it should (and ignores comments)', () => {
    const bad = stripComments(
      "import { x } from 'node:fs';\nconst t = Date.now();\nconst r = Math.random();\n// Math.random in a comment\n",
    );
    const hits = FORBIDDEN.filter(({ re }) => bad.split('\n').some((l) => re.test(l))).map((x) => x.what);
    expect(hits).toEqual(['imports an I/O or timer module', 'uses Date', 'uses Math.random']);
  });
});

describe('determinism', () => {
  function run(seed: number): string {
    const c = newCluster([1, 2, 3, 4, 5], { seed });
    const rnd = prng(seed);
    for (let step = 0; step < 1500; step++) {
      const r = rnd();
      if (r < 0.5) c.tickAll(1, { deliver: false });
      else if (c.queue.length > 0) {
        const i = Math.floor(rnd() * c.queue.length);
        const [m] = c.queue.splice(i, 1);
        c.deliver(m!);
      }
      if (r > 0.97) {
        const l = c.leader();
        if (l !== undefined) c.propose(l, `s${step}`);
      }
    }
    return JSON.stringify({ events: c.eventLog, sent: c.sent.map((s) => s.msg) });
  }

  it('the same seed and the same inputs give the same history', () => {
    const a = run(77);
    const b = run(77);
    expect(a.length).toBeGreaterThan(1000);
    expect(a === b).toBe(true);
  });

  it('the core draws its randomness from config.random: 0 gives the minimum timeout, ~1 the maximum', () => {
    for (const [value, expected] of [
      [0, 10],
      [0.999999, 20],
    ] as const) {
      let calls = 0;
      const r = new Raft({
        id: 1,
        voters: [1, 2, 3],
        electionTimeoutMin: 10,
        electionTimeoutMax: 20,
        random: () => {
          calls++;
          return value;
        },
      });
      let ticks = 0;
      while (r.status().role === 'follower' && ticks < 100) {
        r.tick();
        ticks++;
      }
      expect(calls).toBeGreaterThan(0);
      expect(ticks).toBe(expected);
    }
  });
});
