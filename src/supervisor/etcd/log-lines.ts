// PLACEHOLDER until src/etcd/log-events.ts (branch etcdlog) lands: the few etcd log lines the
// engine needs read now (elections, votes, a fatal start-up error). Replaced by that module's
// reader on merge; its shape is the one expected of it.
import type { NodeId, Role } from '../../raft/types.js';
import { parseUntrustedJson } from '../../schema/untrusted-json.js';
import { isObject } from '../../schema/json-shape.js';

export type EtcdLogReading =
  | { kind: 'event'; event: { ts: number; kind: string; type: string; text: string; data: Record<string, unknown> } }
  | { kind: 'vote'; term: number; vote: NodeId }
  | { kind: 'role'; role: Role; term: number }
  | { kind: 'fatal'; code: string; reason: string }
  | null;

export function readEtcdLogLine(line: string, idOf: (hex: string) => NodeId | null): EtcdLogReading {
  const parsed = parseUntrustedJson(line, 'an etcd log line');
  if (!parsed.ok || !isObject(parsed.value)) return null;
  const o = parsed.value;
  const msg = typeof o.msg === 'string' ? o.msg : '';
  const ts = typeof o.ts === 'string' ? Date.parse(o.ts) || Date.now() : Date.now();
  if (o.level === 'fatal' || o.level === 'panic')
    return { kind: 'fatal', code: 'etcd', reason: typeof o.error === 'string' ? `${msg}: ${o.error}` : msg };
  const name = (hex: string): string => {
    const id = idOf(hex);
    return id === null ? hex : `n${id}`;
  };
  let m = /^raft\.node: ([0-9a-f]+) elected leader ([0-9a-f]+) at term (\d+)$/.exec(msg);
  if (m !== null) {
    const leader = idOf(m[2]!);
    const term = Number(m[3]);
    if (m[1] !== m[2] || leader === null) return null;
    return {
      kind: 'event',
      event: { ts, kind: 'raft', type: 'election-won', text: `${name(m[2]!)} won the election of term ${term}`, data: { term } },
    };
  }
  m = /^([0-9a-f]+) became (candidate|pre-candidate|follower|leader) at term (\d+)$/.exec(msg);
  if (m !== null) return { kind: 'role', role: m[2] as Role, term: Number(m[3]) };
  m =
    /^[0-9a-f]+ \[logterm: \d+, index: \d+, vote: [0-9a-f]+\] cast MsgVote for ([0-9a-f]+) \[logterm: \d+, index: \d+\] at term (\d+)$/.exec(
      msg,
    );
  if (m !== null) {
    const vote = idOf(m[1]!);
    return vote === null ? null : { kind: 'vote', term: Number(m[2]), vote };
  }
  return null;
}
