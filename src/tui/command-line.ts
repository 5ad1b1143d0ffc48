// The `:` command line, as in k9s and vim: a cluster command typed as on the shell (`partition 1,2
// 3,4,5`, `link 1 2 --drop 30%`, `put k v`), parsed by the CLI's own grammar
// (src/cluster-model/commands) with commander, and Tab completion of command names, node ids,
// option names and the few words an argument takes. Pure: the key router calls it.
import { Command, CommanderError } from 'commander';
import { CLUSTER_COMMANDS, UsageError, type ClusterRequest, type CommandSpec } from '../cluster-model/commands/grammar.js';

/** A typed line split into words as a shell would: spaces separate, quotes ('' or "") group, a backslash escapes. */
export interface Words {
  words: string[];
  /** The last word is still being typed (the line does not end in a space). */
  partial: boolean;
  /** A quote is still open. */
  open: boolean;
}

export function splitWords(line: string): Words {
  const words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== null) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word = (word ?? '') + line[++i]!;
      else word = (word ?? '') + ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (ch === '\\' && i + 1 < line.length) word = (word ?? '') + line[++i]!;
    else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? '') + ch;
  }
  if (word !== null) words.push(word);
  return { words, partial: word !== null, open: quote !== null };
}

export type Parsed = { ok: true; request: ClusterRequest } | { ok: false; text: string };

const NAMES = CLUSTER_COMMANDS.map((c) => c.name);

function specOf(name: string | undefined): CommandSpec | undefined {
  return CLUSTER_COMMANDS.find((c) => c.name === name);
}

/** The spec a command's words name: the command's, or its subcommand's (`step deliver`); how many words name it. */
function resolve(words: readonly string[]): { spec: CommandSpec; depth: number } | undefined {
  const top = specOf(words[0]);
  if (top === undefined) return undefined;
  const sub = top.subcommands?.find((c) => c.name === words[1]);
  return sub === undefined ? { spec: top, depth: 1 } : { spec: sub, depth: 2 };
}

/** Adds `spec` to `parent` as commander knows it, its subcommands with it; `onRequest` gets the request it makes. */
function addCommand(parent: Command, spec: CommandSpec, onRequest: (r: ClusterRequest) => void): Command {
  const cmd = spec.grammar(parent.command(spec.name).description(spec.description));
  cmd.action(() => onRequest(spec.request(cmd.processedArgs, cmd.opts())));
  for (const sub of spec.subcommands ?? []) addCommand(cmd, sub, onRequest);
  return cmd;
}

/** The command as commander knows it, on a program whose errors are thrown and whose output is kept. */
function commanderCommand(spec: CommandSpec, onRequest: (r: ClusterRequest) => void): Command {
  const program = new Command('')
    .exitOverride()
    .helpCommand(false)
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined });
  addCommand(program, spec, onRequest).helpCommand(false);
  return program;
}

/** The request a typed line makes, or why it makes none (one line, for the result line). */
export function parseCommandLine(line: string): Parsed {
  const { words, open } = splitWords(line);
  if (open) return { ok: false, text: 'a quote is not closed' };
  const name = words[0];
  if (name === undefined) return { ok: false, text: 'type a command: ' + NAMES.join(' ') };
  const spec = specOf(name);
  if (spec === undefined)
    return {
      ok: false,
      text: `"${name}" is not a command for the running cluster (${NAMES.join(' ')}); run other commands from a shell: raft-console ${name}`,
    };
  const sub = words[1];
  if (spec.subcommands !== undefined && sub !== undefined && !sub.startsWith('-') && !spec.subcommands.some((c) => c.name === sub)) {
    const subs = spec.subcommands.map((c) => c.name).join(' ');
    return {
      ok: false,
      text: `"${name} ${sub}" is not a command for the running cluster (${name} ${subs}); run other commands from a shell: raft-console ${name} ${sub}`,
    };
  }
  const made: { request?: ClusterRequest } = {};
  const program = commanderCommand(spec, (r) => {
    made.request = r;
  });
  // The command whose usage an error shows: `step deliver`'s, not `step`'s.
  const { spec: target, depth } = resolve(words)!;
  const usage = (): string => {
    let cmd = program.commands[0]!;
    if (depth === 2) cmd = cmd.commands.find((c) => c.name() === target.name)!;
    return `${words.slice(0, depth).join(' ')} ${cmd.usage()}`;
  };
  try {
    program.parse(words, { from: 'user' });
  } catch (err) {
    if (err instanceof UsageError) return { ok: false, text: err.message };
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed') return { ok: false, text: `${usage()}: ${target.description}` };
    return { ok: false, text: `${err.message.replace(/^error: /, '')} (${usage()})` };
  }
  return made.request === undefined ? { ok: false, text: `${name} made no request` } : { ok: true, request: made.request };
}

