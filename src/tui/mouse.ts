// The mouse, where the terminal reports it: a click on a node's row selects that node, the wheel
// over the events scrolls them, over the log grid scrolls it. The terminal is asked for SGR reports
// (`ESC[<b;x;yM` on a press, `m` on a release) while the dashboard runs; everything the mouse does
// stays reachable from the keyboard. Pure: the app hands each report here before the key router,
// so the report's bytes are never taken for keys.
import type { UiState } from './keys.js';
import { rowRegions, type Layout, type RowRegions } from './layout.js';

/** Turns on button reports (1000) in SGR form (1006); MOUSE_OFF turns both off again. */
export const MOUSE_ON = '\u001b[?1000h\u001b[?1006h';
export const MOUSE_OFF = '\u001b[?1006l\u001b[?1000l';

export interface MouseReport {
  what: 'press' | 'release' | 'wheel-up' | 'wheel-down';
  /** 0 left, 1 middle, 2 right (for a press or release). */
  button: number;
  /** Where, from 0: the frame's column and line. */
  col: number;
  row: number;
}

const SGR = /^\[<(\d+);(\d+);(\d+)([Mm])$/;

/** The report in `input`, or null when it is not one. */
export function parseMouse(input: string): MouseReport | null {
  // Ink hands a report over as one input, with its ESC already taken off.
  const m = SGR.exec(input.startsWith('\u001b') ? input.slice(1) : input);
  if (m === null) return null;
  const code = Number(m[1]);
  const at = { col: Number(m[2]) - 1, row: Number(m[3]) - 1 };
  // Bits 4, 8 and 16 are Shift, Meta and Ctrl; 64 marks the wheel.
  const button = code & 3;
  if ((code & 64) !== 0) return { what: button === 0 ? 'wheel-up' : 'wheel-down', button, ...at };
  return { what: m[4] === 'M' ? 'press' : 'release', button, ...at };
}

/** Lines the wheel scrolls the events by, and log columns it scrolls the grid by, per notch. */
const EVENT_LINES = 3;
const LOG_COLUMNS = 5;

/** The regions the mouse reaches in this UI state: the whole main view normally, the node rows in the partition editor, none elsewhere. */
export function mouseRegions(ui: UiState, frame: Layout, nodes: number): RowRegions | null {
  const r = rowRegions(frame, nodes);
  // On a narrow screen the hint opens the whole exercise text in place of the rest.
  if (r === null || (ui.hint && r.strip !== null)) return null;
  if (ui.mode.kind === 'partition') return { ...r, grid: null, events: null };
  return ui.mode.kind === 'normal' ? r : null;
}

const inside = (row: number, r: { top: number; rows: number }): boolean => row >= r.top && row < r.top + r.rows;

/**
 * What a report does to the UI: `regions` says which lines of the frame hold what (null when
 * nothing there takes the mouse: help, a prompt, a screen too small), `nodes` the ids of the node
 * rows in order.
 */
export function routeMouse(ui: UiState, report: MouseReport, regions: RowRegions | null, nodes: readonly number[]): UiState {
  if (regions === null || report.col >= regions.width) return ui;
  const { row } = report;
  if (report.what === 'press' && report.button === 0) {
    if (!inside(row, regions.nodes)) return ui;
    const id = nodes[row - regions.nodes.top];
    return id === undefined ? ui : { ...ui, selected: id };
  }
  const up = report.what === 'wheel-up';
  if (report.what !== 'wheel-up' && report.what !== 'wheel-down') return ui;
  if (regions.grid !== null && inside(row, regions.grid))
    return { ...ui, logBack: Math.max(0, ui.logBack + (up ? LOG_COLUMNS : -LOG_COLUMNS)) };
  if (regions.events !== null && inside(row, regions.events))
    return { ...ui, eventsBack: Math.max(0, ui.eventsBack + (up ? EVENT_LINES : -EVENT_LINES)) };
  return ui;
}
