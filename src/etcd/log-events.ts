// An etcd member's stderr (`--logger zap --log-outputs stderr`) read as the cluster's story: each
// line becomes nothing, an event in raft-console's voice, a fact the model needs without an event
// (its role, its vote, its configuration), or the reason it failed to start.
//
// What etcd 3.4.23 prints, as captured on this machine (3 members, --heartbeat-interval 30
// --election-timeout 150, with and without --pre-vote; ids are lowercase hex without leading zeros,
// "vote: 0" is no vote). One JSON object a line: {level, ts (ISO 8601), caller, msg, ...fields}.
// raft/ lines carry everything in `msg`:
//   "<id> is starting a new election at term N"                      (N: its term before it)
//   "<id> became follower|pre-candidate|candidate|leader at term N"  (no "from", no cause)
//   "<id> [term: N] received a <MsgType> message with higher term from <id> [term: M]"
//   "<id> [term: N] ignored a <MsgType> message with lower term from <id> [term: M]"
//   "<id> [logterm: a, index: b, vote: <id|0>] cast|rejected MsgPreVote|MsgVote for|from <id> [logterm: c, index: d] at term N"
//     (N and the vote are the voter's: for a pre-vote, the term before the election it asks about;
//     a pre-vote from a lower term is refused with the same "rejected" words, read as its log or vote)
//   "<id> [logterm: a, index: b, vote: <id|0>] ignored MsgVote from <id> [logterm: c, index: d] at term N: lease is not expired (remaining ticks: k)"
//   "<id> received MsgPreVoteResp|MsgVoteResp[ rejection] from <id> at term N"  (its own vote too)
//   "<id> has received N MsgPreVoteResp|MsgVoteResp votes and M vote rejections" (after each answer from a peer)
//   "raft.node: <id> elected leader <id> at term N" | "... changed leader from <id> to <id> at term N" | "... lost leader <id> at term N"
//   "<id> switched to configuration voters=(<decimal ids>)[ learners=(<decimal ids>)]"  (decimal, not hex!)
//   "<id> [term N] starts to transfer leadership to <id>"; the target: "<id> [term N] received MsgTimeoutNow from <id> and starts an election to get leadership."
// Other lines carry fields: "added member" {added-peer-id}, "removed member" {removed-remote-peer-id},
// "promote member" {} (who: the learner that became a voter in the configuration line before it),
// "leadership transfer finished" {old-leader-member-id, new-leader-member-id, took},
// "peer became active" {peer-id}, "peer became inactive (message send to peer failed)" {peer-id, error},
// "leader failed to send out heartbeat on time; took too long, leader is overloaded likely from slow disk" {to, heartbeat-interval, expected-duration, exceeded-duration},
// "slow fdatasync" {took, expected-duration}, "apply request took too long" {took, expected-duration}
// (these two from etcd's source, not seen here), "server error" {error: "the member has been permanently
// removed from the cluster"}, "published local member to cluster through raft" (the member serves).
// A failed start: level "fatal", msg "discovery failed" or e.g. "failed to list data directory",
// the cause in `error` ("listen tcp 127.0.0.1:42000: bind: address already in use", "readdirent
// DIR: not a directory", "wal: max entry size limit exceeded", "couldn't find local name ...").
// A few lines are not JSON (capnslog: "2026-12-04 13:26:27.037976 W | pkg/fileutil: ...", a Go
// panic): they give nothing, except "panic: ..." and "fatal error: ...", a fatal cause.
//
// Why state: a line alone does not say which role a member left or why, which peer a vote tally
// counts, who a "promote member" promoted, or whether an "added member" line is news or the
// member replaying its log at start (every start replays the whole configuration history, before
// "published local member ..."). So readEtcdLogLine is pure but takes the member's reading state
// and returns the next one: the caller keeps one per member process, from ETCD_LOG_START.
//
// Field and type names are raft-console's own (src/raft/events.ts) where the meaning is the same,
// so that the dashboard colours, folds and translates them alike: role-change, election-timeout,
// vote-cast, vote-received, election-won, election-lost, transfer-started, peer-connected,
// peer-disconnected. A member id raft-console does not know stays its hex string in data and text.
import type { FatalCode } from '../node/event-stream.js';
import { describeEvent, type RaftEvent, type RoleChangeCause } from '../raft/events.js';
import { majorityOf } from '../raft/membership.js';
import type { NodeId, Role, VoteRefusal } from '../raft/types.js';
import { isObject, type JsonObject } from '../schema/json-shape.js';
import { parseUntrustedJson } from '../schema/untrusted-json.js';
import { hexId } from './ids.js';

