// The dashboard's layout in a real terminal (tmux), at 72x24 (the stated minimum width), 80x24 and
// 160x48: no row wraps (capture-pane -J joins a wrapped row back into one line wider than the
// pane), every node has its one row, the top line is whole, the help's descriptions are whole,
// and exercise 5's whole text can be read by scrolling it.
import { describe, expect, test } from 'vitest';
import { splitVote } from '../../src/exercises/catalog/split-vote.js';
import { BINDINGS } from '../../src/tui/keymap.js';
import { columns } from '../../src/tui/text-width.js';
import { paneForTests, skipWithoutTmux as skip } from './tmux.js';

if (skip) console.warn('layout.system.test.ts skipped: tmux is not installed (in CI it is required and the test runs)');

const tests = paneForTests('layout.system.test.ts');

/** The screen's lines, a wrapped row joined back into one line, trailing blanks dropped. */
async function screen(): Promise<string[]> {
  const lines = (await tests.pane().capture('-J')).split('\n').map((l) => l.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

/** Looks at the screen until `parse` finds what it looks for. */
const onScreen = <T>(what: string, parse: (lines: string[]) => T | undefined): Promise<T> =>
  tests.pane().until(what, screen, parse, 15_000);

/** Starts `raft-console ...args` in a pane of this size (closing the pane a failed test left first: that stops its cluster). */
async function start(cols: number, rows: number, args: string): Promise<void> {
  await tests.pane().close();
  await tests.pane().start(cols, rows, args);
}

const resize = (cols: number, rows: number): Promise<string> =>
  tests.pane().tmux('resize-window', '-t', 't', '-x', String(cols), '-y', String(rows));
const press = (...keys: string[]): Promise<string> => tests.pane().press(...keys);

/** The dashboard whole at this size: every line within the width, no more lines than rows - 1, the top line first, each node in one row. */
function whole(cols: number, rows: number, nodes: number) {
  return (lines: string[]): string[] | undefined => {
    if (lines.some((l) => columns(l) > cols) || lines.length > rows - 1) return undefined;
    if (!/^raft-console .*★ leader n\d+ · term \d+ · commit \d+\s+✔ SAFE$/.test(lines[0] ?? '')) return undefined;
    if (lines.filter((l) => /^[ ▸] n\d+ /.test(l)).length !== nodes) return undefined;
    return lines;
  };
}

/** Every page of the open text, scrolling down with PgDn until its indicator says nothing is below. */
async function pages(what: string): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 20; i++) {
    const lines = await screen();
    seen.push(lines.join('\n'));
    const more = lines.map((l) => /↑ (\d+) · (\d+) more ↓/.exec(l)).find((m) => m !== null);
    if (more == null || more[2] === '0') return seen;
    await press('PgDn');
    await onScreen(`${what} to scroll past ${more[1]}`, (l) =>
      l.some((x) => new RegExp(`↑ (?!${more[1]} )\\d+ ·`).test(x)) ? true : undefined,
    );
  }
  throw new Error(`${what}: still more below after 20 pages`);
}

/** A page as one line of words: indentation, borders and wraps gone. */
const words = (page: string): string => page.replace(/[│┌┐└┘─]/g, ' ').replace(/\s+/g, ' ');

async function quit(): Promise<void> {
  await press('Escape');
  await press('q');
  await onScreen('the quit question', (l) => (l.some((x) => x.includes('Quit and stop the cluster')) ? true : undefined));
  await press('y');
  await onScreen('the command to end', (l) => (l.some((x) => /\[exited with 0\]/.test(x)) ? true : undefined));
  await tests.pane().close();
}

describe.skipIf(skip)('the dashboard at every size (tmux)', () => {
  test('80x24, 72x24 and 160x48: no row wraps, the top line is whole, the help gives whole descriptions', async () => {
    await start(80, 24, 'up 5 --name layout');
    await onScreen('the dashboard whole at 80x24', whole(80, 24, 5));
    await tests.cli().status('layout');

    await press('?');
    await onScreen('the help', (l) => (l.some((x) => x.startsWith('keys (')) ? true : undefined));
    const help = (await pages('the help')).map(words);
    for (const b of BINDINGS.filter((x) => x.exercise !== true))
      expect(
        help.some((p) => p.includes(b.help)),
        `the help of ${b.keys} whole`,
      ).toBe(true);
    expect(help.some((p) => p.includes('last i/t index and term of the last entry in its log'))).toBe(true);
    await press('Escape');

    await resize(72, 24);
    await onScreen('the dashboard whole at 72x24', whole(72, 24, 5));
    await resize(160, 48);
    // The links column is back at this width (and tells the frame is the one drawn for it).
    await onScreen('the dashboard whole at 160x48, with its links column', (l) =>
      whole(160, 48, 5)(l) !== undefined && l.some((x) => / grp links$/.test(x)) ? true : undefined,
    );
    await quit();
  }, 60_000);

  test('exercise 5 at 80x24: its whole text, every step and the hint, after scrolling; then 72x24 and 160x48', async () => {
    await start(80, 24, 'exercise start 5 --name layoutex');
    await onScreen('the split step current', (l) =>
      whole(80, 24, 4)(l) !== undefined && l.some((x) => x.startsWith('▸ Press X')) ? true : undefined,
    );
    await tests.cli().status('layoutex');
    await press('H');
    await onScreen('the exercise text', (l) =>
      l.some((x) => x.includes('exercise 5 · Split vote')) && l.some((x) => /more ↓/.test(x)) ? true : undefined,
    );
    const text = (await pages('the exercise text')).map(words);
    for (const s of splitVote.steps)
      expect(
        text.some((p) => p.includes(s.text.en)),
        s.text.en,
      ).toBe(true);
    expect(text.some((p) => p.includes(splitVote.steps[1]!.hint.en))).toBe(true);
    await press('H');

    await resize(72, 24);
    await onScreen('the exercise whole at 72x24', whole(72, 24, 4));
    await resize(160, 48);
    await onScreen('the exercise whole at 160x48, its goal beside the table', (l) =>
      whole(160, 48, 4)(l) !== undefined && l.some((x) => x.includes('Two nodes ask for votes')) ? true : undefined,
    );
    await quit();
  }, 60_000);
});
