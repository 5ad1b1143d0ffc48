// The options that reach an etcd cluster raft-console does not run (`dashboard --etcd`), under
// etcdctl's names, so that an operator's command line carries over: --etcd takes etcdctl's
// --endpoints list, then --cacert, --cert, --key and --user name[:password]. The files are read
// once, at start; a password left out is asked for on the terminal without echo, as etcdctl does
// (never read from the environment: a variable of the shell leaks into every child and every `ps e`).
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { EtcdAttachOptions } from '../cluster-model/etcd-attach.js';
import { CliError } from './failure.js';
import { duration } from './arguments.js';

export interface EtcdFlags {
  etcd?: string[];
  cacert?: string;
  cert?: string;
  key?: string;
  user?: string;
  allowChanges?: boolean;
  interval?: number;
}

/**
 * "https://host1:2379,https://host2:2379": client URLs, each http or https; a bare host:port is
 * taken as etcdctl takes it, over https when a certificate flag is given, else http (withScheme).
 */
export function etcdEndpoints(text: string): string[] {
  const urls = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (urls.length === 0) throw new InvalidArgumentError(`--etcd needs client URLs, e.g. https://10.0.0.1:2379,https://10.0.0.2:2379`);
  for (const u of urls) {
    const bare = !/^[a-z][a-z0-9+.-]*:\/\//i.test(u);
    let url: URL;
    try {
      url = new URL(bare ? `http://${u}` : u);
    } catch {
      throw new InvalidArgumentError(`--etcd takes client URLs such as https://10.0.0.1:2379, got "${u}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new InvalidArgumentError(`--etcd takes http:// or https:// client URLs, got "${u}"`);
    if (bare && (url.port === '' || url.pathname !== '/'))
      throw new InvalidArgumentError(`--etcd takes client URLs such as https://10.0.0.1:2379 or host:port, got "${u}"`);
  }
  return urls;
}

/** A bare host:port with the scheme etcdctl would use: https when TLS flags are given. */
function withScheme(endpoint: string, tls: boolean): string {
  return /^https?:\/\//i.test(endpoint) ? endpoint : `${tls ? 'https' : 'http'}://${endpoint}`;
}

/** How to reach an etcd cluster that runs elsewhere: its client URLs and credentials (`status --etcd`). */
export function withEtcdConnectionOptions(cmd: Command): Command {
  return cmd
    .option(
      '--etcd <urls>',
      "attach to an etcd cluster that runs elsewhere, through these client URLs (comma-separated, as etcdctl's --endpoints; a bare host:port is https with --cacert, --cert or --key, else http)",
      etcdEndpoints,
    )
    .option('--cacert <file>', "with --etcd: the CA that signed the members' certificates (PEM)")
    .option('--cert <file>', 'with --etcd: a client certificate (PEM), with --key')
    .option('--key <file>', "with --etcd: the client certificate's key (PEM)")
    .option(
      '--user <name[:password]>',
      'with --etcd: authenticate as this user (without a password: asked for on the terminal, without echo)',
    );
}

/** The connection options and what a dashboard kept attached also takes: changes, and how often to look. */
export function withEtcdOptions(cmd: Command): Command {
  return withEtcdConnectionOptions(cmd)
    .option('--allow-changes', 'with --etcd: allow transfer, promote and remove (read-only without it)')
    .option(
      '--interval <time>',
      'with --etcd: how often to look at the cluster (default 250ms)',
      duration('--interval', '250ms', 50, 60_000),
    );
}

/**
 * A command line that mixes a cluster of raft-console's own with --etcd is a usage error, told
 * before anything else: a flag of `etcdOnly` without --etcd, or --name / --data-dir with it.
 */
export function checkEtcdFlags(flags: EtcdFlags, cmd: Command, etcdOnly: readonly (keyof EtcdFlags)[]): void {
  if (flags.etcd === undefined) {
    const given = etcdOnly.find((f) => flags[f] !== undefined);
    if (given !== undefined)
      throw new CliError(
        `--${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is for an etcd cluster: give its client URLs with --etcd`,
        'usage',
      );
  } else if (namedOwnCluster(cmd))
    throw new CliError(
      '--etcd attaches to a cluster that runs elsewhere: leave out --name and --data-dir, which name a cluster raft-console runs',
      'usage',
    );
}

/** Whether the command line named a cluster of raft-console's own (--name, --data-dir), which --etcd excludes. */
export function namedOwnCluster(cmd: Command): boolean {
  return cmd.getOptionValueSource('name') === 'cli' || cmd.getOptionValueSource('dataDir') === 'cli';
}

async function readPem(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'a folder'
            : (err as Error).message;
    throw new CliError(`cannot read ${flag} ${path}: ${why}`, 'usage');
  }
}

/** Reads a line from the terminal without showing it: for a password. */
function askHidden(prompt: string, stdin: NodeJS.ReadStream = process.stdin, out: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!stdin.isTTY)
    return Promise.reject(
      new CliError('--user without a password needs a terminal to ask for it: give it as --user name:password', 'usage'),
    );
  return new Promise((resolve, reject) => {
    let typed = '';
    out.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err: Error | null): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      out.write('\n');
      if (err === null) resolve(typed);
      else reject(err);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new CliError('interrupted while asking for the password'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The connection the flags describe; reads the certificate files and asks for a missing password. */
export async function etcdAttachOptions(flags: EtcdFlags & { etcd: string[] }): Promise<EtcdAttachOptions> {
  if ((flags.cert === undefined) !== (flags.key === undefined))
    throw new CliError('--cert and --key go together: a client certificate needs its key', 'usage');
  const [ca, cert, key] = await Promise.all([
    flags.cacert === undefined ? undefined : readPem('--cacert', flags.cacert),
    flags.cert === undefined ? undefined : readPem('--cert', flags.cert),
    flags.key === undefined ? undefined : readPem('--key', flags.key),
  ]);
  let user: EtcdAttachOptions['user'];
  if (flags.user !== undefined) {
    const colon = flags.user.indexOf(':');
    const name = colon < 0 ? flags.user : flags.user.slice(0, colon);
    if (name === '') throw new CliError('--user needs a user name, e.g. --user root:secret', 'usage');
    const password = colon < 0 ? await askHidden(`password for ${name}: `) : flags.user.slice(colon + 1);
    user = { name, password };
  }
  const tls = ca === undefined && cert === undefined ? undefined : { ca, cert, key };
  return {
    endpoints: flags.etcd.map((e) => withScheme(e, tls !== undefined)),
    ...(tls === undefined ? {} : { tls }),
    ...(user === undefined ? {} : { user }),
    allowChanges: flags.allowChanges === true,
    ...(flags.interval === undefined ? {} : { intervalMs: flags.interval }),
  };
}
