// Drives a core through the Ready contract against the world, one Ready at a time: send what may
// leave before the persist (a leader's appends, which followers write while the leader does,
// dissertation 10.2.1), persist, tell the core it is persisted, send the rest, apply, advance.
// Inputs that arrive while a Ready is being persisted go into the core at once and come out
// together in the next Ready, so one fsync covers all of them (group commit) and a busy node pays
// for few fsyncs.
import type { Raft } from '../raft/raft.js';
import type { Ready } from '../raft/ready.js';
import type { Message } from '../raft/types.js';

/** What the node does with each Ready; the driver calls these in the contract's order. */
export interface ReadyHandler {
  /** Seen as soon as the Ready is taken: the core's events, its role and leader. */
  observe(rd: Ready): void;
  /**
   * Step 2: snapshot, entries, hard state written; when `rd.mustSync`, resolves only after the
   * fsync.
   */
  persist(rd: Ready): Promise<void>;
  /** Steps 1 and 3: `rd.messagesBeforePersist`, then `rd.messages`. */
  send(messages: readonly Message[]): void;
  /** Steps 4 and 5: restore the snapshot, apply the committed entries, serve the reads. */
  apply(rd: Ready): Promise<void>;
  /**
   * After advance(): the core now counts what was applied, so this is where the runtime may
   * snapshot its state machine (core.compact needs the index applied).
   */
  advanced(rd: Ready): Promise<void>;
}

export class RaftDriver {
  private draining = false;
  private failure: unknown = null;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly core: Raft,
    private readonly handler: ReadyHandler,
    /** A persist or apply failed: the node cannot go on safely and must exit. */
    private readonly onFatal: (err: unknown) => void,
  ) {}

  /** Runs `input` against the core (a tick, a message, a proposal...), then drains its Readys. */
  run<T>(input: (core: Raft) => T): T {
    if (this.failure !== null) throw new Error('the node stopped after a storage failure');
    const result = input(this.core);
    this.kick();
    return result;
  }

  /** Resolves once no Ready is being handled and none is waiting. */
  idle(): Promise<void> {
    if (!this.draining && !this.core.hasReady()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private kick(): void {
    if (this.draining || this.failure !== null) return;
    this.draining = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.core.hasReady()) {
        const rd = this.core.ready();
        this.handler.observe(rd);
        if (rd.messagesBeforePersist.length > 0) this.handler.send(rd.messagesBeforePersist);
        if (rd.snapshot !== null || rd.entries.length > 0 || rd.hardState !== null) {
          await this.handler.persist(rd);
          this.core.persisted(rd);
        }
        if (rd.messages.length > 0) this.handler.send(rd.messages);
        await this.handler.apply(rd);
        this.core.advance(rd);
        await this.handler.advanced(rd);
      }
    } catch (err) {
      this.failure = err;
      this.onFatal(err);
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