/** A member as an event names it: its node id when raft-console knows it, else etcd's hex id. */
export type MemberRef = NodeId | string;

/**
 * The data of the events this reader adds, or words differently, beside raft-console's RaftEvent
 * (src/raft/events.ts): each event's `data` is these fields without `type`.
 */
export type EtcdEvent =
  /** etcd does not say after how many ticks: no `ticks`. `leader` 0: none known. */
  | { type: 'election-timeout'; term: number; leader: MemberRef }
  /** A win whose tally was not seen (its configuration unknown): no votes. */
  | { type: 'election-won'; term: number }
  | { type: 'leader-known'; leader: MemberRef; term: number; previous?: MemberRef }
  | { type: 'leader-lost'; leader: MemberRef; term: number }
  | { type: 'member-change'; change: MemberChange; member: MemberRef; voters: MemberRef[]; learners: MemberRef[] }
  | { type: 'transfer-finished'; from: MemberRef; to: MemberRef; tookMs: number }
  | { type: 'peer-connected'; peer: MemberRef }
  | { type: 'peer-disconnected'; peer: MemberRef; reason: string }
  | { type: 'heartbeat-late'; to: MemberRef; lateMs: number; intervalMs: number }
  | { type: 'slow-fdatasync'; tookMs: number; expectedMs: number }
  | { type: 'slow-apply'; tookMs: number; expectedMs: number }
  | { type: 'removed' };

export type MemberChange = 'add' | 'add-learner' | 'promote' | 'remove';
export const MEMBER_CHANGES: readonly MemberChange[] = ['add', 'add-learner', 'promote', 'remove'];

/**
 * A ClusterEvent without its node (the caller knows which member's stderr it read). Its data says
 * `engine: 'etcd'`: some of these shapes are raft-console's own with a field missing (a win without
 * its votes, a peer without a direction), which from one of its own nodes means a line to keep as
 * it came, so the Chinese wording reads these only with that mark.
 */
export interface EtcdLogEvent {
  ts: number;
  kind: 'raft' | 'transport' | 'node';
  type: string;
  text: string;
  data: Record<string, unknown>;
}

export type EtcdLogReading =
  | { kind: 'event'; event: EtcdLogEvent }
  /** The member became this role in this term (etcd's status API never says candidate). */
  | { kind: 'role'; role: Role; term: number }
  /** The member voted (a real vote, not a pre-vote) for `vote` in `term`, and wrote it to disk. */
  | { kind: 'vote'; term: number; vote: NodeId }
  /** The member's Raft configuration now (also while it replays its log at start). */
  | { kind: 'configuration'; voters: MemberRef[]; learners: MemberRef[] }
  /** Why the member stops: `cause` is etcd's own reason in one line, `fix` what to do about it. */
  | { kind: 'fatal'; code: FatalCode; cause: string; fix: string };

