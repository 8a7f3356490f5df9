import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { DuplexClient, DuplexError, TransportFailedInfo } from '../lib/client/index.js';
import { DuplexService } from '../lib/index.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';
import { ClientPool, deadline, nextValue } from './support/clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Frame = Record<string, unknown> & { id?: string; type?: string; action?: string; reply_to?: string; data?: Record<string, unknown> };

/** A port nothing listens on (bound once by the OS, then released). */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves with the client's first `transport_failed` and the `error` that connect() reported. */
function failureOf(client: DuplexClient): { failed: Promise<TransportFailedInfo>; error: Promise<DuplexError> } {
  return {
    failed: nextValue<TransportFailedInfo>((resolve) => client.on('transport_failed', resolve), 5000, 'transport_failed'),
    error: nextValue<DuplexError>((resolve) => client.on('error', resolve), 5000, 'error'),
  };
}

/** The `ws` WebSocket, keeping every frame it sent and received and how it closed. */
class RecordingWebSocket extends WebSocket {
  static last: RecordingWebSocket | undefined;
  readonly sent: Frame[] = [];
  readonly received: Frame[] = [];
  readonly closed: Promise<number>;

  constructor(url: string) {
    super(url);
    RecordingWebSocket.last = this;
    this.on('message', (data) => this.received.push(JSON.parse(String(data)) as Frame));
    this.closed = new Promise((resolve) => this.once('close', (code) => resolve(code)));
  }

  override send(data: unknown, ...rest: unknown[]): void {
    if (typeof data === 'string') this.sent.push(JSON.parse(data) as Frame);
    (super.send as (...args: unknown[]) => void)(data, ...rest);
  }
}

