// Where the product is: the repository's root and its command line, bin/raft-console.js (which
// runs dist/, built by `npm run build`). Every node, supervisor and CLI a bench starts is the
// product as users run it, never a copy compiled for the benches.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root: this file runs as dist-bench/bench/repo.js. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const BIN = join(ROOT, 'bin', 'raft-console.js');
