// The `:` command line reads a line with the CLI's own grammar, and Tab completes what it can.
import { describe, expect, it } from 'vitest';
import { complete, parseCommandLine, splitWords } from '../../src/tui/command-line.js';

describe('a typed line', () => {
  it('splits into words as a shell would: quotes group, a backslash escapes', () => {
    expect(splitWords(`submit "hello world" it\\'s 'a "b"'`)).toEqual({
      words: ['submit', 'hello world', "it's", 'a "b"'],
      partial: true,
      open: false,
    });
    expect(splitWords('kill ')).toEqual({ words: ['kill'], partial: false, open: false });
    expect(splitWords('put k "v')).toMatchObject({ open: true });
  });
});

describe('parsing a command line', () => {
  it('makes the action or the client request the same command makes on the CLI', () => {
    expect(parseCommandLine('kill 2 n3')).toEqual({ ok: true, request: { type: 'action', action: { op: 'kill', nodes: [2, 3] } } });
    expect(parseCommandLine('partition 1,2 3,4,5')).toEqual({
      ok: true,
      request: {
        type: 'action',
        action: {
          op: 'partition',
          groups: [
            [1, 2],
            [3, 4, 5],
          ],
        },
      },
    });
    expect(parseCommandLine('link 1 2 --drop 30% --delay 2s')).toEqual({
      ok: true,
      request: { type: 'action', action: { op: 'link', from: 1, to: 2, drop: 0.3, delayMs: 2000 } },
    });
    expect(parseCommandLine('add')).toEqual({ ok: true, request: { type: 'action', action: { op: 'add' } } });
    expect(parseCommandLine('add --learner')).toEqual({ ok: true, request: { type: 'action', action: { op: 'add', learner: true } } });
    expect(parseCommandLine('promote 6')).toEqual({ ok: true, request: { type: 'action', action: { op: 'promote', node: 6 } } });
    expect(parseCommandLine('speed slow')).toEqual({ ok: true, request: { type: 'action', action: { op: 'speed', preset: 'slow' } } });
    expect(parseCommandLine("cas k 'old value' new --timeout 2s")).toEqual({
      ok: true,
      request: { type: 'client', request: { op: 'cas', key: 'k', expected: 'old value', value: 'new' }, via: undefined, timeoutMs: 2000 },
    });
  });

  it("says what is wrong in the parsers' own words, with the command's usage", () => {
    expect(parseCommandLine('kill')).toEqual({ ok: false, text: "missing required argument 'id' (kill [options] <id...>)" });
    expect(parseCommandLine('link 1 2 --drop 2')).toMatchObject({
      ok: false,
      text: expect.stringContaining('--drop must be a probability from 0 to 1 or a percentage, got "2"') as unknown,
    });
    expect(parseCommandLine('link 1 2')).toEqual({
      ok: false,
      text: 'say what to do to the link: --drop P (1 cuts it), --delay MS, or both; `raft-console heal` removes every fault',
    });
    expect(parseCommandLine('heal now')).toMatchObject({ ok: false, text: expect.stringContaining('too many arguments') as unknown });
    expect(parseCommandLine('kill --name other 2')).toMatchObject({
      ok: false,
      text: expect.stringContaining("unknown option '--name'") as unknown,
    });
    expect(parseCommandLine('put k "v')).toEqual({ ok: false, text: 'a quote is not closed' });
  });

  it('refuses the commands that do not act on the running cluster, in one line', () => {
    for (const word of ['up', 'check', 'sim', 'exercise', 'dashboard', 'down', 'help']) {
      const parsed = parseCommandLine(`${word} 3`);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok)
        expect(parsed.text).toMatch(new RegExp(`^"${word}" is not a command for the running cluster .*raft-console ${word}$`));
    }
  });

  it("parses step mode's commands in the words of `raft-console step`, into the same actions", () => {
    const action = (line: string): unknown => {
      const parsed = parseCommandLine(line);
      return parsed.ok && parsed.request.type === 'action' ? parsed.request.action : parsed;
    };
    expect(action('step on')).toEqual({ op: 'step', on: true });
    expect(action('step off')).toEqual({ op: 'step', on: false });
    expect(action('step deliver 1.4 2.3')).toEqual({ op: 'deliver', ids: ['1.4', '2.3'] });
    expect(action('step deliver --due')).toEqual({ op: 'deliver', ids: 'due' });
    expect(action('step drop 3.1')).toEqual({ op: 'drop', ids: ['3.1'] });
    expect(action('step fire n2 election')).toEqual({ op: 'fire', node: 2, timer: 'election' });
    expect(action('step fire 1 heartbeat')).toEqual({ op: 'fire', node: 1, timer: 'heartbeat' });
    expect(action('step advance')).toEqual({ op: 'advance' });
    expect(action('step advance 5')).toEqual({ op: 'advance', ticks: 5 });
  });

  it("refuses a bad step command in one line with the fix, and the subcommand's usage", () => {
    expect(parseCommandLine('step')).toEqual({ ok: false, text: 'say what to do in step mode: step on|off|deliver|drop|fire|advance' });
    expect(parseCommandLine('step deliver')).toEqual({
      ok: false,
      text: 'say which held messages to deliver: their ids (e.g. 1.4), or --due',
    });
    expect(parseCommandLine('step deliver 1.4 --due')).toEqual({ ok: false, text: 'give message ids or --due, not both' });
    expect(parseCommandLine('step deliver 1.4 x')).toMatchObject({
      ok: false,
      text: expect.stringMatching(
        /a held message's id is its sender and number, e\.g\. 1\.4, got "x" .*\(step deliver \[options\] \[ids\.\.\.\]\)$/,
      ) as unknown,
    });
    expect(parseCommandLine('step drop 1.4 1.4')).toMatchObject({
      ok: false,
      text: expect.stringContaining('1.4 is listed twice') as unknown,
    });
    expect(parseCommandLine('step drop')).toEqual({ ok: false, text: "missing required argument 'ids' (step drop [options] <ids...>)" });
    expect(parseCommandLine('step fire 2 vote')).toMatchObject({
      ok: false,
      text: expect.stringContaining('Allowed choices are election, heartbeat. (step fire [options] <node> <timer>)') as unknown,
    });
    expect(parseCommandLine('step advance 1001')).toMatchObject({
      ok: false,
      text: expect.stringContaining('ticks must be a whole number from 1 to 1000, got "1001"') as unknown,
    });
    expect(parseCommandLine('step on now')).toMatchObject({ ok: false, text: expect.stringContaining('too many arguments') as unknown });
    // `step list` reads the model: the step panel is the dashboard's.
    expect(parseCommandLine('step list')).toEqual({
      ok: false,
      text: '"step list" is not a command for the running cluster (step on off deliver drop fire advance); run other commands from a shell: raft-console step list',
    });
    expect(parseCommandLine('step fire --help')).toEqual({
      ok: false,
      text: "step fire [options] <node> <timer>: make a node's election timeout (or a leader's heartbeat timer) come due now: the node runs its own rule",
    });
  });

  it('answers --help with the usage and what the command does', () => {
    expect(parseCommandLine('isolate --help')).toEqual({ ok: false, text: 'isolate [options] <id>: cut one node off from all the others' });
  });
});

