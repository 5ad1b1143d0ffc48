#!/usr/bin/env node
// chalk (and so ink) ignores NO_COLOR; map it before anything that colours loads.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '' && process.env.FORCE_COLOR === undefined) {
  process.env.FORCE_COLOR = '0';
}
// React's development build checks and times every render: several times the cost of a frame.
process.env.NODE_ENV ??= 'production';

// In a clone, dist/ is built on the first run: the package has no install script (npm warns of one
// at every global install), so `npm install` alone must still leave `npx raft-console` working. A
// published package ships dist/ and never gets here.
const main = new URL('../dist/cli/main.js', import.meta.url);
const { existsSync } = await import('node:fs');
if (!existsSync(main)) {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = new URL('../node_modules/typescript/bin/tsc', import.meta.url);
  if (!existsSync(tsc)) {
    process.stderr.write('raft-console: dist/ is not built and TypeScript is not installed: run `npm install`, then `npm run build`\n');
    process.exit(1);
  }
  process.stderr.write('raft-console: building dist/ from src/ (the first run in this clone; `npm run build` does it ahead)...\n');
  const built = spawnSync(process.execPath, [fileURLToPath(tsc), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    process.stderr.write('raft-console: the build failed (above): fix it, or run `npm run build` to see it again\n');
    process.exit(1);
  }
}
await import(main.href);