/** The real DuplexClient (Node, `ws`) against real servers: how each failure is classified, retries, the goodbye. */
describe('DuplexClient transports, failures and goodbye', () => {
  const pool = new ClientPool();
  let t: TestApp;
  let authCalls = 0;

  beforeAll(async () => {
    const countingAuth = (handshake: Parameters<typeof tokenAuth>[0]): ReturnType<typeof tokenAuth> => {
      authCalls++;
      return tokenAuth(handshake);
    };
    t = await startTestApp(fixtureModule({ authenticate: countingAuth }));
  });
  afterEach(() => pool.closeAll());
  afterAll(() => t.app.close());

  it('classifies a port where nothing listens as unreachable', async () => {
    const client = pool.create({ serverUrl: `http://127.0.0.1:${await freePort()}` });
    const { failed, error } = failureOf(client);
    expect(await client.connect()).toBe(false);
    expect(await failed).toMatchObject({ transport: 'websocket', failure: 'unreachable' });
    expect(await error).toMatchObject({ code: 'not_connected', details: { failure: 'unreachable', transport: 'websocket' } });
    expect(client.transport).toBeUndefined();
  });

  it('classifies an upgrade refused by authenticate as refused, and never retries it', async () => {
    const client = pool.create({ serverUrl: t.httpUrl, query: { token: 'nobody' }, connect: { retries: 3 }, random: () => 0 });
    const retries: number[] = [];
    client.on('reconnecting', (attempt) => retries.push(attempt));
    const { failed, error } = failureOf(client);
    const callsBefore = authCalls;
    expect(await client.connect()).toBe(false);
    expect(await failed).toMatchObject({ transport: 'websocket', failure: 'refused' });
    expect(await error).toMatchObject({ code: 'unauthenticated', status: 401, details: { failure: 'refused' } });
    expect(retries).toEqual([]);
    expect(authCalls - callsBefore).toBe(1);
  });

  it('classifies a plain HTTP server on the path (404 to the upgrade) as blocked', async () => {
    const plain: Server = createServer((_request, response) => response.writeHead(404).end('Not Found'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const client = pool.create({ serverUrl: `http://127.0.0.1:${(plain.address() as AddressInfo).port}` });
      const { failed, error } = failureOf(client);
      expect(await client.connect()).toBe(false);
      expect(await failed).toMatchObject({ transport: 'websocket', failure: 'blocked' });
      expect(await error).toMatchObject({ code: 'not_connected', status: 404, details: { failure: 'blocked' } });
    } finally {
      plain.closeAllConnections();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });

  it('retries the first connect per connect.retries, and succeeds once the server is up', async () => {
    const port = await freePort();
    const moduleRef = await Test.createTestingModule(fixtureModule({ authenticate: tokenAuth })).compile();
    const late: INestApplication = moduleRef.createNestApplication({ forceCloseConnections: true, logger: ['error', 'warn'] });
    await late.init();
    try {
      const client = pool.create({ serverUrl: `http://127.0.0.1:${port}`, query: { token: 'bob' }, connect: { retries: 3 }, random: () => 0 });
      const failures: string[] = [];
      let listening: Promise<unknown> | undefined;
      client.on('transport_failed', ({ failure }) => {
        failures.push(failure);
        // The app is initialised, so listen() reaches the socket's bind before the retry's timer
        // can fire: the retry is the first attempt that can find the server.
        listening ??= late.listen(port, '127.0.0.1');
      });
      expect(await client.connect()).toBe(true);
      await listening;
      expect(failures).toEqual(['unreachable']);
      expect(client.transport).toBe('websocket');
      expect(await client.request('echo', { up: true })).toEqual({ up: true });
    } finally {
      await late.close();
    }
  });

  it('classifies a full server (session_limit) as refused, and connects once a session has left', async () => {
    const full = await startTestApp(fixtureModule({ authenticate: tokenAuth, session: { maxSessions: 1 } }));
    const local = new ClientPool();
    try {
      const first = await local.connect({ serverUrl: full.httpUrl, query: { token: 'bob' } });
      const second = local.create({ serverUrl: full.httpUrl, query: { token: 'alice' } });
      const { failed, error } = failureOf(second);
      expect(await second.connect()).toBe(false);
      expect(await failed).toMatchObject({ transport: 'websocket', failure: 'refused' });
      expect(await error).toMatchObject({ code: 'session_limit', details: { failure: 'refused' } });

      await first.disconnect();
      expect(await second.connect()).toBe(true);
    } finally {
      await local.closeAll();
      await full.app.close();
    }
  });

  it('reports the transport in use, and the change of transport at the first welcome', async () => {
    const client = pool.create({ serverUrl: t.httpUrl, query: { token: 'bob' }, transports: ['websocket'] });
    const changed = nextValue((resolve) => client.on('transport_changed', resolve), 5000, 'transport_changed');
    expect(client.transport).toBeUndefined();
    expect(await client.connect()).toBe(true);
    expect(client.transport).toBe('websocket');
    expect(await changed).toEqual({ transport: 'websocket', previous: undefined });
  });

  it('disconnect() says goodbye: the server answers the $bye, ends the session and closes with 1000', async () => {
    const client = pool.create({ serverUrl: t.httpUrl, query: { token: 'bob' }, websocket: { WebSocket: RecordingWebSocket } });
    expect(await client.connect()).toBe(true);
    const socket = RecordingWebSocket.last!;
    const sessionId = client.sessionId!;
    const duplex = t.app.get(DuplexService);
    expect((await duplex.getSessions()).map((s) => s.sessionId)).toContain(sessionId);

    await client.disconnect();
    const bye = socket.sent.find((f) => f.action === '$bye');
    expect(bye).toMatchObject({ type: 'request', data: {}, session_id: sessionId });
    expect(bye).not.toHaveProperty('seq');
    const answer = socket.received.find((f) => f.reply_to === bye!.id);
    expect(answer).toMatchObject({ type: 'response', action: '$bye', data: {} });
    expect(answer).not.toHaveProperty('seq');
    expect(await deadline(socket.closed, 5000, 'the close')).toBe(1000);
    expect((await duplex.getSessions()).map((s) => s.sessionId)).not.toContain(sessionId);
    expect(client.transport).toBeUndefined();
  });
});
