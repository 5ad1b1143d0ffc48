// Summarises V8 CPU profiles (the .cpuprofile files `node --cpu-prof` writes; the cluster bench
// makes one per node with --profile DIR): where the time went, by function (self time) and by
// source file, with idle and garbage collection shown apart.
//
//   node dist-bench/bench/cpuprofile.js [--top 25] DIR/*.cpuprofile
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { wholeNumber } from '../src/cli/arguments.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const i = url.indexOf('/dist/');
  if (i >= 0) return url.slice(i + 1);
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm);
  return url.replace(/^file:\/\//, '');
}

function summarise(path: string, top: number): void {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    // The delta before sample i+1 is the time sample i stood for.
    const dt = p.timeDeltas[i + 1] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  const total = (p.endTime - p.startTime) / 1000;
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  let program = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const ms = us / 1000;
    const name = n.callFrame.functionName;
    if (name === '(idle)') idle += ms;
    else if (name === '(garbage collector)') gc += ms;
    else if (name === '(program)') program += ms;
    const key = `${name || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const f = name.startsWith('(') ? name : shortUrl(n.callFrame.url);
    file.set(f, (file.get(f) ?? 0) + ms);
  }
  const busy = total - idle;
  const pct = (ms: number): string => `${((100 * ms) / total).toFixed(1)}%`.padStart(6);
  console.log(
    `\n${basename(path)}: ${total.toFixed(0)} ms profiled, busy ${busy.toFixed(0)} ms (${pct(busy).trim()}), idle ${pct(idle).trim()}, GC ${pct(gc).trim()}, (program) ${pct(program).trim()}`,
  );
  console.log('  by file (self time, % of wall time):');
  for (const [k, ms] of [...file].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`    ${pct(ms)}  ${ms.toFixed(0).padStart(7)} ms  ${k}`);
  console.log('  by function (self time):');
  for (const [k, ms] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`    ${pct(ms)}  ${ms.toFixed(0).padStart(7)} ms  ${k}`);
}

new Command('cpuprofile')
  .description('where the time went in V8 CPU profiles (node --cpu-prof), by source file and by function')
  .argument('<files...>', '.cpuprofile files')
  .option('--top <n>', 'rows of each list', wholeNumber('--top', '25', 1), 25)
  .action((files: string[], o: { top: number }) => {
    for (const f of files) summarise(f, o.top);
  })
  .parse();
