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

  it('completes option names and the words an argument takes, and nothing after an option that takes a value', () => {
    expect(complete('link 1 2 --d', nodes)).toEqual({ text: 'link 1 2 --d', choices: ['--drop', '--delay'] });
    expect(complete('link 1 2 --o', nodes)).toEqual({ text: 'link 1 2 --one-way ', choices: [] });
    expect(complete('speed f', nodes)).toEqual({ text: 'speed fast ', choices: [] });
    expect(complete('link 1 2 --drop ', nodes)).toEqual({ text: 'link 1 2 --drop ', choices: [] });
    expect(complete('put ', nodes)).toEqual({ text: 'put ', choices: [] });
  });
});
