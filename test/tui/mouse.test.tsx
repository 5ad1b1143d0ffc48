// The mouse: SGR reports read, a click selects the node of its row, the wheel scrolls the panel under
// it; the rows are where the frame really draws them.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { Dashboard, frameLayout } from '../../src/tui/dashboard.js';
import type { Snapshot } from '../../src/tui/store.js';
import { initialUi, type UiState } from '../../src/tui/keys.js';
import { labelsFor } from '../../src/tui/labels.js';
import { layout, rowRegions, type Size } from '../../src/tui/layout.js';
import { mouseRegions, parseMouse, routeMouse } from '../../src/tui/mouse.js';
import type { ExercisePanelView } from '../../src/exercises/types.js';
import { exerciseView, healthy, snapshot } from './fixtures.js';

const EXERCISE = exerciseView();

function lines(size: Size, exercise: ExercisePanelView | null, snap: Snapshot = snapshot(healthy())): string[] {
  const { lastFrame, unmount } = render(
    <Dashboard snap={snap} ui={initialUi(1)} size={size} labels={labelsFor('en')} colour={false} attached={false} exercise={exercise} />,
  );
  const out = (lastFrame() ?? '').split('\n');
  unmount();
  return out;
}

describe('SGR mouse reports', () => {
  it('reads presses, releases and the wheel, with or without the ESC ink takes off, and nothing else', () => {
    expect(parseMouse('\u001b[<0;10;5M')).toEqual({ what: 'press', button: 0, col: 9, row: 4 });
    expect(parseMouse('[<0;10;5m')).toEqual({ what: 'release', button: 0, col: 9, row: 4 });
    expect(parseMouse('[<64;1;20M')).toEqual({ what: 'wheel-up', button: 0, col: 0, row: 19 });
    expect(parseMouse('[<65;1;20M')).toEqual({ what: 'wheel-down', button: 1, col: 0, row: 19 });
    // Ctrl (16) with the wheel is still the wheel.
    expect(parseMouse('[<80;1;20M')).toMatchObject({ what: 'wheel-up' });
    for (const notMouse of ['2', '[A', '\u001b[A', '[<0;10M', 'x[<0;1;1M']) expect(parseMouse(notMouse)).toBeNull();
  });
});

describe('where the panels are', () => {
  for (const [name, size, exercise] of [
    ['at 100x30', { cols: 100, rows: 30 }, null],
    ['at 80x24 with an exercise strip', { cols: 80, rows: 24 }, EXERCISE],
    ['at 160x48 with the exercise at the side', { cols: 160, rows: 48 }, EXERCISE],
  ] as const)
    it(`are the lines the frame draws them on, ${name}`, () => {
      const out = lines(size, exercise);
      const r = rowRegions(layout(size, 3, exercise !== null), 3)!;
      expect(out[r.nodes.top]).toMatch(/^▸ n1 /);
      expect(out[r.nodes.top + 2]).toMatch(/^ {2}n3 /);
      if (r.grid !== null) {
        expect(out[r.grid.top]).toMatch(/^log /);
        expect(out[r.grid.top + r.grid.rows - 1]).toMatch(/^n3 /);
      }
      expect(out[r.events!.top]).toMatch(/^\[events\]/);
      expect(r.events!.top + r.events!.rows).toBeLessThanOrEqual(out.length - 2);
    });

  it('count the line of link faults under the table when the frame draws one', () => {
    const model = healthy();
    model.links = [{ from: 1, to: 2, blocked: true, delayMs: 0, loss: 0 }];
    const snap = snapshot(model);
    const size = { cols: 80, rows: 24 };
    const out = lines(size, EXERCISE, snap);
    const frame = frameLayout(snap, size, true);
    expect(frame.linksLine).toBe(true);
    const r = rowRegions(frame, 3)!;
    expect(out[r.nodes.top + 3]).toMatch(/^links: /);
    expect(out[r.grid?.top ?? r.events!.top]).toMatch(/^(log|events)/);
    expect(out[r.events!.top]).toMatch(/^\[events\]/);
  });
});

describe('what the mouse does', () => {
  const size = { cols: 100, rows: 30 };
  const ui = initialUi(1);
  const regions = rowRegions(layout(size, 3, false), 3)!;
  const at = (what: 'press' | 'wheel-up' | 'wheel-down', row: number, col = 10) => ({ what, button: 0, col, row });

  it("a click on a node's row selects that node; elsewhere, or with another button, it does nothing", () => {
    expect(routeMouse(ui, at('press', regions.nodes.top + 2), regions, [1, 2, 3]).selected).toBe(3);
    expect(routeMouse(ui, at('press', 0), regions, [1, 2, 3])).toBe(ui);
    expect(routeMouse(ui, { ...at('press', regions.nodes.top + 2), button: 2 }, regions, [1, 2, 3])).toBe(ui);
  });

  it('the wheel scrolls the events or the log grid, whichever it is over, and not past the tail', () => {
    const events = regions.events!.top + 1;
    const back = routeMouse(ui, at('wheel-up', events), regions, [1, 2, 3]);
    expect(back.eventsBack).toBe(3);
    expect(routeMouse(back, at('wheel-down', events), regions, [1, 2, 3]).eventsBack).toBe(0);
    expect(routeMouse(ui, at('wheel-down', events), regions, [1, 2, 3]).eventsBack).toBe(0);
    expect(routeMouse(ui, at('wheel-up', regions.grid!.top + 2), regions, [1, 2, 3]).logBack).toBe(5);
  });

  it('reaches nothing under the help, a prompt or the side panel, and only the node rows in the partition editor', () => {
    expect(mouseRegions({ ...ui, mode: { kind: 'help' } }, layout(size, 3, false), 3)).toBeNull();
    expect(
      mouseRegions({ ...ui, mode: { kind: 'command', text: '', choices: [], back: 0, draft: '' } }, layout(size, 3, false), 3),
    ).toBeNull();
    const editing: UiState = { ...ui, mode: { kind: 'partition', groups: {} } };
    expect(mouseRegions(editing, layout(size, 3, false), 3)).toMatchObject({ grid: null, events: null, nodes: regions.nodes });
    const wide = { cols: 160, rows: 48 };
    const side = rowRegions(layout(wide, 3, true), 3)!;
    expect(routeMouse(ui, at('press', side.nodes.top + 1, side.width + 2), side, [1, 2, 3])).toBe(ui);
  });
});
