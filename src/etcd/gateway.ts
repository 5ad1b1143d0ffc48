// A client of etcd's JSON gateway (the gRPC API as JSON over HTTP, /v3/...): the member's status,
// the member list and its changes, moving the leader, and the key-value operations raft-console's
// commands need. Chosen over the `etcd3` package (gRPC over @grpc/grpc-js): the same API without a
// dependency tree of its own, which keeps `status` and the dashboard's start-up fast, and it speaks
// to any endpoint etcdctl can (http or https, a CA, a client certificate, a user).
//
// Every answer is input from another process: parsed with the depth limit and a size cap, then
// read field by field. The gateway leaves out fields at their zero value (a member with no leader
// has no `leader`, a learner flag false is absent), and writes 64-bit integers as strings.
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { array, at, field, isObject, object, show, validate, fail, type JsonObject } from '../schema/json-shape.js';
import { parseUntrustedJson } from '../schema/untrusted-json.js';
import { EtcdError, type EtcdProblem } from './errors.js';
import { decimalId, hexId } from './ids.js';
import type { Role } from '../raft/types.js';

/** The largest answer read: a member list or a range of a few keys is far smaller. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 5000;

export interface EtcdTls {
  /** PEM text of the CA that signed the servers' certificates (etcdctl's --cacert). */
  ca?: string;
  /** PEM text of the client certificate and its key (--cert, --key). */
  cert?: string;
  key?: string;
}

export interface EtcdConnectionOptions {
  /** Client URLs, e.g. ["https://10.0.0.1:2379"]; a call without an endpoint tries them in order. */
  endpoints: readonly string[];
  tls?: EtcdTls;
  /** etcdctl's --user: authenticated once, again when the token expires. */
  user?: { name: string; password: string };
  /** How long one request may take; default 5 s. */
  timeoutMs?: number;
}

/** One member's account of itself (POST /v3/maintenance/status). */
export interface EtcdStatus {
  endpoint: string;
  /** Hex, as etcd's logs print it. */
  memberId: string;
  clusterId: string;
  /** The leader this member knows (hex), or null when it knows none. */
  leader: string | null;
  raftTerm: number;
  /** etcd 3.4 reports its commit index here. */
  raftIndex: number;
  raftAppliedIndex: number;
  dbSize: number;
  version: string;
  learner: boolean;
  /** Alarms and errors the member reports (e.g. "NOSPACE"). */
  errors: string[];
}

/** A member of the cluster (POST /v3/cluster/member/list). One added but never started has no name and no client URLs. */
export interface EtcdMember {
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  learner: boolean;
}

export interface EtcdKeyValue {
  key: string;
  value: string;
  modRevision: number;
}

/** A follower as its leader tracks it (etcd raft's Progress). */
export interface EtcdProgress {
  match: number;
  next: number;
  state: 'probe' | 'replicate' | 'snapshot';
}

/** `raft.status` of GET /debug/vars, ids in hex, and the timing flags of `cmdline` when given. */
export interface EtcdRaftStatus {
  role: Role;
  term: number;
  /** Hex, null when it voted for no one in this term. */
  vote: string | null;
  /** Hex, null when it knows no leader. */
  lead: string | null;
  commit: number;
  applied: number;
  /** On a leader, every member by hex id (itself included); empty elsewhere. */
  progress: Record<string, EtcdProgress>;
  /** The member a leader is handing over to, or null. */
  transferee: string | null;
  /** From the command line it was started with, when those flags were given there. */
  flags: { heartbeatMs: number | null; electionMs: number | null; preVote: boolean | null };
}

const RAFT_ROLES: Readonly<Record<string, Role>> = {
  StateFollower: 'follower',
  StatePreCandidate: 'pre-candidate',
  StateCandidate: 'candidate',
  StateLeader: 'leader',
};
const PROGRESS_STATES: Readonly<Record<string, EtcdProgress['state']>> = {
  StateProbe: 'probe',
  StateReplicate: 'replicate',
  StateSnapshot: 'snapshot',
};

