// The reads panel (the read lane): the reads the nodes told they answered or refused (their
// read-served and read-refused events, src/node/read-event.ts), newest last: when, which node, the
// key, the answer or the refusal, and how the answer was confirmed: a ReadIndex round at a commit
// index (dissertation 6.4), or UNCONFIRMED under the read-without-quorum known bug. An answer is
// marked stale where the events show it: a leader of a later term had committed beyond what the
// answering node had applied, before the read was answered.
import { Box, Text } from 'ink';
import { clock, type ClusterEvent } from '../cluster-model/index.js';
import { PanelStrip, type PanelProps } from './panels.js';

export interface ReadRow {
  ts: number;
  node: number;
  key: string;
  /** The answer (quoted) or the refusal's code. */
  answer: string;
  refused: boolean;
  /** "ReadIndex at commit 5", "UNCONFIRMED at commit 5", or the refusal's reason. */
  how: string;
  unconfirmed: boolean;
  /** Why the answer is stale, when the events show it. */
  stale: string | null;
  untold: number;
}

type Words = Pick<PanelProps['labels'], 'readsNotSet' | 'readsConfirmed' | 'readsUnconfirmed' | 'readsRefused' | 'readsStale'>;

const num = (d: Record<string, unknown>, k: string): number => (typeof d[k] === 'number' ? d[k] : 0);
const str = (d: Record<string, unknown>, k: string): string => (typeof d[k] === 'string' ? d[k] : '');

/**
 * The reads in `events`, oldest first. A commit seen before a read (a leader's commit event, of
 * some term above the read's, beyond the index the reading node had applied) makes it stale.
 */
export function readRows(events: readonly ClusterEvent[], words: Words): ReadRow[] {
  /** The highest index a leader of each term committed, from the commit events so far. */
  const committed = new Map<number, { node: number; to: number }>();
  const rows: ReadRow[] = [];
  for (const e of events) {
    const d = e.data;
    if (d === undefined || e.node === null) continue;
    if (e.kind === 'raft' && e.type === 'commit' && num(d, 'voters') > 0) {
      const term = num(d, 'term');
      if (num(d, 'to') > (committed.get(term)?.to ?? 0)) committed.set(term, { node: e.node, to: num(d, 'to') });
      continue;
    }
    if (e.kind !== 'node' || (e.type !== 'read-served' && e.type !== 'read-refused')) continue;
    const base = { ts: e.ts, node: e.node, key: str(d, 'key'), untold: num(d, 'untold') };
    if (e.type === 'read-refused') {
      rows.push({
        ...base,
        answer: words.readsRefused,
        refused: true,
        how: `${str(d, 'code')}: ${str(d, 'reason')}`,
        unconfirmed: false,
        stale: null,
      });
      continue;
    }
    const unconfirmed = d.confirmed === 'unconfirmed';
    const index = num(d, 'index');
    let newer: { term: number; node: number; to: number } | null = null;
    for (const [term, c] of committed)
      if (term > num(d, 'term') && c.to > num(d, 'applied') && (newer === null || c.to > newer.to)) newer = { term, ...c };
    rows.push({
      ...base,
      answer: typeof d.value === 'string' ? JSON.stringify(d.value) : words.readsNotSet,
      refused: false,
      how: unconfirmed ? words.readsUnconfirmed(index) : words.readsConfirmed(index),
      unconfirmed,
      stale: newer === null ? null : words.readsStale(newer.node, newer.to, newer.term),
    });
  }
  return rows;
}

export function ReadsPanel({ snap, ui, width, rows, labels }: PanelProps) {
  const all = readRows(snap.events, labels);
  const shown = all.slice(-Math.max(0, rows - 1));
  return (
    <Box flexDirection="column" width={width} height={rows + 1}>
      <Text wrap="truncate">
        <PanelStrip current={ui.panel} labels={labels} />
        <Text dimColor> · {labels.readsTitle}</Text>
      </Text>
      {shown.length === 0 ? (
        <Text dimColor wrap="truncate">
          {labels.readsNone}
        </Text>
      ) : null}
      {shown.map((r, i) => (
        <Text key={`${r.ts}-${i}`} wrap="truncate">
          <Text dimColor>{clock(r.ts)}</Text>
          <Text bold>{`  n${r.node}`.padEnd(6)}</Text>
          <Text>{r.key} </Text>
          <Text color={r.refused ? 'yellow' : r.stale !== null ? 'red' : 'green'}>{r.answer}</Text>
          {r.stale !== null ? (
            <Text color="red" bold>
              {'  '}
              {r.stale}
            </Text>
          ) : null}
          <Text color={r.unconfirmed ? 'red' : undefined} dimColor={!r.unconfirmed}>
            {'  '}
            {r.how}
          </Text>
          {r.untold > 0 ? <Text dimColor>{`  (${labels.readsUntold(r.untold)})`}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