/** What the lines so far tell about one member process, for reading the next one. */
export interface EtcdLogState {
  /** Its role and term, null before its first "became ..." line. */
  role: Role | null;
  term: number;
  /** The leader it knows (hex), or '' for none. */
  leader: string;
  /** Why it changes role next, from the line that said so before the "became ..." line. */
  cause: RoleChangeCause | null;
  /** Its configuration (hex ids) and the one before, null until the first configuration line. */
  voters: string[] | null;
  learners: string[];
  previous: { voters: string[]; learners: string[] } | null;
  /** The last vote answer from a peer, waiting for the tally line that counts it. */
  answer: { from: string; round: 'pre-vote' | 'vote'; granted: boolean; term: number } | null;
  /** The votes of its last tally, for the election it wins. */
  votes: { term: number; granted: number } | null;
  /** Whether it has published itself: configuration lines before that replay its log. */
  published: boolean;
}

export const ETCD_LOG_START: EtcdLogState = {
  role: null,
  term: 0,
  leader: '',
  cause: null,
  voters: null,
  learners: [],
  previous: null,
  answer: null,
  votes: null,
  published: false,
};

export interface EtcdLogContext {
  /** The member whose stderr this is. */
  self: NodeId;
  /** The node id of a member id as etcd's logs print it (hex), or null when raft-console does not know it. */
  idOf: (hexMemberId: string) => NodeId | null;
}

/** Longer lines are not read: etcd's longest (a request that took too long) is a few KiB. */
export const MAX_ETCD_LOG_LINE = 64 * 1024;
/** zap's lines are flat objects with lists of URLs: 2 levels. */
const MAX_DEPTH = 4;
/** A reason etcd gives (an error message) is shown up to this many characters. */
const MAX_REASON = 200;

export interface EtcdLogResult {
  readings: EtcdLogReading[];
  state: EtcdLogState;
}

/** Reads one stderr line of a member; never throws. */
export function readEtcdLogLine(line: string, ctx: EtcdLogContext, state: EtcdLogState): EtcdLogResult {
  if (line.length > MAX_ETCD_LOG_LINE) return { readings: [], state };
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return { readings: goFatal(trimmed), state };
  const parsed = parseUntrustedJson(trimmed, 'an etcd log line', MAX_DEPTH);
  if (!parsed.ok || !isObject(parsed.value)) return { readings: [], state };
  const o = parsed.value;
  const msg = o.msg;
  const level = o.level;
  if (typeof msg !== 'string' || typeof level !== 'string') return { readings: [], state };
  if (level === 'fatal' || level === 'panic' || level === 'dpanic') return { readings: [fatal(msg, o)], state };
  const ts = timestamp(o.ts);
  if (ts === null) return { readings: [], state };
  // A process's first lines: whatever an earlier run of the member told is over.
  const fresh = msg === 'starting an etcd server' ? ETCD_LOG_START : state;
  const reader = new LineReader(ctx, { ...fresh }, ts);
  reader.read(msg, o);
  return { readings: reader.readings, state: reader.state };
}

/** A member's log line in one line: its message and error ("msg: error"), or the line as it is when it is not one of zap's. */
export function etcdLineText(line: string): string {
  const parsed = parseUntrustedJson(line, 'an etcd log line', MAX_DEPTH);
  if (!parsed.ok || !isObject(parsed.value)) return line;
  const { msg, error } = parsed.value;
  if (typeof msg !== 'string') return line;
  return typeof error === 'string' ? `${msg}: ${error}` : msg;
}

// ---- the raft library's lines (all in msg) ----

