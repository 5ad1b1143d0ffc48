// A replay's time bar, the line under the header: REPLAY, playing or paused, the cursor's time,
// where it is in the recording, the speed, and the previous and next mark of the kind `[` and `]`
// jump to, how far behind and ahead. Drawn from the snapshot's cursor: pure.
import { Text } from 'ink';
import { clock } from '../cluster-model/index.js';
import type { Mark, MarkKind } from '../cluster-model/replay.js';
import type { Labels } from './labels.js';
import type { ReplayView } from './store.js';
import type { Line, Seg } from './text-view.js';
import { columns } from './text-width.js';

/** The position bar's width bounds. */
const BAR_MIN = 6;
const BAR_MAX = 40;

/** A time from the cursor, short: -3.2s, +12s, +1m05s. */
export function relative(ms: number): string {
  const a = Math.abs(ms);
  const sign = ms < 0 ? '-' : '+';
  if (a < 10_000) return `${sign}${(a / 1000).toFixed(1)}s`;
  if (a < 60_000) return `${sign}${Math.round(a / 1000)}s`;
  const s = Math.round(a / 1000);
  return `${sign}${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** The nearest mark of `kind` at or before the cursor (dir -1), or after it (dir 1). */
export function nearestMark(marks: readonly Mark[], kind: MarkKind | 'any', at: number, dir: 1 | -1): Mark | null {
  const fits = marks.filter((m) => (kind === 'any' || m.kind === kind) && (dir === 1 ? m.ts > at : m.ts <= at));
  return (dir === 1 ? fits[0] : fits[fits.length - 1]) ?? null;
}

/** The speed as a factor: 0.25x, 1x, 8x. */
export function speedText(x: number): string {
  return `${x}x`;
}

/** The position of `at` in [from, to] on a bar of `width` cells. */
export function positionBar(from: number, to: number, at: number, width: number): string {
  const share = to > from ? (at - from) / (to - from) : 1;
  const pos = Math.max(0, Math.min(width - 1, Math.round(share * (width - 1))));
  return '━'.repeat(pos) + '●' + '─'.repeat(width - 1 - pos);
}

/** The time bar's pieces at `width` columns: what must stay first, the marks give way, then the bar shrinks. */
export function timeBarLine(v: ReplayView, kind: MarkKind | 'any', width: number, labels: Labels): Line {
  const head: Seg[] = [
    { text: ` ${labels.replayBadge} `, colour: 'yellow', bold: true },
    { text: v.playing ? ` ▶ ${labels.replayPlaying}` : ` ‖ ${labels.replayPaused}`, colour: v.playing ? 'green' : 'yellow' },
    { text: ` ${clock(v.at)} `, bold: true },
  ];
  const speed: Seg = { text: ` ${speedText(v.speed)}`, bold: true };
  const prev = nearestMark(v.marks, kind, v.at, -1);
  const next = nearestMark(v.marks, kind, v.at, 1);
  const used = (segs: readonly Seg[]): number => segs.reduce((n, s) => n + columns(s.text), 0);
  // The chosen kind, with how far back and ahead its nearest marks are ([ and ] jump there); they give way first.
  const marks: Seg[] = [
    { text: `  ${labels.markKinds[kind]} [ ` },
    prev === null
      ? { text: '—', dim: true }
      : prev.ts === v.at
        ? { text: labels.replayHere, bold: true }
        : { text: relative(prev.ts - v.at) },
    { text: ' · ' },
    next === null ? { text: '—', dim: true } : { text: relative(next.ts - v.at) },
    { text: ' ]' },
  ];
  const tail = width - used(head) - used([speed]) - used(marks) >= BAR_MIN ? marks : [];
  const bar = Math.max(BAR_MIN, Math.min(BAR_MAX, width - used(head) - used([speed]) - used(tail)));
  return [...head, { text: positionBar(v.from, v.to, v.at, bar), colour: 'cyan' }, speed, ...tail];
}

export function TimeBar({ view, kind, width, labels }: { view: ReplayView; kind: MarkKind | 'any'; width: number; labels: Labels }) {
  const line = timeBarLine(view, kind, width, labels);
  return (
    <Text wrap="truncate">
      {line.map((s, i) => (
        <Text key={i} color={s.colour} bold={s.bold} dimColor={s.dim} inverse={i === 0}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}
