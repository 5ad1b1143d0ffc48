// A cluster's Raft switches on the supervisor's side: the node flags they become, their round trip
// through cluster.json (a file written before they existed reads as the defaults), and the sentence
// that says an existing cluster keeps its own.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { newClusterFile, readClusterFile, writeClusterFile } from '../../src/supervisor/cluster-file.js';
import { DEFAULT_SWITCHES, describeSwitches, keptSwitches, switchArgs } from '../../src/cluster-model/switches.js';
import { presetTiming } from '../../src/cluster-model/timing.js';
import type { RaftSwitches } from '../../src/cluster-model/model.js';

const buggy: RaftSwitches = { preVote: false, checkQuorum: true, bugs: ['vote-without-log-check', 'vote-not-persisted'] };

describe('Raft switches of a cluster', () => {
  test('become the node flags that change them, and nothing for the defaults', () => {
    expect(switchArgs(DEFAULT_SWITCHES)).toEqual([]);
    expect(switchArgs(buggy)).toEqual(['--no-pre-vote', '--bug', 'vote-without-log-check', '--bug', 'vote-not-persisted']);
    expect(switchArgs({ checkQuorum: false })).toEqual(['--no-check-quorum']);
  });

  test('are read back from cluster.json as written; an older file without them has the defaults', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'raft-console-switches-'));
    try {
      await writeClusterFile(folder, newClusterFile('demo', [7001, 7002, 7003], null, true, presetTiming('fast'), buggy, 10_000));
      expect((await readClusterFile(folder))!.switches).toEqual(buggy);

      const { switches: _switches, ...older } = JSON.parse(await readFile(join(folder, 'cluster.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(folder, 'cluster.json'), JSON.stringify(older));
      expect((await readClusterFile(folder))!.switches).toEqual(DEFAULT_SWITCHES);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('an existing cluster asked for other switches keeps its own, and the sentence names them', () => {
    expect(keptSwitches(undefined, buggy)).toBeNull();
    expect(keptSwitches({ preVote: false }, buggy)).toBeNull();
    expect(keptSwitches({ bugs: ['vote-not-persisted', 'vote-without-log-check'] }, buggy)).toBeNull();
    expect(keptSwitches({ bugs: ['vote-not-persisted'] }, buggy)).toBe(
      'it keeps the Raft switches it was created with (PreVote off, BUG vote-without-log-check ON, BUG vote-not-persisted ON): ' +
        'they apply to a new cluster only (`raft-console down --purge` deletes this one)',
    );
    expect(keptSwitches({ checkQuorum: false }, DEFAULT_SWITCHES)).toContain('(PreVote and CheckQuorum on, no known bug)');
    expect(describeSwitches({ ...DEFAULT_SWITCHES, checkQuorum: false })).toBe('CheckQuorum off');
  });
});
