// The key-value data and what each command does to it. Only the state machine calls execute(), once
// per new command, in log order; limits and sessions are checked before it gets here.
import type { KvCommand } from './command.js';
import { utf8Bytes } from './limits.js';
import type { CommandOutcome } from './result.js';

export class KvStore {
  // A Map, never a plain object: a key such as "__proto__" must be data like any other.
  private readonly data = new Map<string, string>();
  /** UTF-8 bytes of every key and value held: the size the dashboard shows. */
  private bytes = 0;
  /** Submitted texts live in the log only; the store keeps their count. */
  private submits = 0;

  /** A store holding `entries`, after `submitted` submits: what a snapshot carries. */
  static from(entries: Iterable<readonly [string, string]>, submitted: number): KvStore {
    const store = new KvStore();
    for (const [key, value] of entries) store.set(key, value);
    store.submits = submitted;
    return store;
  }

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  execute(command: KvCommand): CommandOutcome {
    switch (command.op) {
      case 'submit':
        this.submits++;
        return { ok: true, op: 'submit' };
      case 'put':
        return { ok: true, op: 'put', previous: this.set(command.key, command.value) };
      case 'delete':
        return { ok: true, op: 'delete', existed: this.remove(command.key) };
      case 'cas': {
        const current = this.get(command.key);
        if (current !== command.expected) return { ok: true, op: 'cas', swapped: false, current };
        this.set(command.key, command.value);
        return { ok: true, op: 'cas', swapped: true };
      }
    }
  }

  entries(): IterableIterator<[string, string]> {
    return this.data.entries();
  }

  get keys(): number {
    return this.data.size;
  }

  get dataBytes(): number {
    return this.bytes;
  }

  get submitted(): number {
    return this.submits;
  }

  /** Sets `key`; returns the value it replaced, or null. */
  private set(key: string, value: string): string | null {
    const previous = this.get(key);
    this.bytes += utf8Bytes(value) + (previous === null ? utf8Bytes(key) : -utf8Bytes(previous));
    this.data.set(key, value);
    return previous;
  }

  /** Deletes `key`; returns whether it was there. */
  private remove(key: string): boolean {
    const previous = this.get(key);
    if (previous === null) return false;
    this.bytes -= utf8Bytes(key) + utf8Bytes(previous);
    this.data.delete(key);
    return true;
  }
}