const ID = '([0-9a-f]{1,16})';
const N = '(\\d{1,15})';
const ROUND = '(MsgPreVote|MsgVote)';
const RE = {
  role: new RegExp(`^${ID} became (follower|pre-candidate|candidate|leader) at term ${N}$`),
  election: new RegExp(`^${ID} is starting a new election at term ${N}$`),
  higherTerm: new RegExp(`^${ID} \\[term: ${N}\\] received a (Msg\\w{1,30}) message with higher term from ${ID} \\[term: ${N}\\]$`),
  lowerTerm: new RegExp(`^${ID} \\[term: ${N}\\] ignored a ${ROUND} message with lower term from ${ID} \\[term: ${N}\\]$`),
  vote: new RegExp(
    `^${ID} \\[logterm: ${N}, index: ${N}, vote: ${ID}\\] (cast|rejected) ${ROUND} (?:for|from) ${ID} \\[logterm: ${N}, index: ${N}\\] at term ${N}$`,
  ),
  lease: new RegExp(
    `^${ID} \\[logterm: ${N}, index: ${N}, vote: ${ID}\\] ignored ${ROUND} from ${ID} \\[logterm: ${N}, index: ${N}\\] at term ${N}: lease is not expired \\(remaining ticks: ${N}\\)$`,
  ),
  answer: new RegExp(`^${ID} received ${ROUND}Resp( rejection)? from ${ID} at term ${N}$`),
  tally: new RegExp(`^${ID} has received ${N} ${ROUND}Resp votes and ${N} vote rejections$`),
  elected: new RegExp(`^raft\\.node: ${ID} elected leader ${ID} at term ${N}$`),
  changed: new RegExp(`^raft\\.node: ${ID} changed leader from ${ID} to ${ID} at term ${N}$`),
  lost: new RegExp(`^raft\\.node: ${ID} lost leader ${ID} at term ${N}$`),
  config: /^[0-9a-f]{1,16} switched to configuration voters=\(([0-9 ]{0,2000})\)(?: learners=\(([0-9 ]{0,2000})\))?$/,
  transfer: new RegExp(`^${ID} \\[term ${N}\\] starts to transfer leadership to ${ID}$`),
  timeoutNow: new RegExp(`^${ID} \\[term ${N}\\] received MsgTimeoutNow from ${ID} and starts an election to get leadership\\.$`),
  stepDown: new RegExp(`^${ID} stepped down to follower since quorum is not active$`),
};

const roundOf = (t: string): 'pre-vote' | 'vote' => (t === 'MsgPreVote' ? 'pre-vote' : 'vote');
const num = (s: string | undefined): number => Number(s);

class LineReader {
  readonly readings: EtcdLogReading[] = [];
  constructor(
    private readonly ctx: EtcdLogContext,
    readonly state: EtcdLogState,
    private readonly ts: number,
  ) {}

  read(msg: string, o: JsonObject): void {
    if (msg.length > 4096) return;
    const m = (re: RegExp): RegExpExecArray | null => re.exec(msg);
    let g: RegExpExecArray | null;
    if ((g = m(RE.role))) this.role(g[2] as Role, num(g[3]));
    else if ((g = m(RE.election))) this.electionTimeout(num(g[2]));
    else if (RE.higherTerm.test(msg)) this.state.cause = 'higher-term';
    else if (RE.stepDown.test(msg)) this.state.cause = 'check-quorum';
    else if (RE.timeoutNow.test(msg)) this.state.cause = 'transfer';
    else if ((g = m(RE.vote))) this.vote(g);
    else if ((g = m(RE.lease))) {
      this.refuse(roundOf(g[5]!), g[6]!, num(g[9]), 'leader-alive');
      this.currentVote(g[4]!, num(g[9]));
    } else if ((g = m(RE.lowerTerm))) this.refuse(roundOf(g[3]!), g[4]!, num(g[2]), 'stale-term');
    else if ((g = m(RE.answer))) this.answer(g);
    else if ((g = m(RE.tally))) this.tally(roundOf(g[3]!), num(g[2]), num(g[4]));
    else if ((g = m(RE.elected))) this.elected(g[2]!, num(g[3]));
    else if ((g = m(RE.changed))) this.leaderKnown(g[3]!, num(g[4]), g[2]!);
    else if ((g = m(RE.lost))) this.leaderLost(g[2]!, num(g[3]));
    else if ((g = m(RE.config))) this.configuration(g[1]!, g[2] ?? '');
    else if ((g = m(RE.transfer))) this.raft({ type: 'transfer-started', target: 0, term: num(g[2]) }, { target: g[3]! });
    else this.server(msg, o);
  }

  // ---- naming ----

  private ref(hex: string): MemberRef {
    return this.ctx.idOf(hex) ?? hex;
  }

