// `raft-console node`: runs one node in this process. Normally the supervisor starts it; it is also
// how to run a node by hand. Events go to stdout as NDJSON, diagnostics to stderr.
import { type Command } from 'commander';
import { EXIT_STATUS } from '../schema/exit-codes.js';
import { attachControl } from '../node/control.js';
import { EventStream, type FatalCode } from '../node/event-stream.js';
import { startNode } from '../node/node.js';
import {
  DEFAULT_COMPACT_EVERY,
  UsageError,
  isLoopback,
  parseAcknowledged,
  parseBugs,
  parseListen,
  parseNodeId,
  parsePeers,
  parsePositive,
  parseRange,
  tickForHeartbeat,
  type NodeOptions,
} from '../node/options.js';
import { KNOWN_BUG_NAMES } from '../raft/config.js';
import { DataDirError } from '../storage/index.js';
import { NO_SECRET, SecretFileError, readSecretFile } from '../transport/secret.js';
import { TlsFileError, readTlsFiles } from '../transport/tls.js';

export interface NodeFlags {
  id: string;
  clusterId: string;
  secretFile?: string;
  insecureNoAuth?: boolean;
  unsafeListenWithoutTls?: boolean;
  certFile?: string;
  keyFile?: string;
  trustedCaFile?: string;
  listen: string;
  peers: string;
  join?: boolean;
  step?: boolean;
  dataDir: string;
  electionTimeout: string;
  heartbeat: string;
  tick?: string;
  unsafeNoFsync?: boolean;
  compactEvery: string;
  requestTimeout: string;
  controlStdin?: boolean;
  preVote: boolean;
  checkQuorum: boolean;
  bug: string[];
  acknowledged?: string;
}

/** The node's options from its command line; throws a UsageError naming the option at fault. */
export function toOptions(f: NodeFlags): NodeOptions {
  const id = parseNodeId(f.id);
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(f.clusterId))
    throw new UsageError(`--cluster-id must be 1-128 letters, digits, dots, dashes or underscores, got "${f.clusterId}"`);
  const listen = parseListen(f.listen);
  // A node that silently ran open would be joined by anyone: no secret is a choice said out loud.
  if (f.secretFile === undefined && f.insecureNoAuth !== true)
    throw new UsageError(
      '--secret-file is required: the cluster secret every peer and client must prove (`raft-console up` makes one at <cluster folder>/secret); --insecure-no-auth runs without one',
    );
  if (f.secretFile !== undefined && f.insecureNoAuth === true)
    throw new UsageError('give either --secret-file or --insecure-no-auth, not both');
  const tlsFlags = [f.certFile, f.keyFile, f.trustedCaFile];
  if (tlsFlags.some((x) => x !== undefined) && tlsFlags.some((x) => x === undefined))
    throw new UsageError('--cert-file, --key-file and --trusted-ca-file go together: give all three for mutual TLS, or none');
  const heartbeatMs = parsePositive(f.heartbeat, '--heartbeat', '50');
  const tls = f.certFile === undefined ? null : readTlsFiles({ cert: f.certFile, key: f.keyFile!, ca: f.trustedCaFile! });
  if (!isLoopback(listen.host) && tls === null && f.unsafeListenWithoutTls !== true)
    throw new UsageError(
      `--listen ${f.listen} is reachable from other machines, and this node's traffic would not be encrypted: listen on 127.0.0.1, give --cert-file, --key-file and --trusted-ca-file for mutual TLS, or add --unsafe-listen-without-tls if the network is trusted`,
    );
  return {
    id,
    clusterId: f.clusterId,
    secret: f.secretFile === undefined ? NO_SECRET : readSecretFile(f.secretFile),
    insecureNoAuth: f.insecureNoAuth === true,
    tls,
    listen,
    peers: parsePeers(f.peers, id),
    join: f.join === true,
    step: f.step === true,
    dataDir: f.dataDir,
    electionTimeoutMs: parseRange(f.electionTimeout, '--election-timeout'),
    heartbeatMs,
    tickMs: f.tick === undefined ? tickForHeartbeat(heartbeatMs) : parsePositive(f.tick, '--tick', '10'),
    unsafeNoFsync: f.unsafeNoFsync === true,
    compactEvery: parsePositive(f.compactEvery, '--compact-every', String(DEFAULT_COMPACT_EVERY)),
    requestTimeoutMs: parsePositive(f.requestTimeout, '--request-timeout', '5000'),
    switches: { preVote: f.preVote, checkQuorum: f.checkQuorum, bugs: parseBugs(f.bug) },
    acknowledged: f.acknowledged === undefined ? null : parseAcknowledged(f.acknowledged),
  };
}

/** The one line for an error that stops the node, naming the cause and the fix, and its code for programs. */
function explain(err: unknown, o: NodeOptions): { code: FatalCode; text: string } {
  if (err instanceof DataDirError) return { code: 'data-dir', text: err.message };
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return {
      code: 'port-in-use',
      text: `port ${o.listen.port} on ${o.listen.host} is already in use: pick another --listen port, or stop what uses it (try: ss -ltnp 'sport = :${o.listen.port}')`,
    };
  if (code === 'EADDRNOTAVAIL')
    return { code: 'address', text: `cannot listen on ${o.listen.host}: no such address on this machine; use 127.0.0.1` };
  // A write or fsync of the log, the hard state or a snapshot found no room.
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return { code: 'disk-full', text: `disk full at ${o.dataDir}: free space then run \`raft-console restart ${o.id}\`` };
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return {
      code: 'permission',
      text: `not allowed to use ${o.dataDir} or port ${o.listen.port}: check permissions, or use a port above 1024`,
    };
  return { code: 'internal', text: err instanceof Error ? err.message : String(err) };
}

