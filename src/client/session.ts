// A write session: one clientId and its sequence numbers, which is what makes writes exactly-once
// (src/kv/sessions.ts). The state machine allows one write in flight per clientId, so a session
// runs its writes one after another, in call order; for writes in parallel, open several sessions
// (RaftClient.session()), each with its own clientId. Sessions of one client share its connections.
import { randomBytes } from 'node:crypto';
import { encodeCommand, type CommandOutcome, type KvCommand } from '../kv/index.js';
import type { WriteResponse } from '../node/client-protocol.js';
import { RaftClientError } from './errors.js';
import type { RequestBody } from './node-connection.js';

export interface CallOptions {
  /** Send to this node only (id or host:port), once: its answer, not-leader included, is the result. */
  via?: number | string;
  /** Give up after this long instead of the client's timeoutMs. */
  timeoutMs?: number;
}

export interface WriteResult<R extends CommandOutcome = CommandOutcome> {
  /** Where the entry sits in the log, and the term of the leader that appended it. */
  index: number;
  term: number;
  /** The node that answered: the leader that committed the write. */
  leader: { id: number | null; address: string };
  /** What the state machine answered (on a retry: what it answered the first time). */
  result: R;
}

type Outcome<Op extends KvCommand['op']> = Extract<CommandOutcome, { op: Op }>;
type WithoutSession<C> = C extends unknown ? Omit<C, 'clientId' | 'seq'> : never;
type CommandFields = WithoutSession<KvCommand>;

/** What a session needs from its client: a way to get one request answered. */
export type SendWrite = (body: RequestBody, options: CallOptions) => Promise<{ response: WriteResponse; node: WriteResult['leader'] }>;

export function newClientId(): string {
  return `c-${randomBytes(8).toString('hex')}`;
}

export class WriteSession {
  private id: string;
  /** The last seq sent under `id`. */
  private seq = 0;
  /** Whether the state machine has answered a write under `id`: its session exists there. */
  private opened = false;
  /** The previous write, settled or not: the next one starts after it. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly send: SendWrite,
    clientId: string = newClientId(),
  ) {
    this.id = clientId;
  }

  /** Changes when the session has to start over (see `write`). */
  get clientId(): string {
    return this.id;
  }

  submit(text: string, options: CallOptions = {}): Promise<WriteResult<Outcome<'submit'>>> {
    return this.write({ op: 'submit', text }, options);
  }

  put(key: string, value: string, options: CallOptions = {}): Promise<WriteResult<Outcome<'put'>>> {
    return this.write({ op: 'put', key, value }, options);
  }

  delete(key: string, options: CallOptions = {}): Promise<WriteResult<Outcome<'delete'>>> {
    return this.write({ op: 'delete', key }, options);
  }

  /** Sets `key` to `value` if it holds `expected` (null: only if the key is absent). */
  cas(key: string, expected: string | null, value: string, options: CallOptions = {}): Promise<WriteResult<Outcome<'cas'>>> {
    return this.write({ op: 'cas', key, expected, value }, options);
  }

  private write<R extends CommandOutcome>(fields: CommandFields, options: CallOptions): Promise<WriteResult<R>> {
    const run = this.tail.then(() => this.run<R>(fields, options));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async run<R extends CommandOutcome>(fields: CommandFields, options: CallOptions): Promise<WriteResult<R>> {
    const command: KvCommand = { ...fields, clientId: this.id, seq: this.seq + 1 };
    try {
      // The state machine's own check, run here: a command it would refuse never uses up a seq.
      encodeCommand(command);
    } catch (err) {
      throw new RaftClientError('invalid-command', (err as Error).message);
    }
    this.seq = command.seq;
    const { op, ...rest } = command;
    try {
      const { response, node } = await this.send({ type: op, ...rest } as RequestBody, options);
      this.opened = true;
      return { index: response.index, term: response.term, leader: node, result: response.result as unknown as R };
    } catch (err) {
      // Start over under a new clientId when the next seq might not find a session: the state
      // machine opens one only with seq 1, so if this first write never reached the log, seq 2
      // would be refused as "session-expired". The old clientId's write, if it did apply, stays
      // applied once; a new clientId costs nothing.
      if (!this.opened || (err instanceof RaftClientError && err.code === 'session-expired')) this.restart();
      throw err;
    }
  }

  private restart(): void {
    this.id = newClientId();
    this.seq = 0;
    this.opened = false;
  }
}
