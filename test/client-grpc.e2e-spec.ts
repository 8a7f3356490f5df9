/**
 * The real DuplexClient over gRPC (transports: ['grpc']) against the real server's gRPC transport:
 * the same API and the same session behaviour as over WebSocket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DuplexClient, DuplexError, ReconnectedInfo, TransportFailedInfo } from '../lib/client/index.js';
import { DuplexService } from '../lib/index.js';
import { GrpcTransport } from '../lib/transports/grpc/grpc.transport.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';
import { ChaosProxy } from './support/chaos-proxy.js';
import { ClientPool, nextValue } from './support/clients.js';
import { startTestApp, type TestApp, until } from './support/test-app.js';

/** The fixture's tokens, read from the `token` metadata entry (gRPC has no query). */
function tokenFromMetadata(handshake: { headers: Record<string, string | string[] | undefined> }): ReturnType<typeof tokenAuth> {
  const token = handshake.headers.token;
  return tokenAuth({ query: typeof token === 'string' ? { token } : {} });
}

describe('DuplexClient over gRPC', () => {
  const pool = new ClientPool();
  let t: TestApp;
  let serverUrl: string;
  let grpcPort: number;

  const connect = (options: Partial<Parameters<ClientPool['create']>[0]> = {}): Promise<DuplexClient> =>
    pool.connect({ serverUrl, grpc: { metadata: { token: 'alice' } }, ...options });

  beforeAll(async () => {
    t = await startTestApp(fixtureModule({ protocols: ['websocket', 'grpc'], grpc: { url: '127.0.0.1:0' }, authenticate: tokenFromMetadata }));
    grpcPort = t.app.get(GrpcTransport).port!;
    serverUrl = `grpc://127.0.0.1:${grpcPort}`;
  });
  afterEach(() => pool.closeAll());
  afterAll(() => t.app.close());

  it('connects over gRPC and gets its request answered', async () => {
    const client = await connect();
    expect(client.transport).toBe('grpc');
    expect(await client.request('echo', { text: 'hi', n: [1, 2] })).toEqual({ text: 'hi', n: [1, 2] });
    expect(await client.request('whoami')).toMatchObject({ principal: { id: 'alice' }, transport: 'grpc' });
    const sessions = await t.app.get(DuplexService).getSessions();
    expect(sessions.find((s) => s.sessionId === client.sessionId)).toMatchObject({ connected: true, transport: 'grpc' });
  });

  it('receives a server notification, and answers a server request', async () => {
    const client = await connect();
    const news = nextValue<Record<string, unknown>>((resolve) => client.registerCallback('news', (data) => resolve(data)), 5000, 'news');
    client.registerCallback('ask', (data) => ({ answer: `${String(data.question)}!` }));
    const service = t.app.get(DuplexService);
    await service.send(client.sessionId!, 'news', { x: 1 });
    expect(await news).toEqual({ x: 1 });
    expect(await service.request(client.sessionId!, 'ask', { question: 'ready' })).toEqual({ answer: 'ready!' });
  });

  it('resumes the session after its call is cut, and gets what was sent meanwhile', async () => {
    const proxy = await ChaosProxy.start(grpcPort);
    try {
      const client = await connect({ serverUrl: `grpc://127.0.0.1:${proxy.port}`, reconnect: { baseMs: 10, maxMs: 50 } });
      const sessionId = client.sessionId!;
      const received: number[] = [];
      client.registerCallback('tick', (data) => void received.push(data.i as number));
      const service = t.app.get(DuplexService);
      await service.send(sessionId, 'tick', { i: 1 });
      await until(() => received.length === 1, 5000, 'the first tick');
      const disconnected = nextValue<{ code: number }>((resolve) => client.on('disconnected', resolve), 5000, 'disconnected');
      const reconnected = nextValue<ReconnectedInfo>((resolve) => client.on('reconnected', resolve), 10_000, 'reconnected');
      expect(proxy.killClientSide()).toBe(1);
      expect((await disconnected).code).not.toBe(1000);
      await service.send(sessionId, 'tick', { i: 2 });
      expect(await reconnected).toMatchObject({ resumed: true });
      await until(() => received.length === 2, 5000, 'the tick sent while the call was down');
      expect([client.sessionId, client.transport, received]).toEqual([sessionId, 'grpc', [1, 2]]);
    } finally {
      await pool.closeAll();
      await proxy.close();
    }
  });

  it('says goodbye on disconnect(): the server forgets the session', async () => {
    const client = await connect();
    const sessionId = client.sessionId!;
    await client.disconnect();
    const sessions = await t.app.get(DuplexService).getSessions();
    expect(sessions.map((s) => s.sessionId)).not.toContain(sessionId);
  });

  it('takes a call refused by authenticate for refused, and never retries it', async () => {
    const client = pool.create({ serverUrl, grpc: { metadata: { token: 'mallory' } }, connect: { retries: 3 }, random: () => 0 });
    const failed: TransportFailedInfo[] = [];
    client.on('transport_failed', (info) => failed.push(info));
    const error = nextValue<DuplexError>((resolve) => client.on('error', resolve), 5000, 'error');
    expect(await client.connect()).toBe(false);
    expect(await error).toMatchObject({ code: 'unauthenticated', status: 401, details: { failure: 'refused', transport: 'grpc' } });
    expect(failed.map((f) => [f.transport, f.failure])).toEqual([['grpc', 'refused']]);
  });
});
