// What can go wrong talking to etcd, as a code and the values it is about (for programs) and a
// sentence naming the cause and the fix (for people, never parsed).

export type EtcdProblem =
  /** Nothing listens there, or the connection broke. */
  | { code: 'unreachable'; endpoint: string; cause: string }
  /** No answer within the time allowed. */
  | { code: 'timeout'; endpoint: string; ms: number }
  /** The TLS handshake failed: a certificate not trusted, a name that does not match, a missing client certificate. */
  | { code: 'tls'; endpoint: string; cause: string }
  /** Authentication is on and the user is missing, wrong, or not allowed. */
  | { code: 'auth'; endpoint: string; cause: string }
  /** etcd answered with an error (its gRPC code and message), e.g. "etcdserver: not leader". */
  | { code: 'server'; endpoint: string; grpcCode: number; cause: string }
  /** The answer was not what the API documents. */
  | { code: 'bad-answer'; endpoint: string; problem: string };

export class EtcdError extends Error {
  override readonly name = 'EtcdError';

  constructor(
    message: string,
    readonly problem: EtcdProblem,
  ) {
    super(message);
  }
}

// Which of etcd's (3.4) errors mean a write certainly did not apply: one answer for the check's
// client, `write`'s explanation and the etcd engine. Calling an applied write refused would make the
// check look for a history without it, and tell a user that sending it again is safe, which on etcd
// (no client sessions) may apply it twice. So a write is not applied only after an error known to
// come before the proposal; after anything else it may have applied:
//   - before raft: "too many requests" (applied index too far behind the commit index), "request
//     is too large", "no leader" and "not capable" (the gRPC interceptor), "rpc not supported for
//     learner", a quota refusal ("database space exceeded"), a refused authentication;
//   - raft refused the proposal: "raft proposal dropped" (a follower that knows no leader, a
//     candidate, a leader handing over leadership), returned by Propose before anything was appended;
//   - the TCP connection was refused: nothing was sent.
// May have applied: "request timed out" in each of its forms (the proposal was made and not seen
// applied within etcd's request timeout), "leader changed", "server stopped", "request cancelled",
// our own timeout, a connection reset or closed after sending, an answer we cannot read.
//
// etcd tells these apart only by its message (several share a gRPC code), so its messages are
// matched, here and nowhere else: against the texts of etcdserver/api/v3rpc/rpctypes and raft.

/** etcd's messages for requests it refused before proposing them to raft. */
const REFUSED_BEFORE_RAFT = [
  'etcdserver: too many requests',
  'etcdserver: request is too large',
  'etcdserver: no leader',
  'etcdserver: not capable',
  'etcdserver: rpc not supported for learner',
  'etcdserver: mvcc: database space exceeded',
  'raft proposal dropped',
];

/** Connection errors raised before a request was sent: connect() itself failed. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** The request never left: the connection to the member could not be made. */
export function notSent(p: EtcdProblem): boolean {
  return p.code === 'unreachable' && NOT_SENT.has(p.cause);
}

/** A write that ended in this problem certainly did not apply (true), or may have (false): see above. */
export function writeNotApplied(p: EtcdProblem): boolean {
  switch (p.code) {
    case 'unreachable':
      return notSent(p);
    case 'auth':
      // Refused when the request is authenticated; a permission checked at apply time changes nothing either.
      return true;
    case 'server':
      return REFUSED_BEFORE_RAFT.some((m) => p.cause.startsWith(m));
    case 'timeout':
    case 'tls':
    case 'bad-answer':
      return false;
  }
}

/** etcd answered that it knows no leader. */
export function saysNoLeader(p: EtcdProblem): boolean {
  return p.code === 'server' && /no leader/i.test(p.cause);
}

/**
 * etcd refused a membership change as the cluster is not healthy enough for it (its
 * --strict-reconfig-check): "unhealthy cluster", "not enough started members".
 */
export function saysUnhealthy(p: EtcdProblem): boolean {
  return p.code === 'server' && /unhealthy cluster|not enough started/i.test(p.cause);
}

/** etcd refused promoting a learner that is not yet in sync with the leader (or is busy: "too many learners", "not ready"). */
export function saysLearnerBehind(p: EtcdProblem): boolean {
  return p.code === 'server' && /in sync|not ready|too many/i.test(p.cause);
}
