// identity.json: which cluster and which node a data directory belongs to, and the storage format
// it is written in. Written once, when the directory is first opened; checked at every later open,
// so a node started with another node's --data-dir refuses to run instead of adopting a stranger's
// log and votes (which would break Raft's safety as surely as a lost vote does).
import type { NodeId } from '../raft/types.js';
import { fail, field, isNodeId, isObject } from '../schema/json-shape.js';
import type { DurableDir } from './durable-dir.js';
import { DataDirError, replaceAdvice } from './errors.js';
import { readJsonOrNull, writeJsonAtomic } from './json-file.js';

const IDENTITY_FILE = 'identity.json';

/** The version of everything on disk: identity, log segments, snapshot. Bump on any change. */
const FORMAT_VERSION = 1;

/** Names the file's purpose to anyone who opens it by hand. */
const FORMAT_NAME = 'raft-console data directory';

export interface Identity {
  clusterId: string;
  nodeId: NodeId;
}

interface IdentityFile extends Identity {
  format: string;
  version: number;
}

/**
 * identity.json as this build reads it. The version is checked before the other fields: a later
 * version may lay them out differently.
 */
function readIdentityFile(dir: DurableDir): (value: unknown) => IdentityFile {
  return (value) => {
    const f = isObject(value) ? value : {};
    if (field(f, 'format') !== FORMAT_NAME) fail(`not a ${FORMAT_NAME} identity`);
    const version = field(f, 'version');
    if (typeof version !== 'number') fail('no format version');
    if (version !== FORMAT_VERSION)
      throw new DataDirError(
        'unsupported-format',
        `data directory ${dir.path} is in storage format version ${version}, this raft-console reads version ${FORMAT_VERSION}: use a matching raft-console or another --data-dir`,
      );
    const clusterId = field(f, 'clusterId');
    const nodeId = field(f, 'nodeId');
    if (typeof clusterId !== 'string' || !isNodeId(nodeId)) fail('no cluster id or node id');
    return { format: FORMAT_NAME, version, clusterId, nodeId };
  };
}

/** The identity recorded in the directory, or null when there is none yet. */
function readIdentity(dir: DurableDir): IdentityFile | null {
  const path = dir.file(IDENTITY_FILE);
  return readJsonOrNull(
    path,
    readIdentityFile(dir),
    (d) =>
      new DataDirError(
        'corrupt',
        `identity file ${path} is corrupt (${d.code === 'not-json' ? 'not valid JSON' : d.problem}): ${replaceAdvice(dir.path)}`,
      ),
  );
}

/**
 * Checks that the directory belongs to `expected`, or records that it does when it has no identity
 * yet. `isEmpty` says whether the directory holds anything else: an identity is only ever given to
 * an empty directory, so that pointing --data-dir at the wrong place (a home directory, another
 * program's data) fails instead of scattering log files there. Returns true when the directory was
 * new and has just been given its identity.
 */
export async function claimIdentity(dir: DurableDir, expected: Identity, isEmpty: boolean): Promise<boolean> {
  const found = readIdentity(dir);
  if (found === null) {
    if (!isEmpty)
      throw new DataDirError(
        'not-a-data-dir',
        `data directory ${dir.path} is not empty and has no ${IDENTITY_FILE}, so it is not a raft-console data directory: use another --data-dir`,
      );
    const file: IdentityFile = { format: FORMAT_NAME, version: FORMAT_VERSION, ...expected };
    await writeJsonAtomic(dir.file(IDENTITY_FILE), file, { fsync: dir.fsync });
    return true;
  }
  if (found.clusterId !== expected.clusterId)
    throw new DataDirError(
      'wrong-identity',
      `data directory ${dir.path} belongs to cluster ${found.clusterId}, not ${expected.clusterId}: use another --data-dir or delete it`,
    );
  if (found.nodeId !== expected.nodeId)
    throw new DataDirError(
      'wrong-identity',
      `data directory ${dir.path} belongs to node ${found.nodeId} of cluster ${found.clusterId}, not node ${expected.nodeId}: use another --data-dir or delete it`,
    );
  return false;
}
