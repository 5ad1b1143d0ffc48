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

/** The command as commander knows it, on a program whose errors are thrown and whose output is kept. */
function commanderCommand(spec: CommandSpec, onRequest: (r: ClusterRequest) => void): Command {
  const program = new Command('')
    .exitOverride()
    .helpCommand(false)
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined });
  const cmd = spec.grammar(program.command(spec.name).description(spec.description));
  cmd.action(() => onRequest(spec.request(cmd.processedArgs, cmd.opts())));
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
  const made: { request?: ClusterRequest } = {};
  const program = commanderCommand(spec, (r) => {
    made.request = r;
  });
  try {
    program.parse(words, { from: 'user' });
  } catch (err) {
    if (err instanceof UsageError) return { ok: false, text: err.message };
    if (!(err instanceof CommanderError)) throw err;
    const cmd = program.commands[0]!;
    if (err.code === 'commander.helpDisplayed') return { ok: false, text: `${name} ${cmd.usage()}: ${spec.description}` };
    return { ok: false, text: `${err.message.replace(/^error: /, '')} (${name} ${cmd.usage()})` };
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

/** Completes the word being typed at the end of `line`; `nodes` are the cluster's members. */
export function complete(line: string, nodes: readonly number[]): Completion {
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
    const spec = specOf(before[0]);
    if (spec === undefined) return none;
    const options = optionsOf(spec);
    const previous = before.at(-1)!;
    const typed = new Set(before.slice(1).flatMap((w) => w.split(',')));
    const freeNodes = nodes.map(String).filter((id) => !typed.has(id));
    if (current.startsWith('-')) candidates = options.names.filter((n) => !before.includes(n));
    else if (options.nodeValued.includes(previous)) candidates = nodes.map(String);
    else if (options.valued.includes(previous)) return none;
    else if (spec.completes === 'nodes') {
      part = current.slice(current.lastIndexOf(',') + 1);
      candidates = freeNodes.filter((id) => !current.split(',').slice(0, -1).includes(id));
    } else candidates = spec.completes === null ? [] : [...spec.completes];
  }
  const fitting = candidates.filter((c) => c.startsWith(part));
  if (fitting.length === 0) return none;
  const head = line.slice(0, line.length - part.length);
  if (fitting.length === 1) return { text: `${head}${fitting[0]!} `, choices: [] };
  return { text: `${head}${commonPrefix(fitting)}`, choices: fitting };
}
