/**
 * What the HTTP transport answers to bad input, to refused credentials and to browsers (CORS), and
 * how it is mounted (prefix, forRootAsync), on Express and Fastify. Every 4xx carries an error
 * envelope, and no answer ever carries a session's token.
 */
import { Module } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { DuplexModule } from '../lib/index.js';
import { GrpcTransport } from '../lib/transports/grpc/grpc.transport.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';
import type { Frame } from './support/frame-queue.js';
import { envelope, getJson, HttpPeer, postJson } from './support/http-peer.js';
import { PLATFORMS, startHttpApp } from './support/http-app.js';
import { RawPeer } from './support/raw-peer.js';
import type { TestApp } from './support/test-app.js';

const HTTP = ['websocket', 'sse', 'long-polling'] as ('websocket' | 'sse' | 'long-polling')[];

describe.each(PLATFORMS)('HTTP input and mounting on %s', (platform) => {
  let t: TestApp | undefined;

  afterEach(async () => {
    await t?.app.close();
    t = undefined;
  });

  const start = async (options: Parameters<typeof fixtureModule>[0] = {}) => {
    t = await startHttpApp(platform, fixtureModule({ protocols: HTTP, ...options }));
    return `${t.httpUrl}/duplex`;
  };

  const expectError = (answer: { status: number; body: unknown }, status: number, code: string) => {
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ type: 'error', action: '', session_id: '', data: { code, message: expect.any(String) } });
  };

  it('bad bodies: 400 not JSON, 415 not a JSON type, 413 over maxPayload, 400 an array of non-objects; a bad field is an error in the 200', async () => {
    const base = await start({ maxPayload: 4096 });
    const a = await HttpPeer.open(base);
    const b = await HttpPeer.open(base);
    const answers = [
      [await a.post('{"id":'), 400, 'bad_frame'],
      [await a.post('{"id":"x"}', { 'content-type': 'text/plain' }), 415, 'bad_frame'],
      [await a.post('{}', { 'content-type': 'application/json; charset=latin1' }), 415, 'bad_frame'],
      [await a.post(JSON.stringify(envelope('big', 'notification', 'echo', { pad: 'x'.repeat(5000) }))), 413, 'too_large'],
      [await a.post([1, 'two', null]), 400, 'bad_frame'],
      [await a.post('"an envelope?"'), 400, 'bad_frame'],
      [await a.post(''), 400, 'bad_frame'],
    ] as const;
    for (const [answer, status, code] of answers) expectError(answer, status, code);
    // Just under the limit is taken (the limit is the body's bytes).
    const fits = JSON.stringify(envelope('fits', 'notification', 'echo', { pad: '' }));
    expect((await a.post(JSON.stringify(envelope('fits', 'notification', 'echo', { pad: 'é'.repeat((4096 - fits.length) >> 1) })))).status).toBe(200);
    // In an array, a bad envelope is answered in the 200 body (reply_to its id); the others run.
    const mixed = await a.post([envelope('ok', 'request', 'echo', { v: 1 }, { seq: 1 }), { id: 'bad', type: 'request', action: 'echo', data: 'nope', timestamp: 1 }]);
    expect(mixed.status).toBe(200);
    expect(mixed.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'error', reply_to: 'bad', session_id: a.id, data: expect.objectContaining({ code: 'bad_envelope' }) }),
        expect.objectContaining({ type: 'ack', data: { seq: 1 } }),
      ]),
    );
    // Every answer so far: no token of either session.
    for (const [answer] of answers) expect(answer.text).not.toMatch(new RegExp(`${a.token}|${b.token}`));
    expect(mixed.text).not.toMatch(new RegExp(`${a.token}|${b.token}`));
  });

  it('session proof: 401 without a token, 410 for an unknown session or a wrong token (poll, messages, sse) — never a token in the answer', async () => {
    const base = await start();
    const a = await HttpPeer.open(base);
    const b = await HttpPeer.open(base);
    const ping = [envelope('p', 'heartbeat', '')];
    const noToken = await postJson(`${base}/messages`, ping, { 'x-duplex-session': a.id });
    expectError(noToken, 401, 'unauthenticated');
    expectError(await getJson(`${base}/poll`, { 'x-duplex-session': a.id }), 401, 'unauthenticated');
    expectError(await getJson(`${base}/sse?session_id=${a.id}`), 401, 'unauthenticated');
    const cases = [
      await postJson(`${base}/messages`, ping, { 'x-duplex-session': 'nobody', 'x-duplex-token': a.token }),
      // b's id with a's token, and with a wrong one
      await postJson(`${base}/messages`, ping, { 'x-duplex-session': b.id, 'x-duplex-token': a.token }),
      await getJson(`${base}/poll?wait_ms=0`, { 'x-duplex-session': b.id, 'x-duplex-token': 'wrong' }),
      await getJson(`${base}/sse?session_id=${b.id}&token=${a.token}`),
    ];
    for (const answer of cases) {
      expectError(answer, 410, 'session_expired');
      expect(answer.text).not.toMatch(new RegExp(`${a.token}|${b.token}`));
    }
    expectError(await getJson(`${base}/poll?cursor=-1`, a.proof), 400, 'bad_request');
    expectError(await getJson(`${base}/poll?wait_ms=soon`, a.proof), 400, 'bad_request');
    // Both sessions are untouched by all that.
    expect((await a.post(ping)).status).toBe(200);
    expect((await b.post(ping)).body).toEqual([expect.objectContaining({ type: 'heartbeat', reply_to: 'p' })]);
  });

  it('POST /session runs authenticate on the request (headers and query): refused → 401', async () => {
    const base = await start({ authenticate: tokenAuth });
    const refused = await postJson(`${base}/session`, envelope('h', 'request', '$hello'));
    expectError(refused, 401, 'unauthenticated');
    const byQuery = await HttpPeer.open(base, undefined, '?token=alice');
    const byHeader = await postJson<Frame>(`${base}/session`, envelope('h', 'request', '$hello'), { token: 'bob' });
    expect(byHeader.status).toBe(200);
    await byQuery.post(envelope('w', 'request', 'whoami', {}, { seq: 1 }));
    expect((await byQuery.poll(0, 5000)).body[0].data).toMatchObject({ principal: { id: 'alice' } });
    // The body must be a $hello (or nothing: a fresh session).
    expectError(await postJson(`${base}/session?token=alice`, envelope('x', 'request', 'echo')), 400, 'bad_request');
    expectError(await postJson(`${base}/session?token=alice&transport=grpc`, envelope('h', 'request', '$hello')), 400, 'bad_request');
    const empty = await fetch(`${base}/session?token=alice`, { method: 'POST' });
    expect(empty.status).toBe(200);
    // A resume by another principal is refused in the welcome (a fresh session), as on WebSocket.
    const stolen = await postJson<Frame>(`${base}/session`, envelope('h', 'request', '$hello', { session_id: byQuery.id, resume_token: byQuery.token }), { token: 'bob' });
    expect(stolen.body.data).toMatchObject({ resumed: false, resume_error: { code: 'forbidden' } });
    expect(stolen.text).not.toContain(byQuery.token);
  });

  it('CORS: a listed origin gets its preflight and credentials; another origin gets no CORS headers', async () => {
    const base = await start({ http: { cors: ['https://app.example'] } });
    const preflight = await fetch(`${base}/messages`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-duplex-session, x-duplex-token' },
    });
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'content-type, x-duplex-session, x-duplex-token',
    });
    const opened = await fetch(`${base}/session`, { method: 'POST', headers: { origin: 'https://app.example' } });
    expect(opened.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const error = await fetch(`${base}/poll`, { headers: { origin: 'https://app.example' } });
    expect([error.status, error.headers.get('access-control-allow-origin')]).toEqual([401, 'https://app.example']);
    const other = await fetch(`${base}/negotiate`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('CORS true: any origin, without credentials', async () => {
    const base = await start({ http: { cors: true } });
    const answer = await fetch(`${base}/negotiate`, { headers: { origin: 'https://anywhere.example' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('http.prefix mounts the endpoints elsewhere; only the transports in protocols answer', async () => {
    t = await startHttpApp(platform, fixtureModule({ protocols: ['sse', 'grpc'], http: { prefix: '/rt/v1' }, grpc: { url: '127.0.0.1:0' } }));
    const negotiate = await getJson<{ transports: unknown[] }>(`${t.httpUrl}/rt/v1/negotiate`);
    expect(negotiate.body.transports).toEqual([
      { transport: 'sse', path: '/rt/v1/sse', session: '/rt/v1/session', messages: '/rt/v1/messages' },
      // the port gRPC is bound to (port 0 asked for any)
      { transport: 'grpc', port: t.app.get(GrpcTransport).port },
    ]);
    expect(t.app.get(GrpcTransport).port).toBeGreaterThan(0);
    const peer = await HttpPeer.open(`${t.httpUrl}/rt/v1`, undefined, '?transport=sse');
    expect((await peer.post([envelope('p', 'heartbeat', '')])).status).toBe(200);
    expect((await fetch(`${t.httpUrl}/rt/v1/poll`, { headers: peer.proof })).status).toBe(404);
    expect((await fetch(`${t.httpUrl}/duplex/negotiate`)).status).toBe(404);
  });

  it('forRootAsync: the options come from a factory; a transport not served answers 404 with an error envelope', async () => {
    @Module({ providers: [{ provide: 'CONFIG', useValue: { protocols: ['long-polling'], http: { prefix: '/async' } } }], exports: ['CONFIG'] })
    class ConfigModule {}
    t = await startHttpApp(platform, {
      imports: [DuplexModule.forRootAsync({ imports: [ConfigModule], inject: ['CONFIG'], useFactory: (config: object) => config })],
      providers: [FixtureHandlers],
    });
    const peer = await HttpPeer.open(`${t.httpUrl}/async`);
    await peer.post(envelope('c1', 'request', 'echo', { n: 1 }, { seq: 1 }));
    expect((await peer.poll(0, 5000)).body).toEqual([expect.objectContaining({ seq: 1, data: { n: 1 } })]);
    expectError(await getJson(`${t.httpUrl}/async/sse`, peer.proof), 404, 'not_found');
  });

  it('WebSocket shares the port with the HTTP endpoints, and a session moves from WebSocket to long-polling', async () => {
    const base = await start();
    const { peer, welcome } = await RawPeer.hello(t!.wsUrl);
    const data = welcome.data as { session_id: string; resume_token: string };
    peer.send(envelope('c1', 'request', 'echo', { over: 'ws' }, { seq: 1 }));
    expect(await peer.reply('c1')).toMatchObject({ seq: 1, data: { over: 'ws' } });
    await peer.close();
    const resumed = await HttpPeer.open(base, envelope('h', 'request', '$hello', { session_id: data.session_id, resume_token: data.resume_token, last_seq: 1 }));
    expect(resumed.welcome.data).toMatchObject({ resumed: true, last_seq: 1 });
    await resumed.post(envelope('c2', 'request', 'echo', { over: 'http' }, { seq: 2 }));
    expect((await resumed.poll(1, 5000)).body).toEqual([expect.objectContaining({ seq: 2, reply_to: 'c2', data: { over: 'http' } })]);
  });

  it('forRootAsync with WebSocket only: the HTTP endpoints answer 404', async () => {
    t = await startHttpApp(platform, {
      imports: [DuplexModule.forRootAsync({ useFactory: () => ({ protocols: ['websocket'] }) })],
      providers: [FixtureHandlers],
    });
    expectError(await getJson(`${t.httpUrl}/duplex/negotiate`), 404, 'not_found');
    expectError(await postJson(`${t.httpUrl}/duplex/session`, envelope('h', 'request', '$hello')), 404, 'not_found');
  });
});
