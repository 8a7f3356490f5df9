/**
 * What both HTTP transports must do alike, with the real DuplexClient against the in-memory server
 * (test/support/fake-http-server.ts): a request and its answer, a server notification, and a
 * server request answered by a callback, whose answer goes up by POST.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { withDeadline } from '../../../test/support/client-events.js';
import { fakeHttpClients } from '../../../test/support/fake-http-server.js';

describe.each(['sse', 'long-polling'] as const)('%s client transport', (protocolType) => {
  const { setup, closeAll } = fakeHttpClients(protocolType);
  afterEach(closeAll);

  it('carries a request and its answer, a server notification, and a server request answered by a callback', async () => {
    const { server, client } = setup();
    const ticks: unknown[] = [];
    client.registerCallback('tick', (data) => void ticks.push(data.i));
    client.registerCallback('confirm', (data) => ({ sure: data.q }));
    await client.connect();
    expect(client.transport).toBe(protocolType);
    expect(await withDeadline(client.request('echo', { text: 'hi' }), 'the echo')).toEqual({ text: 'hi' });
    server.push('notification', 'tick', { i: 1 });
    server.push('request', 'confirm', { q: 'yes?' });
    await server.until(() => server.received.some((e) => e.type === 'response'), 'the answer to the server request');
    expect(ticks).toEqual([1]);
    expect(server.received.find((e) => e.type === 'response')).toMatchObject({ data: { sure: 'yes?' }, reply_to: 's-3', session_id: 'session-1' });
  });
});