  private who(ref: MemberRef): string {
    return typeof ref === 'number' ? `n${ref}` : ref;
  }

  private get me(): string {
    return `n${this.ctx.self}`;
  }

  private event(kind: EtcdLogEvent['kind'], type: string, text: string, data: Record<string, unknown>): void {
    this.readings.push({ kind: 'event', event: { ts: this.ts, kind, type, text, data: { ...data, engine: 'etcd' } } });
  }

  private etcd(kind: EtcdLogEvent['kind'], e: EtcdEvent, text: string): void {
    const { type, ...data } = e;
    this.event(kind, type, text, data);
  }

  /**
   * A core event: worded by describeEvent, one home for the sentence, when every member it names
   * has a node id; `ids` holds those members (hex), put into the event's data as node ids or, when
   * unknown, as hex (then the event is not a RaftEvent and gets `fallback` as its sentence).
   */
  private raft(e: RaftEvent, ids: Record<string, string> = {}, fallback?: () => string): void {
    const data: Record<string, unknown> = { ...e };
    let known = true;
    for (const [field, hex] of Object.entries(ids)) {
      const ref = this.ref(hex);
      data[field] = ref;
      if (typeof ref !== 'number') known = false;
    }
    const text = known ? describeEvent(this.ctx.self, data as RaftEvent) : (fallback ?? (() => this.unknownText(e, data)))();
    this.event('raft', e.type, text, data);
  }

  /** The sentence of a core event that names a member raft-console does not know (by its hex id). */
  private unknownText(e: RaftEvent, data: Record<string, unknown>): string {
    const hex = (field: string): string => {
      const v = data[field];
      return typeof v === 'string' ? v : '?';
    };
    switch (e.type) {
      case 'vote-cast':
        return e.granted
          ? `${this.me} ${e.round === 'pre-vote' ? 'would vote' : 'votes'} for ${hex('candidate')} in term ${e.term}`
          : `${this.me} refuses ${hex('candidate')}${e.round === 'pre-vote' ? ' (pre-vote)' : ''} in term ${e.term} (${e.reason ?? 'stale-term'})`;
      case 'transfer-started':
        return `${this.me} hands leadership to ${hex('target')} in term ${e.term}`;
      default:
        return `${this.me}: ${e.type}`;
    }
  }

  // ---- roles and elections ----

  private role(to: Role, term: number): void {
    const s = this.state;
    const from = s.role;
    const termChanged = term !== s.term;
    const said = s.cause;
    const cause = said ?? defaultCause(from, to);
    s.role = to;
    s.term = term;
    s.cause = null;
    if (to === 'leader') s.leader = '';
    this.readings.push({ kind: 'role', role: to, term });
    // The first line is the member's start, not a change. A follower that only moves to a higher
    // term says so too, as raft-console's core does, when a line said why: etcd's bootstrap moves
    // a new member from term 0 to 1 without one.
    if (from !== null && (from !== to || (to === 'follower' && termChanged && said !== null)))
      this.raft({ type: 'role-change', from, to, term, cause });
  }

  private electionTimeout(term: number): void {
    const s = this.state;
    s.cause = 'election-timeout';
    const leader = s.leader === '' ? 0 : this.ref(s.leader);
    const text =
      leader === 0
        ? `${this.me} heard from no leader for an election timeout and starts an election`
        : `${this.me} heard nothing from ${this.who(leader)} for an election timeout and starts an election`;
    this.etcd('raft', { type: 'election-timeout', term, leader }, text);
  }