/**
 * Ends the node on an error: the cause goes to stdout as a "fatal" event (the supervisor reports it
 * as the node's cause of death) and to stderr as its last line; only an internal error (a bug)
 * adds its stack, before it.
 */
function die(events: EventStream, o: NodeOptions, err: unknown, starting: boolean): never {
  const { code, text } = explain(err, o);
  events.lifecycle({ type: 'fatal', code, reason: text }, `n${o.id} ${starting ? 'cannot start' : 'stops after a fatal error'}: ${text}`);
  // The stack first: the last line on stderr is the cause.
  if (code === 'internal' && err instanceof Error && err.stack !== undefined) process.stderr.write(`${err.stack}\n`);
  process.stderr.write(`raft-console node ${o.id}: ${starting ? '' : 'fatal: '}${text}\n`);
  process.exit(EXIT_STATUS.failed);
}

export function registerNodeCommand(program: Command): Command {
  return program
    .command('node')
    .description('run one Raft node in this process (the supervisor starts these; events are NDJSON on stdout)')
    .requiredOption('--id <n>', "this node's id, an integer from 1")
    .requiredOption('--cluster-id <id>', 'the cluster this node belongs to: peers and data of another cluster are refused')
    .requiredOption('--data-dir <dir>', 'where this node keeps its log, hard state and snapshots')
    .option(
      '--secret-file <path>',
      'the cluster secret (64 hex digits, mode 0600) every peer and client must prove; `up` makes <cluster folder>/secret',
    )
    .option(
      '--insecure-no-auth',
      'run without a cluster secret (INSECURE: any process that reaches the port may join the cluster or write to it)',
    )
    .option(
      '--cert-file <path>',
      "this node's certificate (PEM) for mutual TLS on its port and towards its peers; with --key-file and --trusted-ca-file",
    )
    .option('--key-file <path>', 'the key (PEM) of --cert-file')
    .option('--trusted-ca-file <path>', 'the CA (PEM) that signs the certificates of every node and client of the cluster')
    .option(
      '--unsafe-listen-without-tls',
      'allow a --listen address other machines can reach, although the traffic is not encrypted (UNSAFE on an untrusted network)',
    )
    .option('--listen <host:port>', 'address for peers and clients', '127.0.0.1:0')
    .option('--peers <list>', 'the other voters, id=host:port,... (e.g. 1=127.0.0.1:7001,2=127.0.0.1:7002)', '')
    .option('--join', 'start with no configuration and wait to be added by the leader')
    .option(
      '--step',
      'start in step mode: the clock stands still and every message is held until the supervisor says (how a stepping cluster restarts a node)',
    )
    .option('--election-timeout <ms-range>', 'election timeout range in milliseconds', '150-300')
    .option('--heartbeat <ms>', 'leader heartbeat interval in milliseconds', '50')
    .option(
      '--tick <ms>',
      'length of one tick of the core in milliseconds; heartbeats fall on whole ticks (default: the longest that divides --heartbeat into at least 5, 10 for 50)',
    )
    .option('--unsafe-no-fsync', 'do not fsync (UNSAFE: a power cut can lose acknowledged writes); for speed experiments')
    .option('--compact-every <n>', 'snapshot once this many applied entries are in the log', String(DEFAULT_COMPACT_EVERY))
    .option('--request-timeout <ms>', 'answer a client request "timeout" after this long', '5000')
    .option('--no-pre-vote', 'campaign without a pre-vote round first (PreVote, dissertation 9.6, is on by default)')
    .option(
      '--no-check-quorum',
      'keep leading without hearing from a majority, and grant votes despite a live leader (CheckQuorum is on by default)',
    )
    .option(
      '--bug <name>',
      `run the core with a known bug switched on, for the workshop (repeatable): ${KNOWN_BUG_NAMES.join(', ')}`,
      (name: string, previous: string[]) => [...previous, name],
      [] as string[],
    )
    .option(
      '--acknowledged <term:commit>',
      'the term and commit index this node was last seen at (the supervisor keeps them): a data directory behind them lost data, so the node starts in recovering mode and does not vote until caught up',
    )
    .option('--control-stdin', 'take control commands as NDJSON on stdin, and stop when stdin closes (how the supervisor runs nodes)')
    .action(async (flags: NodeFlags) => {
      let options: NodeOptions;
      try {
        options = toOptions(flags);
      } catch (err) {
        if (!(err instanceof UsageError) && !(err instanceof SecretFileError) && !(err instanceof TlsFileError)) throw err;
        process.stderr.write(`raft-console node: ${err.message}\n`);
        process.exit(EXIT_STATUS.usage);
      }
      const events = new EventStream(options.id, options.tickMs, (line) => process.stdout.write(line));
      const fatal = (err: unknown): void => die(events, options, err, false);
      let node;
      try {
        node = await startNode(options, events, fatal);
      } catch (err) {
        die(events, options, err, true);
      }
      const stop = (signal: string) => () => {
        void node.stop(`received ${signal}`).then(() => process.exit(EXIT_STATUS.ok), fatal);
      };
      if (flags.controlStdin === true) {
        attachControl(
          process.stdin,
          node.control,
          (a) => events.control(a),
          () => {
            void node.stop('its supervisor is gone (stdin closed)').then(() => process.exit(EXIT_STATUS.ok), fatal);
          },
        );
      }
      process.once('SIGTERM', stop('SIGTERM'));
      process.once('SIGINT', stop('SIGINT'));
    });
}
