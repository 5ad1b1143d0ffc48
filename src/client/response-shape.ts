// Checks a node's answer before the client hands it on: a response whose fields are missing or
// mistyped (a node of another build, a stray process on the port) becomes a `bad-response` error
// naming the field, instead of an `undefined` surfacing far away in a dashboard. Extra fields are
// allowed, so a newer node can add some without breaking older clients.
import type { ClientResponse } from '../node/client-protocol.js';
import { array, boolean, fail, isObject, nodeId, string, uint, validate, type JsonObject, type Validation } from '../schema/json-shape.js';
import type { RequestBody } from './node-connection.js';

export function readResponse(value: unknown, type: RequestBody['type']): Validation<ClientResponse> {
  return validate(() => read(value, type));
}

function read(value: unknown, type: RequestBody['type']): ClientResponse {
  const o = objectAt(value, 'the response');
  uint(o, 'id');
  if (!boolean(o, 'ok')) {
    const error = objectAt(o.error, 'error');
    string(error, 'code', 'error');
    string(error, 'message', 'error');
    if (o.leader !== undefined && o.leader !== null) {
      const leader = objectAt(o.leader, 'leader');
      nodeId(leader, 'id', 'leader');
      if (leader.address !== null) string(leader, 'address', 'leader');
    }
    return value as ClientResponse;
  }
  switch (type) {
    case 'submit':
    case 'put':
    case 'delete':
    case 'cas': {
      uint(o, 'index');
      uint(o, 'term');
      const result = objectAt(o.result, 'result');
      if (result.ok !== true) fail(`result.ok must be true on a successful write, got ${String(result.ok)}`);
      string(result, 'op', 'result');
      break;
    }
    case 'get':
      uint(o, 'index');
      if (o.value !== null) string(o, 'value');
      break;
    case 'status': {
      const status = objectAt(o.status, 'status');
      for (const key of ['id', 'term', 'leader', 'commit', 'lastIndex']) uint(status, key, 'status');
      string(status, 'role', 'status');
      break;
    }
    case 'log':
      uint(o, 'firstIndex');
      uint(o, 'commit');
      for (const entry of array(o, 'entries')) {
        const e = objectAt(entry, 'entries[]');
        uint(e, 'index', 'entries[]');
        uint(e, 'term', 'entries[]');
        string(e, 'type', 'entries[]');
      }
      break;
  }
  return value as ClientResponse;
}

function objectAt(value: unknown, what: string): JsonObject {
  if (!isObject(value)) fail(`${what} must be a JSON object`);
  return value;
}
