// What the client commands (submit, put, get, del, cas) ask of the nodes, and their answer told two
// ways: a sentence for people and a JSON document for scripts. The CLI prints one of them; the
// dashboard shows the sentence on its result line. On an etcd cluster the same requests go through
// etcd's key-value API, and the answer tells what etcd gives: a revision, not a log index and term.
import type { RaftClient, WriteResult } from '../../client/index.js';
import type { ClusterModel } from '../model.js';
import type { Outcome, Placed } from '../outcome.js';
import { where, withClusterClient, type EtcdCredentials, type EtcdMembers } from '../request.js';

export type ClientRequest =
  | { op: 'submit'; text: string }
  | { op: 'put'; key: string; value: string }
  | { op: 'get'; key: string }
  | { op: 'del'; key: string }
  | { op: 'cas'; key: string; expected: string; value: string };

/** How a request is sent: to one node only (`via`), or to the leader with redirects and retries, within `timeoutMs`. */
export interface RequestOptions {
  via?: number | undefined;
  timeoutMs: number;
}

/**
 * The answer: `ok` false when the request was carried out but did not do what was asked (a cas that
 * found another value); `outcome`, the same facts as fields, for a viewer that words them in another language.
 */
export interface ClientOutcome {
  ok: boolean;
  human: string;
  json: Record<string, unknown>;
  outcome?: Outcome;
}

/** Whether the request writes an entry or reads (a read is explained differently when it fails). */
export function requestKind(r: ClientRequest): 'write' | 'read' {
  return r.op === 'get' ? 'read' : 'write';
}

function placed(w: WriteResult): Record<string, unknown> {
  return { index: w.index, term: w.term, leader: w.leader.id, leaderAddress: w.leader.address };
}

function at(w: WriteResult): Placed {
  return { index: w.index, term: w.term, leader: w.leader.id === null ? w.leader.address : `n${w.leader.id}` };
}

const quote = (s: string): string => JSON.stringify(s);

/** Sends the request with `client` and tells its answer. */
export async function answer(client: RaftClient, r: ClientRequest, o: RequestOptions): Promise<ClientOutcome> {
  switch (r.op) {
    case 'submit': {
      const w = await client.submit(r.text, o);
      return {
        ok: true,
        human: `committed ${quote(r.text)} ${where(w)}`,
        json: { op: 'submit', text: r.text, ...placed(w) },
        outcome: { code: 'submitted', entry: r.text, at: at(w) },
      };
    }
    case 'put': {
      const w = await client.put(r.key, r.value, o);
      const before = w.result.previous === null ? 'a new key' : `was ${quote(w.result.previous)}`;
      return {
        ok: true,
        human: `${r.key} = ${quote(r.value)} (${before}), committed ${where(w)}`,
        json: { op: 'put', key: r.key, value: r.value, previous: w.result.previous, ...placed(w) },
        outcome: { code: 'put', key: r.key, value: r.value, previous: w.result.previous, at: at(w) },
      };
    }
    case 'get': {
      const g = await client.get(r.key, o);
      const human =
        g.value === null
          ? `${r.key} is not set (read at commit index ${g.index})`
          : `${r.key} = ${quote(g.value)} (read at commit index ${g.index})`;
      return {
        ok: true,
        human,
        json: { key: r.key, value: g.value, index: g.index },
        outcome: { code: 'read', key: r.key, value: g.value, index: g.index },
      };
    }
    case 'del': {
      const w = await client.delete(r.key, o);
      const human = w.result.existed
        ? `deleted ${r.key}, committed ${where(w)}`
        : `${r.key} was not set: nothing deleted (committed ${where(w)})`;
      return {
        ok: true,
        human,
        json: { op: 'delete', key: r.key, existed: w.result.existed, ...placed(w) },
        outcome: { code: 'deleted', key: r.key, existed: w.result.existed, at: at(w) },
      };
    }
    case 'cas': {
      const w = await client.cas(r.key, r.expected, r.value, o);
      const json = {
        op: 'cas',
        key: r.key,
        expected: r.expected,
        value: r.value,
        swapped: w.result.swapped,
        current: w.result.swapped ? r.value : w.result.current,
        ...placed(w),
      };
      const outcome: Outcome = {
        code: 'cas',
        key: r.key,
        expected: r.expected,
        value: r.value,
        swapped: w.result.swapped,
        current: w.result.swapped ? r.value : w.result.current,
        at: at(w),
      };
      if (w.result.swapped)
        return { ok: true, human: `${r.key}: ${quote(r.expected)} -> ${quote(r.value)}, committed ${where(w)}`, json, outcome };
      const holds = w.result.current === null ? 'is not set' : `holds ${quote(w.result.current)}`;
      return {
        ok: false,
        human: `${r.key} ${holds}, not ${quote(r.expected)}: nothing changed (the compare committed ${where(w)})`,
        json,
        outcome,
      };
    }
  }
}

