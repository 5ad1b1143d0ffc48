// Which columns of the node table a width has room for, and how wide each is: a pure function of
// the width, so every width from the narrowest to the widest is tested without a terminal. The
// columns that do not fit are dropped in a fixed order of priority, the least needed first; a row
// is never wider than the width.

export type ColumnId =
  'sel' | 'id' | 'process' | 'role' | 'term' | 'vote' | 'leader' | 'last' | 'commit' | 'applied' | 'timer' | 'group' | 'links';

export interface TableColumn {
  id: ColumnId;
  width: number;
}

export interface TableColumns {
  columns: TableColumn[];
  /** The process column shows its word ("● running"), not only its glyph. */
  processWords: boolean;
  /** Cells of the timer bar (its text follows it). */
  timerBar: number;
}

const WIDTH: Record<Exclude<ColumnId, 'timer' | 'links'>, number> = {
  sel: 2,
  id: 5,
  process: 10,
  role: 12, // "◆ candidate" and a space
  term: 5,
  vote: 5,
  leader: 5,
  last: 9,
  commit: 7,
  applied: 5,
  group: 4,
};
/** The process column with its glyph only. */
const PROCESS_GLYPH_ONLY = 2;
/** The timer's text after its bar, and the space after it: " 0.15s", " ♥500ms". */
export const TIMER_TEXT = 8;
const TIMER_BAR = { min: 3, max: 20 };
const LINKS_MIN = 14;

const ORDER: readonly ColumnId[] = [
  'sel',
  'id',
  'process',
  'role',
  'term',
  'vote',
  'leader',
  'last',
  'commit',
  'applied',
  'timer',
  'group',
  'links',
];

/** What gives way, first to last: the links (told under the table instead), the process word (its glyph stays), then whole columns. */
const GIVE_WAY = ['links', 'process-word', 'applied', 'vote', 'leader', 'group', 'last'] as const;

/** The process column when a member may be "? unreachable" (a cluster raft-console attached to): the longest word. */
const PROCESS_UNREACHABLE = 14;

/** `unreachable`: the nodes are members of a cluster raft-console does not run, which may not answer (their process word is longer). */
export function tableColumns(width: number, unreachable = false): TableColumns {
  const dropped = new Set<string>();
  const widthOf = (id: ColumnId): number =>
    id === 'timer'
      ? TIMER_BAR.min + TIMER_TEXT
      : id === 'links'
        ? LINKS_MIN
        : id === 'process' && dropped.has('process-word')
          ? PROCESS_GLYPH_ONLY
          : id === 'process' && unreachable
            ? PROCESS_UNREACHABLE
            : WIDTH[id];
  const shown = (): ColumnId[] => ORDER.filter((id) => !dropped.has(id));
  const total = (): number => shown().reduce((n, id) => n + widthOf(id), 0);
  for (const what of GIVE_WAY) {
    if (total() <= width) break;
    dropped.add(what);
  }
  // What is left widens the timer bar, then the links column.
  const spare = Math.max(0, width - total());
  const timerBar = TIMER_BAR.min + Math.min(spare, TIMER_BAR.max - TIMER_BAR.min);
  const links = spare - (timerBar - TIMER_BAR.min);
  return {
    columns: shown().map((id) => ({
      id,
      width: id === 'timer' ? timerBar + TIMER_TEXT : id === 'links' ? LINKS_MIN + links : widthOf(id),
    })),
    processWords: !dropped.has('process-word'),
    timerBar,
  };
}
