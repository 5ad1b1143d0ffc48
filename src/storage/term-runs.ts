// What storage remembers of the log without rereading its files: the snapshot's index and term, the
// last index, and the term of every entry in between, kept as runs of equal terms (a term lasts
// for thousands of entries, so this stays a handful of numbers). Enough to check that a save
// attaches to the log, and to decide whether a snapshot keeps the entries after it.

interface Run {
  /** First index of the run; it lasts until the next run's first index, or to the last index. */
  first: number;
  term: number;
}

export class TermRuns {
  private base: number;
  private baseTerm: number;
  private last: number;
  private readonly runs: Run[] = [];

  /** A log that starts after (`snapshotIndex`, `snapshotTerm`), holding no entry yet. */
  constructor(snapshotIndex: number, snapshotTerm: number) {
    this.base = snapshotIndex;
    this.baseTerm = snapshotTerm;
    this.last = snapshotIndex;
  }

  get snapshotIndex(): number {
    return this.base;
  }

  get lastIndex(): number {
    return this.last;
  }

  /** The term at `index`: the snapshot's at its index, undefined below it or beyond the log. */
  termAt(index: number): number | undefined {
    if (index === this.base) return this.baseTerm;
    if (index < this.base || index > this.last) return undefined;
    // Binary search for the last run starting at or before `index`.
    let lo = 0;
    let hi = this.runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runs[mid]!.first <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.runs[lo]!.term;
  }

  /** Appends the entry at `index`, first dropping every entry from `index` on. */
  append(index: number, term: number): void {
    if (index <= this.base || index > this.last + 1)
      throw new RangeError(`entry ${index} does not attach to the log (${this.base + 1}-${this.last})`);
    this.last = index - 1;
    while (this.runs.length > 0 && this.runs[this.runs.length - 1]!.first > this.last) this.runs.pop();
    if (this.runs.at(-1)?.term !== term) this.runs.push({ first: index, term });
    this.last = index;
  }

  /** A snapshot at `index` took over the log up to there; the entries after it stay. */
  compact(index: number, term: number): void {
    while (this.runs.length > 0 && (this.runs[1]?.first ?? this.last + 1) <= index + 1) this.runs.shift();
    if (this.runs.length > 0) this.runs[0]!.first = index + 1;
    this.base = index;
    this.baseTerm = term;
  }

  /** A snapshot at `index` replaced the whole log. */
  reset(index: number, term: number): void {
    this.runs.length = 0;
    this.base = index;
    this.baseTerm = term;
    this.last = index;
  }
}
