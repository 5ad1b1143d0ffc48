// --no-mouse: the dashboard leaves the mouse to the terminal. With the mouse on, a click selects a
// node and the wheel scrolls, but the terminal's own text selection then needs Shift-drag (in most
// terminals); with it off, dragging selects text as usual.
export interface MouseFlags {
  /** False with --no-mouse. */
  mouse?: boolean;
}

/** The option of every command that opens the dashboard. */
export const MOUSE_OPTION = [
  '--no-mouse',
  'leave the mouse to the terminal: no click to select a node or wheel to scroll in the dashboard, and dragging selects text (with the mouse on, Shift-drag does in most terminals)',
] as const;

export function mouseOf(flags: MouseFlags): boolean {
  return flags.mouse !== false;
}