  private vote(g: RegExpExecArray): void {
    const [, , ourLogTerm, ourIndex, ourVote, verb, type, candidate, theirLogTerm, theirIndex, term] = g;
    const round = roundOf(type!);
    if (verb === 'cast') {
      this.raft({ type: 'vote-cast', round, candidate: 0, term: num(term), granted: true }, { candidate: candidate! });
      const id = this.ctx.idOf(candidate!);
      if (round === 'vote' && id !== null) this.readings.push({ kind: 'vote', term: num(term), vote: id });
      return;
    }
    // etcd refuses a candidate whose log is behind, or when it already voted (or follows a leader).
    const behind = num(theirLogTerm) < num(ourLogTerm) || (num(theirLogTerm) === num(ourLogTerm) && num(theirIndex) < num(ourIndex));
    const reason: VoteRefusal = behind ? 'log-not-up-to-date' : ourVote !== '0' ? 'already-voted' : 'leader-alive';
    this.refuse(round, candidate!, num(term), reason);
    this.currentVote(ourVote!, num(term));
  }

  /** The vote a refusal line shows the member holds in its term: a fact too (e.g. after a restart). */
  private currentVote(vote: string, term: number): void {
    const id = vote === '0' ? null : this.ctx.idOf(vote);
    if (id !== null) this.readings.push({ kind: 'vote', term, vote: id });
  }

  private refuse(round: 'pre-vote' | 'vote', candidate: string, term: number, reason: VoteRefusal): void {
    this.raft({ type: 'vote-cast', round, candidate: 0, term, granted: false, reason }, { candidate });
  }

  private answer(g: RegExpExecArray): void {
    const [, self, type, rejection, from, term] = g;
    // Its own vote, which every campaign starts with: no news.
    if (from === self) return;
    this.state.answer = { from: from!, round: roundOf(type!), granted: rejection === undefined, term: num(term) };
  }

  private tally(round: 'pre-vote' | 'vote', granted: number, rejected: number): void {
    const s = this.state;
    const a = s.answer;
    s.answer = null;
    s.votes = { term: s.term, granted };
    if (a === null || a.round !== round) return;
    const voters = s.voters?.length ?? 0;
    if (voters === 0) return;
    const needed = majorityOf(voters);
    this.raft(
      { type: 'vote-received', round, from: 0, term: a.term, granted: a.granted, grantedTotal: granted, rejectedTotal: rejected, needed },
      { from: a.from },
      () =>
        `${this.me} got ${a.granted ? `a ${round}` : `a ${round} refusal`} from ${a.from} for term ${a.term} (${granted} granted, ${needed} needed)`,
    );
    if (rejected >= needed) {
      s.cause = 'election-lost';
      this.raft({ type: 'election-lost', round, term: a.term, rejections: rejected, voters });
    }
  }

  private elected(leader: string, term: number): void {
    const s = this.state;
    const self = this.ctx.idOf(leader) === this.ctx.self || (s.role === 'leader' && s.term === term);
    if (!self) return this.leaderKnown(leader, term, s.leader);
    s.leader = leader;
    const voters = s.voters?.length ?? 0;
    // A single voter elects itself without a tally line.
    const votes = s.votes?.term === term ? s.votes.granted : voters === 1 ? 1 : null;
    if (votes !== null && voters > 0) this.raft({ type: 'election-won', term, votes, voters });
    else this.etcd('raft', { type: 'election-won', term }, `${this.me} wins term ${term}`);
  }

  private leaderKnown(leader: string, term: number, previous: string): void {
    this.state.leader = leader;
    const who = this.who(this.ref(leader));
    const text =
      previous === '' || previous === leader
        ? `${this.me} follows leader ${who} in term ${term}`
        : `${this.me} follows the new leader ${who} in term ${term} (was ${this.who(this.ref(previous))})`;
    const was = previous === '' ? {} : { previous: this.ref(previous) };
    this.etcd('raft', { type: 'leader-known', leader: this.ref(leader), term, ...was }, text);
  }

  private leaderLost(leader: string, term: number): void {
    this.state.leader = '';
    const ref = this.ref(leader);
    const text =
      ref === this.ctx.self
        ? `${this.me} is no longer leader (term ${term})`
        : `${this.me} lost its leader ${this.who(ref)} (term ${term})`;
    this.etcd('raft', { type: 'leader-lost', leader: ref, term }, text);
  }

