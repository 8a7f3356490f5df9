/**
 * Long-polling on the wire, on Express and Fastify: raw HTTP (fetch) against a real app. The
 * session layer is not mocked: what is asserted is what a client sees, plus (for clean-up) that an
 * abandoned poll leaves nothing behind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PullWaiters } from '../lib/delivery/pull.waiters.js';
import { once } from 'node:events';
import { get as httpGet, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { DUPLEX_BROKER } from '../lib/duplex.constants.js';
import { type DuplexBroker, DuplexService, MemoryBroker } from '../lib/index.js';
import { HeldRequests } from '../lib/transports/http/held-requests.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import type { Frame } from './support/frame-queue.js';
import { envelope, getJson, HttpPeer, postJson, SseReader } from './support/http-peer.js';
import { PLATFORMS, startHttpApp } from './support/http-app.js';
import { type TestApp, until } from './support/test-app.js';

describe.each(PLATFORMS)('long-polling on %s', (platform) => {
  let t: TestApp;
  let base: string;
  const duplex = () => t.app.get(DuplexService);
  const held = () => t.app.get(HeldRequests);

  beforeEach(async () => {
    t = await startHttpApp(platform, fixtureModule({ protocols: ['websocket', 'sse', 'long-polling'], heartbeat: { intervalMs: 200, timeoutMs: 200 } }));
    base = `${t.httpUrl}/duplex`;
  });

  afterEach(async () => {
    await t.app.close();
  });

  it('negotiate lists the transports served, where', async () => {
    const answer = await getJson<Record<string, unknown>>(`${base}/negotiate`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      protocol_version: 2,
      max_payload: 1048576,
      transports: [
        { transport: 'websocket', path: '/duplex' },
        { transport: 'sse', path: '/duplex/sse', session: '/duplex/session', messages: '/duplex/messages' },
        { transport: 'long-polling', path: '/duplex/poll', session: '/duplex/session', messages: '/duplex/messages' },
      ],
    });
  });

  it('open, post a request, poll its answer; the POST answers the ack, the poll the response', async () => {
    const peer = await HttpPeer.open(base);
    expect(peer.welcome).toMatchObject({ type: 'response', action: '$hello', reply_to: 'hello', data: { resumed: false, last_seq: 0 } });
    const posted = await peer.post(envelope('c1', 'request', 'echo', { text: 'hi' }, { seq: 1 }));
    expect(posted.status).toBe(200);
    expect(posted.body).toEqual([expect.objectContaining({ type: 'ack', data: { seq: 1 } })]);
    const polled = await peer.poll(0, 5000);
    expect(polled.status).toBe(200);
    expect(polled.body).toEqual([expect.objectContaining({ seq: 1, type: 'response', reply_to: 'c1', data: { text: 'hi' }, session_id: peer.id })]);
    // The cursor acknowledges: what follows 1 is nothing yet.
    expect((await peer.poll(1, 0)).body).toEqual([]);
    // whoami: the handler sees the POST's transport and no token.
    await peer.post(envelope('c2', 'request', 'whoami', {}, { seq: 2 }));
    const [who] = (await peer.poll(1, 5000)).body;
    expect(who.data).toMatchObject({ sessionId: peer.id, transport: 'long-polling' });
  });

  it('a held poll is woken by a message sent mid-wait, not by its 30 s wait running out', async () => {
    const peer = await HttpPeer.open(base);
    const polling = peer.poll(0, 30_000);
    await until(() => held().holds(peer.id) && t.app.get(PullWaiters).count(peer.id) > 0, 5000, 'the poll to be held');
    const sentAt = performance.now();
    await duplex().send(peer.id, 'wake', { n: 1 });
    const polled = await polling;
    const latency = performance.now() - sentAt;
    expect(polled.body).toEqual([expect.objectContaining({ seq: 1, action: 'wake', data: { n: 1 } })]);
    // Far below the poll's 30 s wait: the send woke it (how fast is the benchmark's business, not a timed test's).
    expect(latency).toBeLessThan(5000);
  });

  it('1,000 queued messages arrive complete and in order across batches', async () => {
    const peer = await HttpPeer.open(base);
    for (let i = 1; i <= 1000; i++) await duplex().send(peer.id, 'n', { i });
    const received: Frame[] = [];
    let batches = 0;
    for (let cursor = 0; received.length < 1000; batches++) {
      const polled = await peer.poll(cursor, 0);
      expect(polled.status).toBe(200);
      expect(polled.body.length).toBeGreaterThan(0);
      expect(polled.body.length).toBeLessThanOrEqual(256);
      received.push(...polled.body);
      cursor = polled.body.at(-1)!.seq as number;
    }
    expect(batches).toBeGreaterThanOrEqual(4);
    expect(received.map((f) => f.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(received.map((f) => f.data!.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('one POST of 600 requests runs them all (at most maxInflight at once) and acks the last seq; the answers follow by poll', async () => {
    const peer = await HttpPeer.open(base);
    const batch = Array.from({ length: 600 }, (_, i) => envelope(`r${i + 1}`, 'request', 'echo', { i: i + 1 }, { seq: i + 1 }));
    const posted = await peer.post(batch);
    expect(posted.status).toBe(200);
    expect(posted.body.filter((f) => f.type === 'ack').map((f) => f.data!.seq)).toContain(600);
    expect(posted.body.filter((f) => f.type !== 'ack')).toEqual([]);
    const answered = new Set<unknown>();
    for (let cursor = 0; answered.size < 600; ) {
      const polled = await peer.poll(cursor, 5000);
      for (const frame of polled.body) answered.add(frame.reply_to);
      cursor = polled.body.at(-1)!.seq as number;
    }
    expect(answered).toEqual(new Set(batch.map((e) => e.id)));
  });

  it('an aborted poll leaves no held request and no waiter', async () => {
    const peer = await HttpPeer.open(base);
    const controller = new AbortController();
    const polling = peer.poll(0, 30_000, controller.signal).catch((err: unknown) => err);
    const waiters = t.app.get(PullWaiters);
    await until(() => held().holds(peer.id) && waiters.count(peer.id) === 1, 5000, 'the poll to be held');
    controller.abort();
    expect(await polling).toBeInstanceOf(Error);
    await until(() => !held().holds(peer.id) && waiters.count(peer.id) === 0, 5000, 'the poll to be let go');
    expect(held().size).toBe(0);
    // The session is untouched: the next poll gets what was sent meanwhile.
    await duplex().send(peer.id, 'after', {});
    expect((await peer.poll(0, 5000)).body).toEqual([expect.objectContaining({ seq: 1, action: 'after' })]);
  });

  it('a client gone while its poll waited for the broker is let go at once, not held for wait_ms', async () => {
    const peer = await HttpPeer.open(base);
    const broker = t.app.get<DuplexBroker>(DUPLEX_BROKER);
    const lookup = broker.sessions.lookup;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const entering = new Promise<void>((resolve) => (entered = resolve));
    broker.sessions.lookup = async (id) => {
      entered();
      await gate;
      return lookup(id);
    };
    // Its own connection (no keep-alive pool), so the server's side of it can be watched.
    const server = t.app.getHttpServer() as Server;
    const serverSide = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const request = httpGet(`${base}/poll?cursor=0&wait_ms=30000`, { headers: peer.proof, agent: false });
    request.on('error', () => undefined);
    await entering;
    const socket = await serverSide;
    request.destroy();
    await once(socket, 'close');
    // Node tells the response in the same turn or the next: past it, the poll can only find out by looking.
    await new Promise((resolve) => setImmediate(resolve));
    // The poll goes on once the broker answers: it must see that its client is gone.
    let letGo = false;
    const heldRequests = held();
    const hold = heldRequests.hold.bind(heldRequests);
    heldRequests.hold = (sessionId) => {
      const request = hold(sessionId);
      void request.released.then(() => (letGo = true));
      return request;
    };
    broker.sessions.lookup = lookup;
    release();
    await until(() => letGo, 5000, 'the poll to be let go');
    expect(t.app.get(PullWaiters).count(peer.id)).toBe(0);
  });

  it('two polls at once: the newer takes over, the older is answered [] at once', async () => {
    const peer = await HttpPeer.open(base);
    const first = peer.poll(0, 30_000);
    await until(() => held().holds(peer.id), 5000, 'the first poll to be held');
    const second = peer.poll(0, 30_000);
    const older = await first;
    expect(older.status).toBe(200);
    expect(older.body).toEqual([]);
    await until(() => held().holds(peer.id) && t.app.get(PullWaiters).count(peer.id) === 1, 5000, 'the second poll to be held');
    await duplex().send(peer.id, 'n', { i: 1 });
    expect((await second).body).toEqual([expect.objectContaining({ seq: 1, data: { i: 1 } })]);
  });

  it('a poll keeps the session connected (getSessions); it goes offline interval + timeout after the last one', async () => {
    const peer = await HttpPeer.open(base);
    const info = async () => (await duplex().getSessions()).find((s) => s.sessionId === peer.id);
    expect(await info()).toMatchObject({ connected: false });
    const polling = peer.poll(0, 30_000);
    await until(() => held().holds(peer.id), 5000, 'the poll to be held');
    expect(await info()).toMatchObject({ connected: true, transport: 'long-polling' });
    await duplex().send(peer.id, 'n', {});
    await polling;
    // Still connected right after the poll was answered (a client polls again at once) …
    expect(await info()).toMatchObject({ connected: true });
    // … and offline once heartbeat.intervalMs + timeoutMs (400 ms here) passed without a poll.
    await until(async () => (await info())?.connected === false, 5000, 'the session to go offline');
    expect((await info())?.offlineSince).toEqual(expect.any(Number));
  });

  it('$bye through POST ends the session: a held poll is answered 410 session_expired', async () => {
    const peer = await HttpPeer.open(base);
    const polling = peer.poll(0, 30_000);
    await until(() => held().holds(peer.id), 5000, 'the poll to be held');
    const bye = await peer.post(envelope('bye', 'request', '$bye'));
    expect(bye.body).toEqual([expect.objectContaining({ type: 'response', action: '$bye', reply_to: 'bye' })]);
    const polled = await polling;
    expect(polled.status).toBe(410);
    expect(polled.body).toMatchObject({ type: 'error', session_id: '', data: { code: 'session_expired' } });
  });

  it('a resume over POST /session keeps the session; the poll replays from the cursor', async () => {
    const peer = await HttpPeer.open(base);
    await peer.post(envelope('c1', 'request', 'echo', { n: 1 }, { seq: 1 }));
    await duplex().send(peer.id, 'n', { n: 2 });
    const resumed = await HttpPeer.open(base, envelope('h2', 'request', '$hello', { session_id: peer.id, resume_token: peer.token, last_seq: 1 }));
    expect(resumed.welcome.data).toMatchObject({ session_id: peer.id, resumed: true, last_seq: 1 });
    expect((await resumed.poll(1, 5000)).body).toEqual([expect.objectContaining({ seq: 2, action: 'n' })]);
  });

  it('app.close() lets a held poll go: it is answered, and close does not wait for the poll timeout', async () => {
    const peer = await HttpPeer.open(base);
    const polling = peer.poll(0, 60_000);
    await until(() => held().holds(peer.id), 5000, 'the poll to be held');
    const closing = t.app.close();
    const polled = await polling;
    expect(polled.status).toBe(200);
    expect(polled.body).toEqual([]);
    await closing;
  });
});

describe.each(PLATFORMS)('long-polling and SSE on two nodes sharing a broker, on %s (no sticky sessions)', (platform) => {
  let broker: MemoryBroker;
  let a: TestApp;
  let b: TestApp;

  beforeEach(async () => {
    broker = new MemoryBroker();
    const options = { protocols: ['sse', 'long-polling'] as ('sse' | 'long-polling')[], broker };
    a = await startHttpApp(platform, fixtureModule(options));
    b = await startHttpApp(platform, fixtureModule(options));
  });

  afterEach(async () => {
    await a.app.close();
    await b.app.close();
    await broker.close();
  });

  it('opened on A, posted to B, polled on A and woken by a send on B; the stream on B follows the poll on A', async () => {
    const onA = await HttpPeer.open(`${a.httpUrl}/duplex`);
    const onB = { post: (body: unknown) => postJson(`${b.httpUrl}/duplex/messages`, body, onA.proof) };
    expect((await onB.post(envelope('c1', 'request', 'echo', { n: 1 }, { seq: 1 }))).body).toEqual([expect.objectContaining({ type: 'ack', data: { seq: 1 } })]);
    expect((await onA.poll(0, 5000)).body).toEqual([expect.objectContaining({ seq: 1, reply_to: 'c1' })]);
    const polling = onA.poll(1, 30_000);
    await until(() => a.app.get(HeldRequests).holds(onA.id), 5000, 'the poll to be held on A');
    // The held poll made A the session's holder: a send on B wakes A.
    expect((await b.app.get(DuplexService).getSessions())[0]).toMatchObject({ connected: true, transport: 'long-polling' });
    await b.app.get(DuplexService).send(onA.id, 'from-b', {});
    expect((await polling).body).toEqual([expect.objectContaining({ seq: 2, action: 'from-b' })]);
    const stream = await SseReader.open(`${b.httpUrl}/duplex/sse?cursor=2`, onA.proof);
    try {
      await a.app.get(DuplexService).send(onA.id, 'from-a', {});
      expect((await stream.next()).envelope).toMatchObject({ seq: 3, action: 'from-a' });
    } finally {
      stream.close();
    }
  });
});
