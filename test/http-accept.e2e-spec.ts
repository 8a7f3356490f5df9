/**
 * `POST {prefix}/messages` is answered once its envelopes are accepted, not once their handlers
 * finish: one slow handler does not hold up the client's next POST. The bound on a session's
 * running handlers (`maxInflight`, 2 here) holds all the same: past it the POST waits (it is
 * answered later, never refused). Raw HTTP on Express and Fastify, then the real DuplexClient
 * over long-polling and SSE.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InflightLimiter } from '../lib/sessions/inflight.limiter.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { ClientPool, deadline } from './support/clients.js';
import { envelope, HttpPeer } from './support/http-peer.js';
import { PLATFORMS, startHttpApp } from './support/http-app.js';
import { type TestApp, until } from './support/test-app.js';

const ack = (seq: number) => expect.objectContaining({ type: 'ack', data: { seq } });

/** The promise, and whether it has settled yet. */
function watch<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  // A failed test may leave it rejecting after the test ended: never an unhandled rejection.
  watched.catch(() => undefined);
  return { promise: watched, settled: () => settled };
}

describe.each(PLATFORMS)('POST /messages answers at acceptance, on %s', (platform) => {
  let t: TestApp;
  let base: string;
  const handlers = () => t.app.get(FixtureHandlers);

  beforeAll(async () => {
    t = await startHttpApp(platform, fixtureModule({ protocols: ['sse', 'long-polling'], maxInflight: 2 }));
    base = `${t.httpUrl}/duplex`;
  });

  afterAll(async () => {
    await t.app.close();
  });

  afterEach(() => handlers().release());

  it('a POST is answered with its ack while its handler runs; a later POST and its answer (by poll) do not wait for it', async () => {
    handlers().closeGate();
    handlers().held = 0;
    const peer = await HttpPeer.open(base);
    const slow = await deadline(peer.post(envelope('slow', 'request', 'hold', { i: 1 }, { seq: 1 })), 5000, 'the slow POST');
    expect(slow.status).toBe(200);
    expect(slow.body).toEqual([ack(1)]);
    await until(() => handlers().held === 1, 5000, 'the slow handler to run');

    const echo = await deadline(peer.post(envelope('echo', 'request', 'echo', { text: 'meanwhile' }, { seq: 2 })), 5000, 'the echo POST');
    expect(echo.body).toEqual([ack(2)]);
    const polled = await peer.poll(0, 5000);
    expect(polled.body).toEqual([expect.objectContaining({ seq: 1, type: 'response', reply_to: 'echo', data: { text: 'meanwhile' } })]);
    // The slow handler has not answered yet …
    expect((await peer.poll(1, 0)).body).toEqual([]);
    // … and its answer follows by poll once it finishes.
    handlers().release();
    expect((await peer.poll(1, 5000)).body).toEqual([expect.objectContaining({ seq: 2, type: 'response', reply_to: 'slow', data: { i: 1 } })]);
  });

  it('with maxInflight handlers running, the next request\'s POST waits for one of them to finish', async () => {
    handlers().closeGate();
    handlers().held = 0;
    const peer = await HttpPeer.open(base);
    for (const i of [1, 2]) expect((await deadline(peer.post(envelope(`h${i}`, 'request', 'hold', { i }, { seq: i })), 5000, `POST ${i}`)).body).toEqual([ack(i)]);
    await until(() => handlers().held === 2, 5000, 'two handlers running');

    const third = watch(peer.post(envelope('h3', 'request', 'hold', { i: 3 }, { seq: 3 })));
    await until(() => t.app.get(InflightLimiter).waiters(peer.id) === 1, 5000, 'the third request to wait for a slot');
    expect(third.settled()).toBe(false);
    expect(handlers().held).toBe(2);
    expect((await peer.poll(0, 0)).body).toEqual([]);

    handlers().release();
    expect((await deadline(third.promise, 5000, 'the third POST')).body).toEqual([ack(3)]);
    await until(() => handlers().held === 3, 5000, 'the third handler to run');
    const answered = new Set<unknown>();
    for (let cursor = 0; answered.size < 3; ) {
      const polled = await peer.poll(cursor, 5000);
      for (const frame of polled.body) answered.add(frame.reply_to);
      cursor = (polled.body.at(-1)?.seq as number | undefined) ?? cursor;
    }
    expect(answered).toEqual(new Set(['h1', 'h2', 'h3']));
  });
});

describe.each(['long-polling', 'sse'] as const)('the client over %s', (transport) => {
  let t: TestApp;
  const pool = new ClientPool();
  const handlers = () => t.app.get(FixtureHandlers);

  beforeAll(async () => {
    t = await startHttpApp('express', fixtureModule({ protocols: ['sse', 'long-polling'], maxInflight: 2 }));
  });

  afterAll(async () => {
    handlers().release();
    await pool.closeAll();
    await t.app.close();
  });

  it('a request to a slow handler does not delay a later echo: the echo resolves first', async () => {
    handlers().closeGate();
    handlers().held = 0;
    const client = pool.create({ serverUrl: t.httpUrl, protocolType: transport });
    expect(await client.connect()).toBe(true);
    expect(client.transport).toBe(transport);
    const slow = watch(client.request('hold', { i: 1 }));
    await until(() => handlers().held === 1, 5000, 'the slow handler to run');
    expect(await deadline(client.request('echo', { text: 'meanwhile' }), 5000, 'the echo')).toEqual({ text: 'meanwhile' });
    expect(slow.settled()).toBe(false);
    handlers().release();
    expect(await deadline(slow.promise, 5000, 'the slow answer')).toEqual({ i: 1 });
  });
});
