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

export type EtcdProblemCode = EtcdProblem['code'];

export class EtcdError extends Error {
  override readonly name = 'EtcdError';

  constructor(
    message: string,
    readonly problem: EtcdProblem,
  ) {
    super(message);
  }
}