/** A hex id as raft.status prints it, "0" for none. */
function rawHex(o: JsonObject, key: string, path: string): string | null {
  const v = field(o, key);
  if (typeof v !== 'string' || !/^[0-9a-f]{1,16}$/.test(v)) fail(`${at(path, key)} must be a member id in hex, got ${show(v)}`);
  return /^0+$/.test(v) ? null : v.replace(/^0+/, '');
}

function readRaftStatus(vars: JsonObject): EtcdRaftStatus {
  const o = object(field(vars, 'raft.status'), 'raft.status');
  const path = 'raft.status';
  const state = field(o, 'raftState');
  const role = typeof state === 'string' ? RAFT_ROLES[state] : undefined;
  if (role === undefined) fail(`${at(path, 'raftState')} must be a raft state, got ${show(state)}`);
  const progress: Record<string, EtcdProgress> = {};
  const raw = field(o, 'progress');
  if (raw !== undefined && raw !== null) {
    const p = object(raw, at(path, 'progress'));
    for (const [hex, v] of Object.entries(p)) {
      const where = at(at(path, 'progress'), hex);
      if (!/^[0-9a-f]{1,16}$/.test(hex)) fail(`${where} is not a member id in hex`);
      const pr = object(v, where);
      const ps = field(pr, 'state');
      const st = typeof ps === 'string' ? PROGRESS_STATES[ps] : undefined;
      if (st === undefined) fail(`${at(where, 'state')} must be a progress state, got ${show(ps)}`);
      progress[hex.replace(/^0+/, '')] = { match: count(pr, 'match', where), next: count(pr, 'next', where), state: st };
    }
  }
  return {
    role,
    term: count(o, 'term', path),
    vote: rawHex(o, 'vote', path),
    lead: rawHex(o, 'lead', path),
    commit: count(o, 'commit', path),
    applied: count(o, 'applied', path),
    progress,
    transferee: field(o, 'leadtransferee') === undefined ? null : rawHex(o, 'leadtransferee', path),
    flags: commandLineFlags(field(vars, 'cmdline')),
  };
}

/** The timing flags of etcd's command line (`--flag value` or `--flag=value`); null where not given there. */
function commandLineFlags(cmdline: unknown): EtcdRaftStatus['flags'] {
  const args = Array.isArray(cmdline) ? cmdline.filter((a): a is string => typeof a === 'string') : [];
  const value = (name: string): string | null => {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!.replace(/^--?/, '-');
      if (a === `-${name}`) return args[i + 1] ?? null;
      if (a.startsWith(`-${name}=`)) return a.slice(name.length + 2);
    }
    return null;
  };
  const ms = (name: string): number | null => {
    const v = value(name);
    return v !== null && /^[0-9]{1,7}$/.test(v) ? Number(v) : null;
  };
  const preVote = args.some((a) => /^--?pre-vote(=true)?$/.test(a)) ? true : args.some((a) => /^--?pre-vote=false$/.test(a)) ? false : null;
  return { heartbeatMs: ms('heartbeat-interval'), electionMs: ms('election-timeout'), preVote };
}

// gRPC codes etcd uses that mean "not allowed" rather than "went wrong".
const GRPC_UNAUTHENTICATED = 16;
const GRPC_PERMISSION_DENIED = 7;

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function unb64(s: unknown, path: string): string {
  if (s === undefined) return '';
  if (typeof s !== 'string') fail(`${path} must be base64 text, got ${show(s)}`);
  return Buffer.from(s, 'base64').toString('utf8');
}

/** A uint64 the gateway writes as a string (or leaves out at 0), as a number; fails beyond 2^53. */
function count(o: JsonObject, key: string, path: string): number {
  const v = field(o, key);
  if (v === undefined) return 0;
  const n = typeof v === 'string' && /^[0-9]{1,16}$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n) || n < 0) fail(`${at(path, key)} must be a non-negative integer, got ${show(v)}`);
  return n;
}