/** Sends the request to the cluster's nodes, with whichever client its engine needs (request.ts), and tells the answer. */
export function sendRequest(
  model: ClusterModel,
  r: ClientRequest,
  o: RequestOptions,
  secretFile?: string,
  credentials?: EtcdCredentials,
): Promise<ClientOutcome> {
  return withClusterClient(
    model,
    o.timeoutMs,
    requestKind(r),
    { raft: (client) => answer(client, r, o), etcd: (members) => answerEtcd(members, r, o) },
    secretFile,
    credentials,
  );
}

/**
 * The key `submit` writes on an etcd cluster: etcd has no bare log entries, but every put is one
 * entry of its Raft log, so a submitted text is put here (each submit replaces the last).
 */
export const ETCD_SUBMIT_KEY = 'raft-console/submit';

/** Sends the request to an etcd cluster's members and tells its answer: the revision it committed at and the member that answered. */
async function answerEtcd(members: EtcdMembers, r: ClientRequest, o: RequestOptions): Promise<ClientOutcome> {
  const g = members.gateway;
  const only = o.via === undefined ? undefined : members.urlOf(o.via);
  const by = (from: string): string => `answered by ${members.nameOf(from)}`;
  const member = (from: string): Record<string, unknown> => ({ engine: 'etcd', member: members.nameOf(from) });
  switch (r.op) {
    case 'submit': {
      const { answer: w, from } = await members.call((e) => g.put(ETCD_SUBMIT_KEY, r.text, e), only);
      return {
        ok: true,
        human: `committed ${quote(r.text)} as a put of ${ETCD_SUBMIT_KEY} at revision ${w.revision} (${by(from)})`,
        json: { op: 'submit', text: r.text, key: ETCD_SUBMIT_KEY, revision: w.revision, ...member(from) },
      };
    }
    case 'put': {
      const { answer: w, from } = await members.call((e) => g.put(r.key, r.value, e), only);
      return {
        ok: true,
        human: `${r.key} = ${quote(r.value)}, committed at revision ${w.revision} (${by(from)})`,
        json: { op: 'put', key: r.key, value: r.value, revision: w.revision, ...member(from) },
      };
    }
    case 'get': {
      const { answer: v, from } = await members.call((e) => g.get(r.key, { endpoint: e }), only);
      const human =
        v.value === null
          ? `${r.key} is not set (read at revision ${v.revision}, ${by(from)})`
          : `${r.key} = ${quote(v.value)} (read at revision ${v.revision}, ${by(from)})`;
      return { ok: true, human, json: { key: r.key, value: v.value, revision: v.revision, ...member(from) } };
    }
    case 'del': {
      const { answer: d, from } = await members.call((e) => g.del(r.key, e), only);
      const existed = d.deleted > 0;
      return {
        ok: true,
        human: existed ? `deleted ${r.key} (${by(from)})` : `${r.key} was not set: nothing deleted (${by(from)})`,
        json: { op: 'delete', key: r.key, existed, ...member(from) },
      };
    }
    case 'cas': {
      const { answer: c, from } = await members.call((e) => g.cas(r.key, r.expected, r.value, e), only);
      const json = { op: 'cas', key: r.key, expected: r.expected, value: r.value, swapped: c.swapped, current: c.current, ...member(from) };
      if (c.swapped) return { ok: true, human: `${r.key}: ${quote(r.expected)} -> ${quote(r.value)}, committed (${by(from)})`, json };
      const holds = c.current === null ? 'is not set' : `holds ${quote(c.current)}`;
      return { ok: false, human: `${r.key} ${holds}, not ${quote(r.expected)}: nothing changed (${by(from)})`, json };
    }
  }
}
