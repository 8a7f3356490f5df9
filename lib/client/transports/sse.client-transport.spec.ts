/**
 * The real DuplexClient over SSE against an in-memory server (test/support/fake-http-server.ts):
 * over an EventSource (a fake one, as a browser's) and over fetch (Node's path, with a real
 * streamed Response). No sleeps: waits are on events with deadlines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, withDeadline } from '../../../test/support/client-events.js';
import { FakeHttpServer, fakeHttpClients } from '../../../test/support/fake-http-server.js';
import { DuplexClient } from '../index.js';
import { FetchEventSource } from './fetch-event-source.js';
import type { EventSourceEventLike, FetchLike, FetchResponseLike } from './http-like.js';

const { setup, track, closeAll } = fakeHttpClients('sse');

afterEach(closeAll);

describe('SSE client transport', () => {
  it('opens the stream with the session, its token and the cursor, and hands over the welcome once it opened', async () => {
    const { server, client } = setup();
    server.autoOpenStreams = false;
    let connected = false;
    const outcome = client.connect().then((ok) => (connected = ok));
    await server.until(() => server.streams.length === 1, 'the stream');
    expect(server.of('POST /duplex/session')[0]!.query.get('transport')).toBe('sse');
    expect(Object.fromEntries(new URL(server.streams[0]!.url).searchParams)).toEqual({ session_id: 'session-1', token: 'token-1', cursor: '0' });
    expect(connected).toBe(false);
    server.openStream(server.streams[0]!);
    expect(await withDeadline(outcome, 'connect')).toBe(true);
    expect(client.transport).toBe('sse');
  });

  it('acks by POST: the stream cannot carry them', async () => {
    const { server, client } = setup();
    await client.connect();
    for (let i = 1; i <= 2; i++) server.push('notification', 'tick', { i });
    await server.until(() => server.session.outbox.length === 0, 'the server forgetting what was acked');
    expect(server.posted().filter((e) => e.type === 'ack').at(-1)).toMatchObject({ data: { seq: 2 }, session_id: 'session-1' });
  });

  it('stops when the server closes the stream as taken over, and resumes after a stream error', async () => {
    const { server, client } = setup({ reconnect: { baseMs: 1, maxMs: 5 } });
    const got: number[] = [];
    client.registerCallback('tick', (data) => void got.push(data.i as number));
    await client.connect();
    server.push('notification', 'tick', { i: 1 });
    const reconnected = nextEvent(client, 'reconnected');
    server.streams[0]!.emit('error');
    server.push('notification', 'tick', { i: 2 });
    expect(await reconnected).toEqual([{ resumed: true }]);
    await server.until(() => got.length === 2, 'both ticks');
    expect(got).toEqual([1, 2]);
    expect(new URL(server.streams[1]!.url).searchParams.get('cursor')).toBe('1');

    const disconnected = nextEvent(client, 'disconnected');
    server.streams[1]!.emit('close', JSON.stringify({ reason: 'taken_over' }));
    expect(await disconnected).toEqual([{ code: 4000, reason: 'taken_over' }]);
    expect(client.connected).toBe(false);
    expect(client.sessionId).toBeUndefined();
    expect(server.streams.every((s) => s.closed)).toBe(true);
  });

  it('counts a stream that fails before it opened as blocked, and moves on', async () => {
    const { server, client } = setup({ transports: ['sse', 'long-polling'] });
    server.autoOpenStreams = false;
    const failed = nextEvent(client, 'transport_failed');
    const outcome = client.connect();
    await server.until(() => server.streams.length === 1, 'the stream');
    server.streams[0]!.emit('error');
    expect((await failed)[0]).toMatchObject({ transport: 'sse', failure: 'blocked' });
    expect(await withDeadline(outcome, 'connect')).toBe(true);
    expect(client.transport).toBe('long-polling');
  });
});

/** A fetch answering the stream with `chunks`, one per read, then holding it open until aborted. */
function streamingFetch(status: number, contentType: string, chunks: string[]): FetchLike {
  return (_url, init) => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        init?.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
      },
    });
    return Promise.resolve(new Response(body, { status, headers: { 'content-type': contentType } }) as FetchResponseLike);
  };
}

function record(source: FetchEventSource): Promise<EventSourceEventLike[]> {
  const events: EventSourceEventLike[] = [];
  return new Promise((resolve) => {
    for (const type of ['open', 'message', 'close']) source.addEventListener(type, (event) => events.push(event));
    source.addEventListener('error', (event) => resolve([...events, event]));
    source.addEventListener('close', () => resolve(events));
  });
}

describe('FetchEventSource (no EventSource, as in Node 20)', () => {
  it('opens, dispatches events split across reads (comments ignored), and sends the session headers', async () => {
    let headers: Record<string, string> | undefined;
    const fetch: FetchLike = (url, init) => {
      headers = init?.headers;
      return streamingFetch(200, 'text/event-stream; charset=utf-8', [': ping\n\nid: 1\nda', 'ta: {"i":1}\n\nevent: close\ndata: {"reason":"normal"}\n\n'])(url, init);
    };
    const source = new FetchEventSource('http://h/duplex/sse', fetch, { 'x-duplex-session': 's' });
    const events = await withDeadline(record(source), 'the close event');
    source.close();
    expect(events).toEqual([{ type: 'open' }, { type: 'message', data: '{"i":1}' }, { type: 'close', data: '{"reason":"normal"}' }]);
    expect(headers).toEqual({ 'x-duplex-session': 's', accept: 'text/event-stream' });
  });

  it('reports the HTTP status of a refused stream, and the end of a stream, as errors', async () => {
    const refused = await withDeadline(record(new FetchEventSource('http://h/sse', streamingFetch(404, 'application/json', ['{}']))), 'the error');
    expect(refused).toEqual([{ type: 'error', status: 404, message: expect.stringContaining('HTTP 404') as string }]);
    const ended = (_url: string) =>
      Promise.resolve(new Response('data: x\n\n', { status: 200, headers: { 'content-type': 'text/event-stream' } }) as FetchResponseLike);
    const events = await withDeadline(record(new FetchEventSource('http://h/sse', ended)), 'the error');
    expect(events).toEqual([{ type: 'open' }, { type: 'message', data: 'x' }, { type: 'error', message: 'The event stream ended' }]);
  });

  it('carries a whole session when the client has no EventSource', async () => {
    const server = new FakeHttpServer();
    // The fake server has no streaming endpoint: serve its streams through FakeEventSource-backed fetch.
    const fetch: FetchLike = (url, init) => {
      if (!new URL(url).pathname.endsWith('/sse')) return server.fetch(url, init);
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          const stream = new server.EventSource(url);
          stream.addEventListener('message', (event) => controller.enqueue(encoder.encode(`event: message\ndata: ${String(event.data)}\n\n`)));
          init?.signal?.addEventListener('abort', () => {
            stream.close();
            controller.error(new DOMException('aborted', 'AbortError'));
          });
        },
      });
      return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }) as FetchResponseLike);
    };
    const client = new DuplexClient({ serverUrl: 'http://h', protocolType: 'sse', http: { fetch } });
    track(client);
    expect(await client.connect()).toBe(true);
    expect(await withDeadline(client.request('echo', { n: 1 }), 'the echo')).toEqual({ n: 1 });
  });
});
