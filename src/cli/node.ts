// `raft-console node`: runs one node in this process. Normally the supervisor starts it; it is also
// how to run a node by hand. Events go to stdout as NDJSON, diagnostics to stderr.
import { Command } from 'commander';
import { attachControl } from '../node/control.js';
import { EventStream, type FatalCode } from '../node/event-stream.js';
import { startNode } from '../node/node.js';
import { UsageError, parseBugs, parseListen, parseNodeId, parsePeers, parsePositive, parseRange, type NodeOptions } from '../node/options.js';
import { KNOWN_BUG_NAMES } from '../raft/config.js';
import { DataDirError } from '../storage/index.js';

interface NodeFlags {
  id: string;
  clusterId: string;
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
}

function toOptions(f: NodeFlags): NodeOptions {
  const id = parseNodeId(f.id);
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(f.clusterId)) throw new UsageError(`--cluster-id must be 1-128 letters, digits, dots, dashes or underscores, got "${f.clusterId}"`);
  return {
    id,
    clusterId: f.clusterId,
    listen: parseListen(f.listen),
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
  };
}

/** The one line for an error that stops the node, naming the cause and the fix, and its code for programs. */
function explain(err: unknown, o: NodeOptions): { code: FatalCode; text: string } {
  if (err instanceof DataDirError) return { code: 'data-dir', text: err.message };
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return { code: 'port-in-use', text: `port ${o.listen.port} on ${o.listen.host} is already in use: pick another --listen port, or stop what uses it (try: ss -ltnp 'sport = :${o.listen.port}')` };
  if (code === 'EADDRNOTAVAIL') return { code: 'address', text: `cannot listen on ${o.listen.host}: no such address on this machine; use 127.0.0.1` };
  // A write or fsync of the log, the hard state or a snapshot found no room.
  if (code === 'ENOSPC' || code === 'EDQUOT') return { code: 'disk-full', text: `disk full at ${o.dataDir}: free space then run \`raft-console restart ${o.id}\`` };
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return { code: 'permission', text: `not allowed to use ${o.dataDir} or port ${o.listen.port}: check permissions, or use a port above 1024` };
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
  process.exit(1);
}

export function registerNodeCommand(program: Command): Command {
  return program
    .command('node')
    .description('run one Raft node in this process (the supervisor starts these; events are NDJSON on stdout)')
    .requiredOption('--id <n>', 'this node\'s id, an integer from 1')
    .requiredOption('--cluster-id <id>', 'the cluster this node belongs to: peers and data of another cluster are refused')
    .requiredOption('--data-dir <dir>', 'where this node keeps its log, hard state and snapshots')
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
    .option('--control-stdin', 'take control commands as NDJSON on stdin, and stop when stdin closes (how the supervisor runs nodes)')
    .action(async (flags: NodeFlags) => {
      let options: NodeOptions;
      try {
        options = toOptions(flags);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`raft-console node: ${err.message}\n`);
        process.exit(2);
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