describe('Tab', () => {
  const nodes = [1, 2, 3, 11];

  it('completes a command name, or shows the names it could be', () => {
    expect(complete('iso', nodes)).toEqual({ text: 'isolate ', choices: [] });
    expect(complete('p', nodes)).toEqual({ text: 'p', choices: ['pause', 'partition', 'promote', 'put'] });
    expect(complete('re', nodes)).toEqual({ text: 're', choices: ['restart', 'replace', 'resume', 'remove'] });
    expect(complete('up', nodes)).toEqual({ text: 'up', choices: [] });
  });

  it("completes node ids, leaving out those already typed and those of the partition group's earlier ids", () => {
    expect(complete('kill ', nodes)).toEqual({ text: 'kill ', choices: ['1', '2', '3', '11'] });
    expect(complete('kill 1 2 ', nodes)).toEqual({ text: 'kill 1 2 ', choices: ['3', '11'] });
    expect(complete('kill 1', nodes)).toEqual({ text: 'kill 1', choices: ['1', '11'] });
    expect(complete('partition 1,2 3,1', nodes)).toEqual({ text: 'partition 1,2 3,11 ', choices: [] });
    expect(complete('put --via ', nodes)).toEqual({ text: 'put --via ', choices: ['1', '2', '3', '11'] });
  });

  it("completes step mode's subcommands, the held messages' ids, a node, then its timer", () => {
    const held = ['1.4', '2.3', '2.5'];
    expect(complete('st', nodes, held)).toEqual({ text: 'st', choices: ['stop', 'step'] });
    expect(complete('step ', nodes, held)).toEqual({ text: 'step ', choices: ['on', 'off', 'deliver', 'drop', 'fire', 'advance'] });
    expect(complete('step de', nodes, held)).toEqual({ text: 'step deliver ', choices: [] });
    expect(complete('step deliver ', nodes, held)).toEqual({ text: 'step deliver ', choices: held });
    expect(complete('step deliver 1.4 ', nodes, held)).toEqual({ text: 'step deliver 1.4 2.', choices: ['2.3', '2.5'] });
    expect(complete('step deliver --', nodes, held)).toEqual({ text: 'step deliver --due ', choices: [] });
    expect(complete('step fire ', nodes, held)).toEqual({ text: 'step fire ', choices: ['1', '2', '3', '11'] });
    expect(complete('step fire 2 ', nodes, held)).toEqual({ text: 'step fire 2 ', choices: ['election', 'heartbeat'] });
    expect(complete('step fire 2 h', nodes, held)).toEqual({ text: 'step fire 2 heartbeat ', choices: [] });
    expect(complete('step fire 2 election ', nodes, held)).toEqual({ text: 'step fire 2 election ', choices: [] });
    expect(complete('step advance ', nodes, held)).toEqual({ text: 'step advance ', choices: [] });
  });

  it('completes option names and the words an argument takes, and nothing after an option that takes a value', () => {
    expect(complete('link 1 2 --d', nodes)).toEqual({ text: 'link 1 2 --d', choices: ['--drop', '--delay'] });
    expect(complete('link 1 2 --o', nodes)).toEqual({ text: 'link 1 2 --one-way ', choices: [] });
    expect(complete('speed f', nodes)).toEqual({ text: 'speed fast ', choices: [] });
    expect(complete('link 1 2 --drop ', nodes)).toEqual({ text: 'link 1 2 --drop ', choices: [] });
    expect(complete('put ', nodes)).toEqual({ text: 'put ', choices: [] });
    // Past a command's last argument (one that takes no list), nothing.
    expect(complete('link 1 2 ', nodes)).toEqual({ text: 'link 1 2 ', choices: [] });
  });
});
