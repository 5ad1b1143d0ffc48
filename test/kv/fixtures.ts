// Shared test material: commands by hand, a replica that numbers its entries, and seeded random
// logs that mix every kind of entry a state machine can meet.
import { encodeCommand, KvStateMachine, type ApplyResult, type CommandResult, type KvCommand, type KvOptions } from '../../src/kv/index.js';
import type { Entry, NormalEntry } from '../../src/raft/types.js';
import { Random } from '../../src/sim/random.js';

export const put = (clientId: string, seq: number, key: string, value: string): KvCommand => ({ op: 'put', clientId, seq, key, value });
export const del = (clientId: string, seq: number, key: string): KvCommand => ({ op: 'delete', clientId, seq, key });
export const cas = (clientId: string, seq: number, key: string, expected: string | null, value: string): KvCommand => ({
  op: 'cas',
  clientId,
  seq,
  key,
  expected,
  value,
});
export const submit = (clientId: string, seq: number, text: string): KvCommand => ({ op: 'submit', clientId, seq, text });

export function normal(index: number, data: string, term = 1): NormalEntry {
  return { type: 'normal', index, term, data };
}

/**
 * The snapshot of `machine` without its digest: the state alone. Two machines that reach one state
 * through different entries have different digests (they tell histories apart), the same state.
 */
export function stateOf(machine: KvStateMachine): string {
  const { digest: _digest, ...state } = JSON.parse(machine.serialize()) as Record<string, unknown>;
  return JSON.stringify(state);
}

/** A state machine fed consecutive committed entries, as a node's apply loop does. */
export class Replica {
  constructor(readonly machine = new KvStateMachine()) {}

  static create(options: KvOptions): Replica {
    return new Replica(new KvStateMachine(options));
  }

  get next(): number {
    return this.machine.appliedIndex + 1;
  }

  /** Applies `data` as the next normal entry. */
  entry(data: string, term = 1): ApplyResult {
    const applied = this.machine.apply(normal(this.next, data, term));
    if (applied === null) throw new Error('a normal entry gave no result');
    return applied;
  }

  write(command: KvCommand): CommandResult {
    return this.entry(encodeCommand(command)).result;
  }

  noop(term = 1): void {
    this.machine.apply({ type: 'noop', index: this.next, term });
  }

  applyAll(entries: readonly Entry[]): (ApplyResult | null)[] {
    return entries.map((e) => this.machine.apply(e));
  }
}

/**
 * Runs `check` for seeds 1..count, or for KV_SEED alone when set. A failure names its seed and how
 * to replay it.
 */
export function forSeeds(count: number, check: (seed: number) => void): void {
  const only = process.env['KV_SEED'];
  const seeds = only !== undefined ? [Number(only)] : Array.from({ length: count }, (_, i) => i + 1);
  for (const seed of seeds) {
    try {
      check(seed);
    } catch (err) {
      const replay = `seed ${seed} failed (replay: KV_SEED=${seed} npx vitest run test/kv)`;
      console.error(replay);
      if (err instanceof Error) err.message = `${replay}: ${err.message}`;
      throw err;
    }
  }
}

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', '__proto__', 'ключ'];
const VALUES = ['', 'a', 'b', 'red', 'blue', 'значение', '😀'];
const GARBAGE = ['', 'hello', '{', '[]', 'null', '42', '{"v":1}', '{"v":1,"op":"get","clientId":"x","seq":1,"key":"k"}', '{"v":"1"}'];

interface ClientState {
  id: string;
  seq: number;
  /** The data of its latest write, for retries. */
  last: string | null;
}

/**
 * A seeded random log: writes from a churning set of clients (new commands, retries of the latest,
 * stale duplicates, writes from clients with no session), writes over the limits, entries that are
 * not commands, future versions, noops and config entries. Terms rise now and then.
 */
export function randomLog(seed: number, length: number, opts: { clients?: number } = {}): Entry[] {
  const rnd = new Random(seed, 'kv-log');
  const clients: ClientState[] = [];
  let nextClient = 0;
  const newClient = (): ClientState => {
    const c = { id: `c${nextClient++}`, seq: 0, last: null };
    clients.push(c);
    return c;
  };
  for (let i = 0; i < (opts.clients ?? 6); i++) newClient();
  const value = (): string => (rnd.chance(0.05) ? 'x'.repeat(rnd.int(0, 64)) : rnd.pick(VALUES));

  const entries: Entry[] = [];
  let term = 1;
  for (let index = 1; index <= length; index++) {
    if (rnd.chance(0.02)) term++;
    const roll = rnd.next();
    if (roll < 0.04) {
      entries.push({ type: 'noop', index, term });
      continue;
    }
    if (roll < 0.06) {
      entries.push({
        type: 'config',
        index,
        term,
        change: { type: 'add-learner', node: 4 },
        membership: { voters: [1, 2, 3], learners: [4] },
      });
      continue;
    }
    let data: string;
    if (roll < 0.1) data = rnd.pick(GARBAGE);
    else if (roll < 0.12) data = JSON.stringify({ v: 2, op: 'put', clientId: 'future', seq: 1, key: 'k0', value: 'v' });
    else {
      const client = rnd.chance(0.03) ? newClient() : rnd.pick(clients);
      const kind = rnd.next();
      if (client.last !== null && kind < 0.12)
        data = client.last; // a retry of the latest
      else if (client.seq > 1 && kind < 0.18) data = encodeCommand(put(client.id, rnd.int(1, client.seq - 1), 'k0', 'stale'));
      else if (client.seq === 0 && kind < 0.22) data = encodeCommand(put(client.id, rnd.int(2, 9), 'k0', 'no-session'));
      else {
        client.seq += rnd.chance(0.1) ? rnd.int(2, 4) : 1; // gaps are allowed
        data = randomWrite(rnd, client.id, client.seq, value);
        client.last = data;
      }
    }
    entries.push(normal(index, data, term));
  }
  return entries;
}

function randomWrite(rnd: Random, clientId: string, seq: number, value: () => string): string {
  if (rnd.chance(0.03)) return JSON.stringify({ v: 1, op: 'put', clientId, seq, key: 'k1', value: 'x'.repeat(16 * 1024 + 1) });
  const key = rnd.pick(KEYS);
  const kind = rnd.next();
  if (kind < 0.35) return encodeCommand(put(clientId, seq, key, value()));
  if (kind < 0.55) return encodeCommand(del(clientId, seq, key));
  if (kind < 0.85) return encodeCommand(cas(clientId, seq, key, rnd.chance(0.2) ? null : value(), value()));
  return encodeCommand(submit(clientId, seq, value()));
}
