/** Server-Sent Events on the wire, on Express and Fastify: the stream read raw with fetch. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PullWaiters } from '../lib/delivery/pull.waiters.js';
import { DuplexService } from '../lib/index.js';
import { HeldRequests } from '../lib/transports/http/held-requests.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { envelope, HttpPeer, type SseReader } from './support/http-peer.js';
import { PLATFORMS, startHttpApp } from './support/http-app.js';
import { type TestApp, until } from './support/test-app.js';

describe.each(PLATFORMS)('SSE on %s', (platform) => {
  let t: TestApp;
  let base: string;
  const readers: SseReader[] = [];
  const duplex = () => t.app.get(DuplexService);
  const held = () => t.app.get(HeldRequests);
  const open = async (peer: HttpPeer, query = '', headers: Record<string, string> = {}) => {
    const reader = await peer.sse(query, headers);
    readers.push(reader);
    return reader;
  };

  beforeEach(async () => {
    t = await startHttpApp(platform, fixtureModule({ protocols: ['sse', 'long-polling'], heartbeat: { intervalMs: 300, timeoutMs: 300 } }));
    base = `${t.httpUrl}/duplex`;
  });

  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    await t.app.close();
  });

  it('streams the answers to POSTed requests as events whose id is the seq', async () => {
    const peer = await HttpPeer.open(base, undefined, '?transport=sse');
    const stream = await open(peer);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await peer.post([envelope('c1', 'request', 'echo', { n: 1 }, { seq: 1 }), envelope('c2', 'request', 'echo', { n: 2 }, { seq: 2 })]);
    const first = await stream.next();
    const second = await stream.next();
    expect([first.id, second.id]).toEqual(['1', '2']);
    expect(first.envelope).toMatchObject({ seq: 1, type: 'response', reply_to: 'c1', data: { n: 1 }, session_id: peer.id });
    expect(second.envelope).toMatchObject({ seq: 2, reply_to: 'c2' });
  });

  it('a reconnect with Last-Event-ID gets exactly the messages it missed', async () => {
    const peer = await HttpPeer.open(base);
    const stream = await open(peer);
    for (let i = 1; i <= 3; i++) await duplex().send(peer.id, 'n', { i });
    for (let i = 1; i <= 3; i++) expect((await stream.next()).id).toBe(String(i));
    stream.close();
    await until(() => !held().holds(peer.id), 5000, 'the stream to be let go');
    for (let i = 4; i <= 6; i++) await duplex().send(peer.id, 'n', { i });
    // What an EventSource sends when it reconnects; the URL still carries the cursor it was opened with.
    const again = await open(peer, '&cursor=0', { 'last-event-id': '3' });
    for (let i = 4; i <= 6; i++) {
      const event = await again.next();
      expect([event.id, event.envelope?.data?.i]).toEqual([String(i), i]);
    }
    // Nothing else was missed: the next message event is the next message.
    await duplex().send(peer.id, 'n', { i: 7 });
    expect((await again.next()).id).toBe('7');
  });

  it('server heartbeats come on the stream without an id; idle streams get keep-alive comments', async () => {
    const peer = await HttpPeer.open(base);
    const stream = await open(peer);
    const beat = await stream.next('message', 5000);
    expect(beat.id).toBeUndefined();
    expect(beat.envelope).toMatchObject({ type: 'heartbeat', session_id: peer.id });
    expect(beat.envelope!.seq).toBeUndefined();
    expect((await stream.next('comment')).comment).toBe('open');
  });

  it('a newer stream of the session takes over: the older ends with event close, reason taken_over', async () => {
    const peer = await HttpPeer.open(base);
    const older = await open(peer);
    await until(() => held().holds(peer.id), 5000, 'the stream to be held');
    const newer = await open(peer);
    const close = await older.next('close');
    expect(JSON.parse(close.data!)).toMatchObject({ reason: 'taken_over' });
    await older.ended;
    await duplex().send(peer.id, 'n', { i: 1 });
    expect((await newer.next()).envelope).toMatchObject({ seq: 1 });
  });

  it('a stream aborted by the client leaves no held request and no waiter', async () => {
    const peer = await HttpPeer.open(base);
    const stream = await open(peer);
    const waiters = t.app.get(PullWaiters);
    await until(() => held().holds(peer.id) && waiters.count(peer.id) === 1, 5000, 'the stream to wait');
    stream.close();
    await until(() => !held().holds(peer.id) && waiters.count(peer.id) === 0, 5000, 'the stream to be let go');
  });

  it('the session ending ($bye) ends the stream with event close, reason session_ended', async () => {
    const peer = await HttpPeer.open(base);
    const stream = await open(peer);
    await until(() => held().holds(peer.id), 5000, 'the stream to be held');
    await peer.post(envelope('bye', 'request', '$bye'));
    const close = await stream.next('close');
    expect(JSON.parse(close.data!)).toMatchObject({ reason: 'session_ended', code: 'session_expired' });
  });

  it('app.close() ends open streams with event close, reason shutdown', async () => {
    const peer = await HttpPeer.open(base);
    const stream = await open(peer);
    await until(() => held().holds(peer.id), 5000, 'the stream to be held');
    const closing = t.app.close();
    const close = await stream.next('close');
    expect(JSON.parse(close.data!)).toMatchObject({ reason: 'shutdown' });
    await closing;
  });

  it('app.close() needs no forceCloseConnections: a held stream and a held poll are let go, and close returns', async () => {
    await t.app.close();
    t = await startHttpApp(platform, fixtureModule({ protocols: ['sse', 'long-polling'] }), undefined, false);
    base = `${t.httpUrl}/duplex`;
    const a = await HttpPeer.open(base);
    const b = await HttpPeer.open(base);
    const stream = await open(a);
    const polling = b.poll(0, 60_000);
    await until(() => held().holds(a.id) && held().holds(b.id), 5000, 'the stream and the poll to be held');
    const closing = t.app.close();
    expect(JSON.parse((await stream.next('close')).data!)).toMatchObject({ reason: 'shutdown' });
    expect((await polling).body).toEqual([]);
    await closing;
  });

  it('the stream proves the session: a wrong token is 410 with an error envelope, before any event', async () => {
    const peer = await HttpPeer.open(base);
    const url = `${base}/sse?session_id=${peer.id}&token=wrong`;
    const refused = await fetch(url);
    expect(refused.status).toBe(410);
    const text = await refused.text();
    expect(JSON.parse(text)).toMatchObject({ type: 'error', data: { code: 'session_expired' } });
    expect(text).not.toContain(peer.token);
    // Headers work too (a client that can set them keeps the token out of URLs).
    const withHeaders = await fetch(`${base}/sse`, { headers: peer.proof, signal: AbortSignal.timeout(5000) }).catch((err: unknown) => err);
    expect(withHeaders).toMatchObject({ status: 200 });
    await (withHeaders as Response).body?.cancel();
  });
});
