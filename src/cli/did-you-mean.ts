// "did you mean nodes?" for a word typed that is not one of those allowed (a setting's key, an
// event kind): the closest by edit distance, when it is close enough to be a typo. Commander says
// the same for commands and options by itself.

/** Levenshtein distance: the insertions, deletions and substitutions that turn a into b. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** " (did you mean nodes?)", or "" when no candidate is close: within a third of the word's length, at least 1. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: { candidate: string; d: number } | null = null;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d <= limit && (best === null || d < best.d)) best = { candidate, d };
  }
  return best === null ? '' : ` (did you mean ${best.candidate}?)`;
}
