// Every transport event has a sentence for the node's log and the dashboard.
import { describe, expect, it } from 'vitest';
import { describeTransportEvent, type TransportEvent } from '../../src/transport/events.js';

describe('describeTransportEvent', () => {
  const cases: [TransportEvent, string][] = [
    [{ type: 'listening', host: '127.0.0.1', port: 7001 }, 'listening on 127.0.0.1:7001'],
    [{ type: 'peer-connected', peer: 2, direction: 'out' }, 'connected to n2'],
    [{ type: 'peer-connected', peer: 2, direction: 'in' }, 'n2 connected'],
    [
      { type: 'peer-disconnected', peer: 2, direction: 'out', reason: 'closed by the other side', retryInMs: 40 },
      'lost the connection to n2: closed by the other side; reconnecting in 40 ms',
    ],
    [
      { type: 'peer-disconnected', peer: 2, direction: 'in', reason: 'closed by the other side', retryInMs: null },
      "n2's connection closed: closed by the other side",
    ],
    [
      { type: 'connect-failed', peer: 3, attempt: 4, reason: 'connect ECONNREFUSED 127.0.0.1:7003', retryInMs: 600 },
      'cannot reach n3 (attempt 4): connect ECONNREFUSED 127.0.0.1:7003; retrying in 600 ms',
    ],
    [
      {
        type: 'connection-rejected',
        direction: 'in',
        remote: '127.0.0.1:50123',
        peer: null,
        code: 'wrong-cluster',
        reason: 'this node belongs to cluster "a", the hello from n4 says "b"',
      },
      'refused the connection from 127.0.0.1:50123: wrong-cluster: this node belongs to cluster "a", the hello from n4 says "b"',
    ],
    [
      {
        type: 'connection-rejected',
        direction: 'out',
        remote: '127.0.0.1:7002',
        peer: 2,
        code: 'wrong-node',
        reason: 'dialed n2, but n3 answered',
      },
      'closed the connection to n2 at 127.0.0.1:7002: wrong-node: dialed n2, but n3 answered',
    ],
    [{ type: 'queue-overflow', peer: 2 }, 'the send queue to n2 is full: dropping its oldest messages (is n2 slow or stopped?)'],
    [
      { type: 'message-too-large', peer: 2, message: 'snapshot', bytes: 9_000_000, limit: 8_388_608 },
      'not sent: a snapshot message to n2 is 9000000 bytes, over the 8388608-byte frame limit',
    ],
    [
      { type: 'client-connected', client: 3, clientId: 42, remote: '127.0.0.1:50999' },
      'client 42 connected from 127.0.0.1:50999 (connection 3)',
    ],
    [
      { type: 'client-disconnected', client: 3, reason: 'closed by the other side' },
      'client connection 3 closed: closed by the other side',
    ],
    [{ type: 'server-error', reason: 'accept EMFILE' }, 'the listening socket reported an error: accept EMFILE'],
  ];

  it.each(cases)('%j', (event, sentence) => {
    expect(describeTransportEvent(event)).toBe(sentence);
  });
});
