// The replicated state machine of a simulated node: an append-only list of client values. A value
// applied twice (a client retried a proposal that had in fact gone through) is kept once, so
// retries are harmless and every node's list is the same sequence (State Machine Safety).

export interface StateMachine {
  /** Applies a committed normal entry's data; returns the value's position, or -1 when a duplicate. */
  apply(data: string): number;
  /** Number of distinct values applied. */
  readonly size: number;
  serialize(): string;
}

export class ClientLog implements StateMachine {
  readonly values: string[];
  private readonly seen: Set<string>;

  constructor(serialized?: string) {
    this.values = serialized === undefined || serialized === '' ? [] : (JSON.parse(serialized) as string[]);
    this.seen = new Set(this.values);
  }

  apply(data: string): number {
    if (this.seen.has(data)) return -1;
    this.seen.add(data);
    return this.values.push(data) - 1;
  }

  get size(): number {
    return this.values.length;
  }

  has(value: string): boolean {
    return this.seen.has(value);
  }

  serialize(): string {
    return JSON.stringify(this.values);
  }
}

/** For throughput runs: counts entries and keeps nothing (the payloads are not unique there). */
export class CountingMachine implements StateMachine {
  size: number;
  constructor(serialized?: string) {
    this.size = serialized === undefined || serialized === '' ? 0 : Number(serialized);
  }
  apply(): number {
    return this.size++;
  }
  serialize(): string {
    return String(this.size);
  }
}
