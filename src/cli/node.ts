// `raft-console node`: runs one node in this process. Normally the supervisor starts it; it is also
// how to run a node by hand. Events go to stdout as NDJSON, diagnostics to stderr.
import { Command } from 'commander';
import { attachControl } from '../node/control.js';
import { EventStream } from '../node/event-stream.js';
import { startNode } from '../node/node.js';
import { UsageError, isLoopback, parseAcknowledged, parseBugs, parseListen, parseNodeId, parsePeers, parsePositive, parseRange, type NodeOptions } from '../node/options.js';
import { KNOWN_BUG_NAMES } from '../raft/config.js';
import { DataDirError } from '../storage/index.js';
import { NO_SECRET, SecretFileError, readSecretFile } from '../transport/secret.js';
import { TlsFileError, readTlsFiles } from '../transport/tls.js';

interface NodeFlags {
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
  dataDir: string;
  electionTimeout: string;
  heartbeat: string;
  tick: string;
  unsafeNoFsync?: boolean;
  compactEvery: string;
  requestTimeout: string;
  controlStdin?: boolean;
  preVote: boolean;
  checkQuorum: boolean;
  bug: string[];
  acknowledged?: string;
}

function toOptions(f: NodeFlags): NodeOptions {
  const id = parseNodeId(f.id);
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(f.clusterId)) throw new UsageError(`--cluster-id must be 1-128 letters, digits, dots, dashes or underscores, got "${f.clusterId}"`);
  const listen = parseListen(f.listen);
  // A node that silently ran open would be joined by anyone: no secret is a choice said out loud.
  if (f.secretFile === undefined && f.insecureNoAuth !== true)
    throw new UsageError('--secret-file is required: the cluster secret every peer and client must prove (`raft-console up` makes one at <cluster folder>/secret); --insecure-no-auth runs without one');
  if (f.secretFile !== undefined && f.insecureNoAuth === true) throw new UsageError('give either --secret-file or --insecure-no-auth, not both');
  const tlsFlags = [f.certFile, f.keyFile, f.trustedCaFile];
  if (tlsFlags.some((x) => x !== undefined) && tlsFlags.some((x) => x === undefined))
    throw new UsageError('--cert-file, --key-file and --trusted-ca-file go together: give all three for mutual TLS, or none');
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
    dataDir: f.dataDir,
    electionTimeoutMs: parseRange(f.electionTimeout, '--election-timeout'),
    heartbeatMs: parsePositive(f.heartbeat, '--heartbeat', '50'),
    tickMs: parsePositive(f.tick, '--tick', '10'),
    unsafeNoFsync: f.unsafeNoFsync === true,
    compactEvery: parsePositive(f.compactEvery, '--compact-every', '10000'),
    requestTimeoutMs: parsePositive(f.requestTimeout, '--request-timeout', '5000'),
    switches: { preVote: f.preVote, checkQuorum: f.checkQuorum, bugs: parseBugs(f.bug) },
    acknowledged: f.acknowledged === undefined ? null : parseAcknowledged(f.acknowledged),
  };
}

/** One line for the errors a user can fix, naming the cause and the fix. */
function explain(err: unknown, o: NodeOptions): string | null {
  if (err instanceof DataDirError || err instanceof UsageError) return err.message;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${o.listen.port} on ${o.listen.host} is already in use: pick another --listen port, or stop what uses it (try: ss -ltnp 'sport = :${o.listen.port}')`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${o.listen.host}: no such address on this machine; use 127.0.0.1`;
  if (code === 'EACCES') return `not allowed to use ${o.dataDir} or port ${o.listen.port}: check permissions, or use a port above 1024`;
  return null;
}

export function registerNodeCommand(program: Command): Command {
  return program
    .command('node')
    .description('run one Raft node in this process (the supervisor starts these; events are NDJSON on stdout)')
    .requiredOption('--id <n>', 'this node\'s id, an integer from 1')
    .requiredOption('--cluster-id <id>', 'the cluster this node belongs to: peers and data of another cluster are refused')
    .requiredOption('--data-dir <dir>', 'where this node keeps its log, hard state and snapshots')
    .option('--secret-file <path>', 'the cluster secret (64 hex digits, mode 0600) every peer and client must prove; `up` makes <cluster folder>/secret')
    .option('--insecure-no-auth', 'run without a cluster secret (INSECURE: any process that reaches the port may join the cluster or write to it)')
    .option('--cert-file <path>', 'this node\'s certificate (PEM) for mutual TLS on its port and towards its peers; with --key-file and --trusted-ca-file')
    .option('--key-file <path>', 'the key (PEM) of --cert-file')
    .option('--trusted-ca-file <path>', 'the CA (PEM) that signs the certificates of every node and client of the cluster')
    .option('--unsafe-listen-without-tls', 'allow a --listen address other machines can reach, although the traffic is not encrypted (UNSAFE on an untrusted network)')
    .option('--listen <host:port>', 'address for peers and clients', '127.0.0.1:0')
    .option('--peers <list>', 'the other voters, id=host:port,... (e.g. 1=127.0.0.1:7001,2=127.0.0.1:7002)', '')
    .option('--join', 'start with no configuration and wait to be added by the leader')
    .option('--election-timeout <ms-range>', 'election timeout range in milliseconds', '150-300')
    .option('--heartbeat <ms>', 'leader heartbeat interval in milliseconds', '50')
    .option('--tick <ms>', 'length of one tick of the core in milliseconds', '10')
    .option('--unsafe-no-fsync', 'do not fsync (UNSAFE: a power cut can lose acknowledged writes); for speed experiments')
    .option('--compact-every <n>', 'snapshot once this many applied entries are in the log', '10000')
    .option('--request-timeout <ms>', 'answer a client request "timeout" after this long', '5000')
    .option('--no-pre-vote', 'campaign without a pre-vote round first (PreVote, dissertation 9.6, is on by default)')
    .option('--no-check-quorum', 'keep leading without hearing from a majority, and grant votes despite a live leader (CheckQuorum is on by default)')
    .option('--bug <name>', `run the core with a known bug switched on, for the workshop (repeatable): ${KNOWN_BUG_NAMES.join(', ')}`, (name: string, previous: string[]) => [...previous, name], [] as string[])
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
        process.exit(2);
      }
      const events = new EventStream(options.id, options.tickMs, (line) => process.stdout.write(line));
      const fatal = (err: unknown): void => {
        const reason = err instanceof Error ? err.message : String(err);
        events.lifecycle({ type: 'fatal', reason }, `n${options.id} stops after a fatal error: ${reason}`);
        process.stderr.write(`raft-console node ${options.id}: fatal: ${reason}\n`);
        process.exit(1);
      };
      let node;
      try {
        node = await startNode(options, events, fatal);
      } catch (err) {
        const line = explain(err, options);
        if (line === null) throw err;
        process.stderr.write(`raft-console node ${options.id}: ${line}\n`);
        process.exit(err instanceof UsageError ? 2 : 1);
      }
      const stop = (signal: string) => () => {
        void node.stop(`received ${signal}`).then(() => process.exit(0), fatal);
      };
      if (flags.controlStdin === true) {
        attachControl(process.stdin, node.control, (a) => events.control(a), () => {
          void node.stop('its supervisor is gone (stdin closed)').then(() => process.exit(0), fatal);
        });
      }
      process.once('SIGTERM', stop('SIGTERM'));
      process.once('SIGINT', stop('SIGINT'));
    });
}
