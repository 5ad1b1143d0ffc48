// How the screen's rows and columns are shared between the panels. The whole frame stays at most
// rows - 1 lines tall: at full height ink clears the terminal on every frame (flicker).
export interface Size {
  cols: number;
  rows: number;
}

export interface Layout {
  /** Set when the terminal is below the minimum: the size it needs. */
  tooSmall: Size | null;
  /** The log grid is drawn (it is dropped first when rows are short). */
  grid: boolean;
  /** Lines of the event list. */
  eventRows: number;
  /** The exercise panel: at the side on wide screens, else a strip of `exerciseRows` above the events. */
  exercise: { side: boolean; width: number; rows: number } | null;
  /** Width of the main column. */
  mainWidth: number;
  /** Rows between the header and the footer: what an overlay (help, results, the exercise text) has. */
  overlayRows: number;
  /** The node table has a line under it for the link faults. */
  linksLine: boolean;
  /** The node table has a line under it saying what the engine does not expose (etcd: its log and timers). */
  noteLine: boolean;
  /** A replay's time bar stands under the header. */
  timeBar: boolean;
}

export const MIN_COLS = 72;
const HEADER = 2;
const FOOTER = 2; // flash line + key hints
const MIN_EVENTS = 2;
const STRIP = 3;
const SIDE_MIN_COLS = 130;

/**
 * `linksLine`: the node table tells link faults on a line under it (it has no room for its links
 * column). `noteLine`: the nodes do not report their log entries (etcd): a line under the table says
 * so, and there is no log grid to draw. `timeBar`: a replay's time bar takes a line under the header.
 */
export function layout(size: Size, nodes: number, exercise: boolean, linksLine = false, noteLine = false, timeBar = false): Layout {
  const usable = size.rows - 1 - (timeBar ? 1 : 0);
  const table = 1 + nodes + (linksLine ? 1 : 0) + (noteLine ? 1 : 0);
  const grid = 2 + nodes;
  const side = exercise && size.cols >= SIDE_MIN_COLS;
  const strip = exercise && !side ? STRIP : 0;
  const fixed = HEADER + table + FOOTER + strip;
  // The minimum counts the links line whether it is shown or not: a link fault must not make the
  // dashboard too small for a size it said was enough.
  const minRows = fixed + (linksLine ? 0 : 1) + MIN_EVENTS + 1;
  if (size.cols < MIN_COLS || usable < minRows)
    return {
      tooSmall: { cols: MIN_COLS, rows: minRows + 1 + (timeBar ? 1 : 0) },
      grid: false,
      eventRows: 0,
      exercise: null,
      mainWidth: size.cols,
      overlayRows: 0,
      linksLine,
      noteLine,
      timeBar,
    };
  const withGrid = !noteLine && usable - fixed - grid - 1 >= MIN_EVENTS;
  const eventRows = usable - fixed - 1 - (withGrid ? grid : 0);
  const sideWidth = side ? Math.min(56, Math.floor(size.cols * 0.34)) : 0;
  return {
    tooSmall: null,
    grid: withGrid,
    eventRows,
    exercise: exercise ? { side, width: side ? sideWidth : size.cols, rows: side ? usable - HEADER - FOOTER : STRIP } : null,
    mainWidth: size.cols - (side ? sideWidth + 1 : 0),
    overlayRows: usable - HEADER - FOOTER,
    linksLine,
    noteLine,
    timeBar,
  };
}

/** Lines of the frame (from 0) that hold a panel: `top` and how many `rows`. */
export interface Rows {
  top: number;
  rows: number;
}

/** Which lines of the frame hold the node rows, the log grid and the events, and how wide the main column is (the mouse needs it). */
export interface RowRegions {
  /** One line per node, in the node table's order. */
  nodes: Rows;
  /** The exercise panel's strip below the table on a narrow screen; null without one. */
  strip: Rows | null;
  /** The grid with its title and ruler; null when it is not drawn. */
  grid: Rows | null;
  /** The event list with its title; null while another panel takes its place (the partition editor). */
  events: Rows | null;
  width: number;
}

/** Where the panels of the main view are, as Dashboard stacks them: header, node table, exercise strip, log grid, events. */
export function rowRegions(l: Layout, nodes: number): RowRegions | null {
  if (l.tooSmall !== null) return null;
  const table = { top: HEADER + (l.timeBar ? 1 : 0) + 1, rows: nodes };
  const below = table.top + nodes + (l.linksLine ? 1 : 0) + (l.noteLine ? 1 : 0);
  const strip = l.exercise !== null && !l.exercise.side ? { top: below, rows: l.exercise.rows } : null;
  const gridTop = below + (strip?.rows ?? 0);
  const grid = l.grid ? { top: gridTop, rows: 2 + nodes } : null;
  return { nodes: table, strip, grid, events: { top: gridTop + (grid?.rows ?? 0), rows: l.eventRows + 1 }, width: l.mainWidth };
}
