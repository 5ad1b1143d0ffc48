// The client library: talks to a running cluster over the client protocol (src/node/client-protocol.ts).
export { RaftClient, type GetResult, type LogPage, type RaftClientOptions } from './raft-client.js';
export { WriteSession, type CallOptions, type WriteResult } from './session.js';
export { RaftClientError, seconds, type RaftClientErrorCode } from './errors.js';
export type { NodeRef, NodeSpec } from './directory.js';
export { NO_SECRET, readSecretFile, SecretFileError, type ClusterSecret } from '../transport/secret.js';
export { readTlsFiles, TlsFileError, type TlsFiles } from '../transport/tls.js';
