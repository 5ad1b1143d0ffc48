#!/usr/bin/env node
// chalk (and so ink) ignores NO_COLOR; map it before anything that colours loads.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '' && process.env.FORCE_COLOR === undefined) {
  process.env.FORCE_COLOR = '0';
}
await import('../dist/cli/main.js');
