// Imports point down the layers of docs/ARCHITECTURE.md, never up or sideways, so no two folders of
// src/ depend on each other: the core at the bottom knows nothing of the layers above it, and the
// supervisor, which runs the nodes, is reached only from the CLI's entry points (everything else
// reads a cluster through src/cluster-model). Read from the source with the compiler's own scanner,
// so `export ... from` and `await import(...)` count as imports too.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src');

/** Each folder of src/ and its layer: a folder imports only from folders of a lower layer. */
export const LAYERS: Readonly<Record<string, number>> = {
  raft: 0,
  schema: 0,
  storage: 1,
  transport: 1,
  kv: 1,
  sim: 1,
  node: 2,
  client: 3,
  etcd: 3,
  'cluster-model': 4,
  supervisor: 5,
  exercises: 6,
  check: 6,
  tui: 7,
  cli: 8,
};

/** Folders that only some folders above them may import, and which. */
const ONLY_FROM: Readonly<Record<string, readonly string[]>> = { supervisor: ['cli'] };

interface Import {
  file: string;
  line: number;
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

function folderOf(path: string): string {
  return relative(srcDir, path).split(sep)[0]!;
}

/** Every import of a src/ file that leaves its folder for another folder of src/. */
function crossFolderImports(): Import[] {
  const out: Import[] = [];
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), ref.fileName);
      if (!target.startsWith(srcDir + sep)) continue;
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from === to) continue;
      const line = ts.getLineAndCharacterOfPosition(ts.createSourceFile(file, text, ts.ScriptTarget.Latest), ref.pos).line + 1;
      out.push({ file: relative(root, file), line, from, to });
    }
  }
  return out;
}

/** Why an import breaks the layering, or null when it follows it. */
function breach(i: Import): string | null {
  const [a, b] = [LAYERS[i.from], LAYERS[i.to]];
  if (a === undefined) return `src/${i.from} has no layer: give it one in LAYERS and in docs/ARCHITECTURE.md`;
  if (b === undefined) return `src/${i.to} has no layer: give it one in LAYERS and in docs/ARCHITECTURE.md`;
  if (b >= a) return `${i.from} (layer ${a}) imports ${i.to} (layer ${b}): imports point down to a lower layer`;
  const only = ONLY_FROM[i.to];
  if (only !== undefined && !only.includes(i.from)) return `${i.from} imports ${i.to}, which only ${only.join(', ')} may import`;
  return null;
}

describe('imports between the folders of src/', () => {
  const imports = crossFolderImports();

  it('finds the imports it checks', () => {
    expect(imports.some((i) => i.from === 'cli' && i.to === 'supervisor')).toBe(true);
    expect(imports.some((i) => i.from === 'node' && i.to === 'raft')).toBe(true);
  });

  it('every folder of src/ has a layer', () => {
    const folders = readdirSync(srcDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => LAYERS[f] === undefined)).toEqual([]);
  });

  it('point down the layers, never up or sideways, so no two folders depend on each other', () => {
    const breaches = imports.flatMap((i) => {
      const why = breach(i);
      return why === null ? [] : [`${i.file}:${i.line}: ${why}`];
    });
    expect(breaches).toEqual([]);
  });

  it('reject an import against the direction', () => {
    expect(breach({ file: 'src/raft/x.ts', line: 1, from: 'raft', to: 'node' })).toMatch(/imports point down/);
    expect(breach({ file: 'src/tui/x.ts', line: 1, from: 'tui', to: 'cli' })).toMatch(/imports point down/);
    expect(breach({ file: 'src/check/x.ts', line: 1, from: 'check', to: 'exercises' })).toMatch(/imports point down/);
    expect(breach({ file: 'src/tui/x.ts', line: 1, from: 'tui', to: 'supervisor' })).toMatch(/only cli may import/);
    expect(breach({ file: 'src/cli/x.ts', line: 1, from: 'cli', to: 'supervisor' })).toBeNull();
  });
});
