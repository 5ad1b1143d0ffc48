// Colour for human output, and only where it helps: on a terminal that has colours. NO_COLOR (which
// the bin shim also maps to FORCE_COLOR=0), NODE_DISABLE_COLORS and TERM=dumb switch it off, and
// so does output into a pipe or a file.
import type { Paint, Style } from '../cluster-model/event-line.js';

export type { Paint, Style };

const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

export function paintFor(stream: NodeJS.WriteStream): Paint {
  const on = stream.isTTY && stream.hasColors();
  return (style, text) => {
    if (!on || style === undefined || text === '') return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  };
}