/** A member or cluster id (decimal string, or absent at 0) in hex; null at 0. */
function id(o: JsonObject, key: string, path: string): string | null {
  const v = field(o, key);
  if (v === undefined || v === '0') return null;
  const hex = typeof v === 'string' ? hexId(v) : null;
  if (hex === null) fail(`${at(path, key)} must be a 64-bit id in decimal, got ${show(v)}`);
  return hex;
}

function strings(o: JsonObject, key: string, path: string): string[] {
  if (field(o, key) === undefined) return [];
  const list = array(o, key, path);
  return list.map((v, i) => {
    if (typeof v !== 'string') fail(`${at(path, key)}[${i}] must be text, got ${show(v)}`);
    return v;
  });
}

function flag(o: JsonObject, key: string, path: string): boolean {
  const v = field(o, key);
  if (v === undefined) return false;
  if (typeof v !== 'boolean') fail(`${at(path, key)} must be true or false, got ${show(v)}`);
  return v;
}

function readMember(v: unknown, path: string): EtcdMember {
  const o = object(v, path);
  const memberId = id(o, 'ID', path);
  if (memberId === null) fail(`${at(path, 'ID')} is missing`);
  const name = field(o, 'name');
  if (name !== undefined && typeof name !== 'string') fail(`${at(path, 'name')} must be text, got ${show(name)}`);
  return {
    id: memberId,
    name: name ?? '',
    peerUrls: strings(o, 'peerURLs', path),
    clientUrls: strings(o, 'clientURLs', path),
    learner: flag(o, 'isLearner', path),
  };
}

function readKvs(o: JsonObject, path: string): EtcdKeyValue[] {
  if (field(o, 'kvs') === undefined) return [];
  const list = array(o, 'kvs', path);
  return list.map((v, i) => {
    const p = `${at(path, 'kvs')}[${i}]`;
    const kv = object(v, p);
    return {
      key: unb64(field(kv, 'key'), at(p, 'key')),
      value: unb64(field(kv, 'value'), at(p, 'value')),
      modRevision: count(kv, 'mod_revision', p),
    };
  });
}

/** A connection to one etcd cluster through its JSON gateway. */
export class EtcdGateway {
  readonly endpoints: readonly string[];
  private readonly timeoutMs: number;
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent: HttpsAgent;
  private token: Promise<string> | null = null;