  // ---- membership ----

  private configuration(voters: string, learners: string): void {
    const s = this.state;
    const hexes = (list: string): string[] => list.split(' ').flatMap((d) => (d === '' ? [] : (hexId(d) ?? [])));
    if (s.voters !== null) s.previous = { voters: s.voters, learners: s.learners };
    s.voters = hexes(voters);
    s.learners = hexes(learners);
    this.readings.push({ kind: 'configuration', voters: s.voters.map((h) => this.ref(h)), learners: s.learners.map((h) => this.ref(h)) });
  }

  /** A member change applied, unless the member is replaying its log at start. */
  private memberChange(change: MemberChange, member: string): void {
    const s = this.state;
    if (!s.published) return;
    const ref = this.ref(member);
    const voters = (s.voters ?? []).map((h) => this.ref(h));
    const learners = s.learners.map((h) => this.ref(h));
    const verb = { add: 'adds voter', 'add-learner': 'adds learner', promote: 'promotes', remove: 'removes' }[change];
    const text = `configuration: ${verb} ${this.who(ref)} (voters ${voters.map((v) => this.who(v)).join(' ') || 'none'})`;
    this.etcd('raft', { type: 'member-change', change, member: ref, voters, learners }, text);
  }

  // ---- the server's lines (msg plus fields) ----

  private server(msg: string, o: JsonObject): void {
    const s = this.state;
    const hex = (key: string): string | null => {
      const v = o[key];
      return typeof v === 'string' && /^[0-9a-f]{1,16}$/.test(v) ? v : null;
    };
    switch (msg) {
      case 'published local member to cluster through raft':
        s.published = true;
        return;
      case 'added member': {
        const id = hex('added-peer-id');
        if (id !== null) this.memberChange(s.learners.includes(id) ? 'add-learner' : 'add', id);
        return;
      }
      case 'removed member': {
        const id = hex('removed-remote-peer-id');
        if (id !== null) this.memberChange('remove', id);
        return;
      }
      case 'promote member': {
        const promoted = s.previous?.learners.find((l) => s.voters?.includes(l));
        if (promoted !== undefined) this.memberChange('promote', promoted);
        return;
      }
      case 'leadership transfer finished': {
        const from = hex('old-leader-member-id');
        const to = hex('new-leader-member-id');
        const took = duration(o.took);
        if (from === null || to === null || took === null) return;
        const [a, b] = [this.ref(from), this.ref(to)];
        const text = `leadership moved from ${this.who(a)} to ${this.who(b)} in ${took} ms`;
        this.etcd('raft', { type: 'transfer-finished', from: a, to: b, tookMs: took }, text);
        return;
      }
      case 'peer became active': {
        const id = hex('peer-id');
        if (id === null) return;
        const peer = this.ref(id);
        this.etcd('transport', { type: 'peer-connected', peer }, `${this.me}: ${this.who(peer)} is reachable`);
        return;
      }
      case 'peer became inactive (message send to peer failed)': {
        const id = hex('peer-id');
        if (id === null) return;
        const peer = this.ref(id);
        const reason = reasonText(o.error);
        this.etcd(
          'transport',
          { type: 'peer-disconnected', peer, reason },
          `${this.me}: lost the connection to ${this.who(peer)}: ${reason}`,
        );
        return;
      }
      case 'leader failed to send out heartbeat on time; took too long, leader is overloaded likely from slow disk': {
        const id = hex('to');
        const late = duration(o['exceeded-duration']);
        const interval = duration(o['heartbeat-interval']);
        if (id === null || late === null || interval === null) return;
        const to = this.ref(id);
        const text = `${this.me} sent its heartbeat to ${this.who(to)} ${late} ms late (every ${interval} ms): is it overloaded, or its disk slow?`;
        this.etcd('node', { type: 'heartbeat-late', to, lateMs: late, intervalMs: interval }, text);
        return;
      }
      case 'slow fdatasync':
      case 'apply request took too long': {
        const took = duration(o.took);
        const expected = duration(o['expected-duration']);
        if (took === null || expected === null) return;
        const fsync = msg === 'slow fdatasync';
        const what = fsync ? 'an fdatasync of its log' : 'applying a request';
        const text = `${this.me}: ${what} took ${took} ms (expected under ${expected} ms)`;
        this.etcd('node', { type: fsync ? 'slow-fdatasync' : 'slow-apply', tookMs: took, expectedMs: expected }, text);
        return;
      }
      case 'server error':
        if (o.error === 'the member has been permanently removed from the cluster')
          this.etcd(
            'node',
            { type: 'removed' },
            `${this.me} was removed from the cluster and stops; its data folder must be deleted before it joins again`,
          );
        return;
    }
  }
}