/** What Tab makes of a line: the line completed as far as it is certain, and the choices when it is not. */
export interface Completion {
  text: string;
  choices: string[];
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? '';
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** The long names of a command's options, and those that take a node id. */
function optionsOf(spec: CommandSpec): { names: string[]; nodeValued: string[]; valued: string[] } {
  const options = spec.grammar(new Command(spec.name)).options;
  return {
    names: options.map((o) => o.long ?? o.flags),
    valued: options.filter((o) => o.required || o.optional).map((o) => o.long ?? o.flags),
    nodeValued: options.filter((o) => /<id>/.test(o.flags)).map((o) => o.long ?? o.flags),
  };
}

/**
 * The words the next argument of `spec` may be, after `args` (the words typed after its name):
 * the choices of that argument if it has its own (`fire 2 <timer>`), else what the command
 * completes (null: node ids, which complete within a partition group too); none past its last
 * argument unless that one takes a list.
 */
function argumentWords(spec: CommandSpec, args: readonly string[], held: readonly string[]): string[] | null {
  const { registeredArguments } = spec.grammar(new Command(spec.name));
  const { valued } = optionsOf(spec);
  let position = 0;
  for (let i = 0; i < args.length; i++) {
    if (valued.includes(args[i]!)) i++;
    else if (!args[i]!.startsWith('-')) position++;
  }
  const argument = registeredArguments[Math.min(position, registeredArguments.length - 1)];
  if (argument === undefined || (position >= registeredArguments.length && !argument.variadic)) return [];
  if (argument.argChoices !== undefined) return argument.argChoices;
  if (spec.completes === 'nodes') return null;
  if (spec.completes === 'held') return [...held];
  return spec.completes === null ? [] : [...spec.completes];
}

/**
 * Completes the word being typed at the end of `line`; `nodes` are the cluster's members, `held`
 * the ids of the messages held in step mode.
 */
export function complete(line: string, nodes: readonly number[], held: readonly string[] = []): Completion {
  const { words, partial, open } = splitWords(line);
  const none = { text: line, choices: [] };
  if (open) return none;
  const current = partial ? words.at(-1)! : '';
  const before = partial ? words.slice(0, -1) : words;
  let candidates: string[];
  // In a partition group ("1,2,") only the id after the last comma is completed.
  let part = current;
  if (before.length === 0) candidates = NAMES;
  else {
    const found = resolve(before);
    if (found === undefined) return none;
    const { spec, depth } = found;
    const options = optionsOf(spec);
    const previous = before.at(-1)!;
    const typed = new Set(before.slice(depth).flatMap((w) => w.split(',')));
    const choices = argumentWords(
      spec,
      before.slice(depth),
      held.filter((id) => !typed.has(id)),
    );
    if (spec.subcommands !== undefined && before.length === depth) candidates = spec.subcommands.map((c) => c.name);
    else if (current.startsWith('-')) candidates = options.names.filter((n) => !before.includes(n));
    else if (options.nodeValued.includes(previous)) candidates = nodes.map(String);
    else if (options.valued.includes(previous)) return none;
    else if (choices === null) {
      part = current.slice(current.lastIndexOf(',') + 1);
      candidates = nodes.map(String).filter((id) => !typed.has(id) && !current.split(',').slice(0, -1).includes(id));
    } else candidates = choices;
  }
  const fitting = candidates.filter((c) => c.startsWith(part));
  if (fitting.length === 0) return none;
  const head = line.slice(0, line.length - part.length);
  if (fitting.length === 1) return { text: `${head}${fitting[0]!} `, choices: [] };
  return { text: `${head}${commonPrefix(fitting)}`, choices: fitting };
}
