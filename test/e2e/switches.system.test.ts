// The core's switches on the node's command line: --no-pre-vote, --no-check-quorum and --bug reach
// the core and are reported in the node's "started" line; an unknown bug is a one-line usage error.
import { describe, expect, it } from 'vitest';
import { parseBugs, UsageError } from '../../src/node/options.js';
import { secretFile, tempDir } from './cluster.js';
import { NodeProcess, checkBuild } from './node-process.js';

/** A one-node cluster at a fast tick: it elects itself within a few tens of milliseconds. */
async function single(...flags: string[]): Promise<NodeProcess> {
  await checkBuild();
  return NodeProcess.spawn([
    ...[
      '--id',
      '1',
      '--cluster-id',
      'switches',
      '--secret-file',
      await secretFile(),
      '--data-dir',
      await tempDir(),
      '--listen',
      '127.0.0.1:0',
    ],
    ...['--tick', '2', '--election-timeout', '30-60', '--heartbeat', '10'],
    ...flags,
  ]);
}

const becomes = (node: NodeProcess) => node.events.filter((e) => e.type === 'role-change').map((e) => e.to);

describe("raft-console node takes the core's switches", () => {
  it('by default it reports them on and runs a pre-vote round before it campaigns', async () => {
    const node = await single();
    const started = await node.waitFor('started', (e) => e.type === 'started');
    expect(started.switches).toEqual({ preVote: true, checkQuorum: true, bugs: [] });
    expect(started.text).not.toContain('BUG');
    await node.waitFor('leadership', (e) => e.type === 'role-change' && e.to === 'leader');
    expect(becomes(node)).toEqual(['pre-candidate', 'candidate', 'leader']);
  });

  it('with --no-pre-vote it campaigns at once, and says so when it starts', async () => {
    const node = await single('--no-pre-vote');
    const started = await node.waitFor('started', (e) => e.type === 'started');
    expect(started.switches).toEqual({ preVote: false, checkQuorum: true, bugs: [] });
    expect(started.text).toContain('; PreVote off');
    await node.waitFor('leadership', (e) => e.type === 'role-change' && e.to === 'leader');
    expect(becomes(node)).toEqual(['candidate', 'leader']);
  });

  it('--no-check-quorum and each --bug are reported, a bug loudly', async () => {
    const node = await single(
      '--no-check-quorum',
      '--bug',
      'commit-previous-term',
      '--bug',
      'vote-not-persisted',
      '--bug',
      'commit-previous-term',
    );
    const started = await node.waitFor('started', (e) => e.type === 'started');
    expect(started.switches).toEqual({ preVote: true, checkQuorum: false, bugs: ['commit-previous-term', 'vote-not-persisted'] });
    expect(started.text).toContain('; CheckQuorum off');
    expect(started.text).toContain(
      '!!! KNOWN BUG ON: commit-previous-term: this node commits entries of earlier terms by counting replicas (Figure 8) !!!',
    );
    expect(started.text).toContain('!!! KNOWN BUG ON: vote-not-persisted');
  });

  it('an unknown bug is a usage error (exit 2) listing the known ones, on one line', async () => {
    const node = await single('--bug', 'off-by-one');
    const { code } = await node.ended();
    expect(code).toBe(2);
    expect(node.stderr).toBe(
      'raft-console node: --bug must be one of commit-previous-term, vote-without-log-check, vote-not-persisted, read-without-quorum, conf-change-before-term-commit, skip-noop, got "off-by-one"\n',
    );
    expect(node.events).toEqual([]);
  });

  it('bug names parse to each bug once, in the order given', () => {
    expect(parseBugs([])).toEqual([]);
    expect(parseBugs(['vote-not-persisted', 'vote-without-log-check', 'vote-not-persisted'])).toEqual([
      'vote-not-persisted',
      'vote-without-log-check',
    ]);
    expect(() => parseBugs(['Commit-Previous-Term'])).toThrow(UsageError);
  });
});