  constructor(private readonly options: EtcdConnectionOptions) {
    if (options.endpoints.length === 0) throw new Error('an etcd connection needs at least one endpoint');
    this.endpoints = options.endpoints.map((e) => e.replace(/\/+$/, ''));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const tls = options.tls ?? {};
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64, ca: tls.ca, cert: tls.cert, key: tls.key });
  }

  /** Closes the idle connections kept for reuse. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** That member's status. */
  async status(endpoint: string): Promise<EtcdStatus> {
    const o = await this.post(endpoint, '/v3/maintenance/status', {});
    return this.read(endpoint, () => {
      const header = object(field(o, 'header'), 'header');
      const memberId = id(header, 'member_id', 'header');
      if (memberId === null) fail('header.member_id is missing');
      return {
        endpoint,
        memberId,
        clusterId: id(header, 'cluster_id', 'header') ?? '',
        leader: id(o, 'leader', ''),
        raftTerm: count(o, 'raftTerm', ''),
        raftIndex: count(o, 'raftIndex', ''),
        raftAppliedIndex: count(o, 'raftAppliedIndex', ''),
        dbSize: count(o, 'dbSize', ''),
        version: typeof o.version === 'string' ? o.version : '',
        learner: flag(o, 'isLearner', ''),
        errors: strings(o, 'errors', ''),
      };
    });
  }

  /**
   * What the member's Raft node says of itself (`raft.status` in GET /debug/vars, which etcd 3.4
   * serves on its client URL): its role (candidates included, which the status API never shows),
   * its current term (the status API gives the term of the last applied entry: a new leader's term
   * shows there only once its first entry applies), its vote, and on a leader each follower's
   * progress. Also the flags it was started with, which give a remote cluster's timing.
   */
  async raftStatus(endpoint: string): Promise<EtcdRaftStatus> {
    const headers: Record<string, string> = {};
    if (this.options.user !== undefined) headers.authorization = await this.authToken(endpoint);
    const { status, text } = await this.send(endpoint, '/debug/vars', null, headers);
    if (status !== 200) throw this.error({ code: 'server', endpoint, grpcCode: -1, cause: `GET /debug/vars: HTTP ${status}` });
    const parsed = parseUntrustedJson(text, `etcd's /debug/vars from ${endpoint}`);
    if (!parsed.ok) throw this.error({ code: 'bad-answer', endpoint, problem: parsed.problem });
    return this.read(endpoint, () => readRaftStatus(object(parsed.value, '')));
  }

  /** The members, from the first endpoint that answers (or the one given). */
  async members(endpoint?: string): Promise<EtcdMember[]> {
    const { o, from } = await this.any('/v3/cluster/member/list', {}, endpoint);
    return this.read(from, () =>
      field(o, 'members') === undefined ? [] : array(o, 'members', '').map((m, i) => readMember(m, `members[${i}]`)),
    );
  }

  /** Adds a member (a learner by default) that will listen on `peerUrls`; resolves with its id and the members after. */
  async addMember(peerUrls: readonly string[], learner = true): Promise<{ id: string; members: EtcdMember[] }> {
    const { o, from } = await this.any('/v3/cluster/member/add', { peerURLs: peerUrls, isLearner: learner });
    return this.read(from, () => ({
      id: readMember(field(o, 'member'), 'member').id,
      members: array(o, 'members', '').map((m, i) => readMember(m, `members[${i}]`)),
    }));
  }

  async removeMember(memberId: string): Promise<void> {
    await this.any('/v3/cluster/member/remove', { ID: this.decimal(memberId) });
  }

  /** Makes a learner a voter; etcd refuses while it is behind the leader ("can only promote a learner member which is in sync with leader"). */
  async promoteMember(memberId: string): Promise<void> {
    await this.any('/v3/cluster/member/promote', { ID: this.decimal(memberId) });
  }

  /** Hands leadership to `target`; must be sent to the leader's endpoint. */
  async moveLeader(leaderEndpoint: string, target: string): Promise<void> {
    await this.post(leaderEndpoint, '/v3/maintenance/transfer-leadership', { targetID: this.decimal(target) });
  }

  /** A linearizable read (a serializable one, from that member's own state, with `serializable`). */
  async get(key: string, options: { endpoint?: string; serializable?: boolean } = {}): Promise<{ value: string | null; revision: number }> {
    const { o, from } = await this.any('/v3/kv/range', { key: b64(key), serializable: options.serializable === true }, options.endpoint);
    return this.read(from, () => ({
      value: readKvs(o, '')[0]?.value ?? null,
      revision: count(object(field(o, 'header'), 'header'), 'revision', 'header'),
    }));
  }

  /** Every key with that prefix ('' for all), in key order, at most `limit`. */
  async list(prefix: string, limit = 1000, endpoint?: string): Promise<EtcdKeyValue[]> {
    const key = b64(prefix === '' ? '\0' : prefix);
    const end = prefix === '' ? b64('\0') : prefixEnd(prefix);
    const { o, from } = await this.any('/v3/kv/range', { key, range_end: end, limit }, endpoint);
    return this.read(from, () => readKvs(o, ''));
  }

  async put(key: string, value: string, endpoint?: string): Promise<{ revision: number }> {
    const { o, from } = await this.any('/v3/kv/put', { key: b64(key), value: b64(value) }, endpoint);
    return this.read(from, () => ({ revision: count(object(field(o, 'header'), 'header'), 'revision', 'header') }));
  }

  /** Deletes the key; resolves with how many keys went (0 or 1). */
  async del(key: string, endpoint?: string): Promise<{ deleted: number }> {
    const { o, from } = await this.any('/v3/kv/deleterange', { key: b64(key) }, endpoint);
    return this.read(from, () => ({ deleted: count(o, 'deleted', '') }));
  }

  /**
   * Sets the key to `value` if it holds `expected` (null: if it does not exist), in one transaction;
   * resolves with whether it did and, when not, what the key held.
   */
  async cas(key: string, expected: string | null, value: string, endpoint?: string): Promise<{ swapped: boolean; current: string | null }> {
    const k = b64(key);
    const compare =
      expected === null
        ? { key: k, result: 'EQUAL', target: 'CREATE', create_revision: '0' }
        : { key: k, result: 'EQUAL', target: 'VALUE', value: b64(expected) };
    const body = {
      compare: [compare],
      success: [{ request_put: { key: k, value: b64(value) } }],
      failure: [{ request_range: { key: k } }],
    };
    const { o, from } = await this.any('/v3/kv/txn', body, endpoint);
    return this.read(from, () => {
      if (flag(o, 'succeeded', '')) return { swapped: true, current: value };
      const responses = array(o, 'responses', '');
      const first = object(responses[0], 'responses[0]');
      const range = object(field(first, 'response_range'), 'responses[0].response_range');
      return { swapped: false, current: readKvs(range, 'responses[0].response_range')[0]?.value ?? null };
    });
  }

  private decimal(hex: string): string {
    const d = decimalId(hex);
    if (d === null) throw new Error(`not a member id: ${hex}`);
    return d;
  }

  private read<T>(endpoint: string, reader: () => T): T {
    const v = validate(reader);
    if (!v.ok) throw this.error({ code: 'bad-answer', endpoint, problem: v.problem });
    return v.value;
  }

  /** The call on `endpoint`, or on each endpoint in turn until one answers (one that is down or slow is skipped). */
  private async any(path: string, body: unknown, endpoint?: string): Promise<{ o: JsonObject; from: string }> {
    if (endpoint !== undefined) return { o: await this.post(endpoint, path, body), from: endpoint };
    let last: unknown;
    for (const e of this.endpoints) {
      try {
        return { o: await this.post(e, path, body), from: e };
      } catch (err) {
        if (!(err instanceof EtcdError) || (err.problem.code !== 'unreachable' && err.problem.code !== 'timeout')) throw err;
        last = err;
      }
    }
    throw last;
  }

  private async post(endpoint: string, path: string, body: unknown, retried = false): Promise<JsonObject> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.user !== undefined && path !== '/v3/auth/authenticate') headers.authorization = await this.authToken(endpoint);
    const { status, text } = await this.send(endpoint, path, JSON.stringify(body), headers);
    const parsed = parseUntrustedJson(text, `etcd's answer from ${endpoint}${path}`);
    if (!parsed.ok || !isObject(parsed.value)) {
      if (status !== 200) throw this.error({ code: 'server', endpoint, grpcCode: -1, cause: `HTTP ${status}: ${text.slice(0, 200)}` });
      throw this.error({ code: 'bad-answer', endpoint, problem: parsed.ok ? 'the answer is not an object' : parsed.problem });
    }
    const o = parsed.value;
    if (status === 200 && o.error === undefined) return o;
    const cause = typeof o.error === 'string' ? o.error : typeof o.message === 'string' ? o.message : `HTTP ${status}`;
    const grpcCode = typeof o.code === 'number' ? o.code : -1;
    if (grpcCode === GRPC_UNAUTHENTICATED || grpcCode === GRPC_PERMISSION_DENIED || /auth|token/i.test(cause)) {
      // A simple token expires after a few minutes: authenticate again, once.
      if (this.options.user !== undefined && !retried && /token/i.test(cause)) {
        this.token = null;
        return this.post(endpoint, path, body, true);
      }
      throw this.error({ code: 'auth', endpoint, cause });
    }
    throw this.error({ code: 'server', endpoint, grpcCode, cause });
  }

  private authToken(endpoint: string): Promise<string> {
    const user = this.options.user!;
    this.token ??= this.post(endpoint, '/v3/auth/authenticate', { name: user.name, password: user.password }).then(
      (o) => {
        if (typeof o.token !== 'string')
          throw this.error({ code: 'auth', endpoint, cause: 'etcd gave no token: is authentication enabled?' });
        return o.token;
      },
      (err: unknown) => {
        this.token = null;
        throw err;
      },
    );
    return this.token;
  }

  private send(
    endpoint: string,
    path: string,
    body: string | null,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string }> {
    let url: URL;
    try {
      url = new URL(path, `${endpoint}/`);
    } catch {
      return Promise.reject(this.error({ code: 'unreachable', endpoint, cause: 'not a URL' }));
    }
    const https = url.protocol === 'https:';
    if (!https && url.protocol !== 'http:')
      return Promise.reject(this.error({ code: 'unreachable', endpoint, cause: `${url.protocol} is not http: or https:` }));
    return new Promise((resolve, reject) => {
      const options =
        body === null
          ? { method: 'GET', headers, timeout: this.timeoutMs }
          : { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: this.timeoutMs };
      const onAnswer = (res: IncomingMessage): void => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) {
            res.destroy();
            reject(this.error({ code: 'bad-answer', endpoint, problem: `the answer is larger than ${MAX_ANSWER_BYTES} bytes` }));
          } else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(this.transportError(endpoint, err)));
      };
      const req = https
        ? httpsRequest(url, { ...options, agent: this.httpsAgent }, onAnswer)
        : httpRequest(url, { ...options, agent: this.httpAgent }, onAnswer);
      req.on('timeout', () => {
        req.destroy();
        reject(this.error({ code: 'timeout', endpoint, ms: this.timeoutMs }));
      });
      req.on('error', (err) => reject(this.transportError(endpoint, err)));
      req.end(body ?? undefined);
    });
  }

  private transportError(endpoint: string, err: Error & { code?: string }): EtcdError {
    const code = err.code ?? '';
    if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_OSSL|HOSTNAME|ALTNAME/.test(code) || /certificate|tls|ssl/i.test(err.message))
      return this.error({ code: 'tls', endpoint, cause: err.message });
    return this.error({ code: 'unreachable', endpoint, cause: code === '' ? err.message : code });
  }

  private error(problem: EtcdProblem): EtcdError {
    return new EtcdError(describeProblem(problem), problem);
  }
}

/** The first key after every key with that prefix (etcd's range_end for a prefix), in base64. */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      bytes[i]! += 1;
      return bytes.subarray(0, i + 1).toString('base64');
    }
  }
  return b64('\0');
}

/** The one sentence for each problem: the cause, and what to do about it. */
export function describeProblem(p: EtcdProblem): string {
  switch (p.code) {
    case 'unreachable':
      return `etcd at ${p.endpoint} cannot be reached (${p.cause}): is it running, and is that its client URL (port 2379 by default)?`;
    case 'timeout':
      return `etcd at ${p.endpoint} did not answer within ${p.ms} ms: it may be paused, overloaded, or cut off from its leader`;
    case 'tls':
      return `the TLS handshake with ${p.endpoint} failed (${p.cause}): give the CA that signed its certificate with --cacert, and a client certificate with --cert and --key if it asks for one`;
    case 'auth':
      return `etcd at ${p.endpoint} refused the request (${p.cause}): give a user allowed to do this with --user name:password`;
    case 'server':
      return `etcd at ${p.endpoint} answered: ${p.cause}`;
    case 'bad-answer':
      return `etcd at ${p.endpoint} gave an answer raft-console cannot read (${p.problem}): is that an etcd 3.4 or later client URL?`;
  }
}
