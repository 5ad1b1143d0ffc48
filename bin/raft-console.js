#!/usr/bin/env node
// chalk (and so ink) ignores NO_COLOR; map it before anything that colours loads.
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '' && process.env.FORCE_COLOR === undefined) {
  process.env.FORCE_COLOR = '0';
}
// React's development build checks and times every render: several times the cost of a frame.
process.env.NODE_ENV ??= 'production';
await import('../dist/cli/main.js');