function defaultCause(from: Role | null, to: Role): RoleChangeCause {
  if (to === 'leader') return 'won-election';
  if (to === 'candidate') return from === 'pre-candidate' ? 'pre-vote-won' : 'election-timeout';
  if (to === 'pre-candidate') return 'election-timeout';
  return from === 'candidate' || from === 'pre-candidate' ? 'leader-found' : 'higher-term';
}

/** zap's ts: an ISO 8601 string (etcd's default) or seconds since the epoch. */
function timestamp(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : null;
  if (typeof v !== 'string' || v.length > 40) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** A Go duration ("4.773534ms", "1.5s", "1m2s", "247.529µs") in milliseconds to 3 decimals, or null. */
export function goDurationMs(v: unknown): number | null {
  if (typeof v !== 'string' || v.length > 40 || !/^(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))+$/.test(v)) return null;
  let ms = 0;
  for (const [, n, unit] of v.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) ms += Number(n) * UNIT_MS[unit!]!;
  return Math.round(ms * 1000) / 1000;
}
const duration = goDurationMs;

/** An error message etcd gives, as one printable line of bounded length. */
function reasonText(v: unknown): string {
  if (typeof v !== 'string') return 'no reason given';
  // eslint-disable-next-line no-control-regex
  const line = v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON)}…` : line;
}

// ---- failed starts ----

const FIXES: Record<FatalCode, string> = {
  'port-in-use': 'another process listens on that port: stop it, or start the cluster on other ports',
  address: 'the address is not one of this machine’s: use 127.0.0.1 or an address of this machine',
  'disk-full': 'the disk of its data folder is full: free some space',
  permission: 'etcd may not use its data folder or port: check the folder’s owner and permissions',
  'data-dir':
    'its data folder is damaged or belongs to another member or cluster: delete the folder (its data is lost) or point the member at its own',
  internal: 'etcd refused the way raft-console started it: this is a raft-console bug, please report it with this line',
};

function classify(text: string): FatalCode {
  if (/address already in use/i.test(text)) return 'port-in-use';
  if (/cannot assign requested address/i.test(text)) return 'address';
  if (/no space left on device/i.test(text)) return 'disk-full';
  if (/permission denied|operation not permitted|read-only file system/i.test(text)) return 'permission';
  if (
    /data.?dir|\bwal\b|snap|backend|bbolt|database|not a directory|cluster id mismatch|already been bootstrapped|member .* has already/i.test(
      text,
    )
  )
    return 'data-dir';
  return 'internal';
}

function fatal(msg: string, o: JsonObject): EtcdLogReading {
  const cause = typeof o.error === 'string' ? `${reasonText(msg)}: ${reasonText(o.error)}` : reasonText(msg);
  const code = classify(cause);
  return { kind: 'fatal', code, cause, fix: FIXES[code] };
}

/** A line that is not JSON: Go's own panic is a fatal cause, anything else (capnslog, a stack frame) nothing. */
function goFatal(line: string): EtcdLogReading[] {
  if (!/^(?:panic|fatal error): /.test(line)) return [];
  const cause = reasonText(line);
  return [{ kind: 'fatal', code: 'internal', cause, fix: FIXES.internal }];
}
