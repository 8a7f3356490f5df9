/**
 * Resume across transports: one session, opened on WebSocket, its link killed mid-stream and
 * resumed on gRPC, killed again and resumed on WebSocket — every message once, in order, both
 * directions. The client falls back by itself: a refusing proxy in front of a transport makes it
 * unreachable, and the client's selector moves on to the next candidate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DuplexService, type ProtocolType } from '../lib/index.js';
import { GrpcTransport } from '../lib/transports/grpc/grpc.transport.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { ChaosProxy } from './support/chaos-proxy.js';
import { ClientPool, deadline, nextValue } from './support/clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('resume across transports', () => {
  let t: TestApp | undefined;
  const proxies: ChaosProxy[] = [];
  const pool = new ClientPool();

  afterEach(async () => {
    await pool.closeAll();
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await t?.app.close();
    t = undefined;
  });

  it('WebSocket → gRPC → WebSocket: every message once, in order, both directions', async () => {
    t = await startTestApp(fixtureModule({ protocols: ['websocket', 'grpc'], grpc: { url: '127.0.0.1:0' } }));
    const ws = await ChaosProxy.start(t.port);
    const grpc = await ChaosProxy.start(t.app.get(GrpcTransport).port!);
    proxies.push(ws, grpc);
    const client = pool.create({
      serverUrl: `http://127.0.0.1:${ws.port}`,
      transports: ['websocket', 'grpc'],
      grpc: { address: `127.0.0.1:${grpc.port}` },
      reconnect: { baseMs: 2, maxMs: 40 },
      requestTimeoutMs: 30_000,
    });
    const received: number[] = [];
    client.registerCallback('tick', (data) => void received.push(data.i as number));
    const transports: ProtocolType[] = [];
    client.on('transport_changed', ({ transport }) => void transports.push(transport));
    expect(await client.connect()).toBe(true);
    expect(client.transport).toBe('websocket');
    const duplex = t.app.get(DuplexService);
    const sessionId = client.sessionId!;

    let sent = 0;
    const answers: Array<Promise<Record<string, unknown>>> = [];
    /** Sends `n` ticks to the client and `n` requests from it, interleaved. */
    const traffic = async (n: number) => {
      for (let k = 0; k < n; k++, sent++) {
        await duplex.send(sessionId, 'tick', { i: sent });
        answers.push(client.request('counted', { key: `switch-${sent}` }));
      }
    };

    await traffic(100);
    // WebSocket goes away mid-stream: the client must come back over gRPC.
    ws.refuse(true);
    const onGrpc = nextValue((resolve) => client.on('transport_changed', resolve), 10_000, 'the switch to gRPC');
    ws.killClientSide();
    const during = traffic(100);
    await onGrpc;
    await during;
    expect(client.transport).toBe('grpc');
    await traffic(100);
    // And gRPC goes away: back to WebSocket.
    ws.refuse(false);
    grpc.refuse(true);
    const onWs = nextValue((resolve) => client.on('transport_changed', resolve), 10_000, 'the switch back to WebSocket');
    grpc.killClientSide();
    const later = traffic(100);
    await onWs;
    await later;
    expect(client.transport).toBe('websocket');
    await traffic(100);

    const results = await deadline(Promise.all(answers), 30_000, 'every answer');
    expect(results.every((r) => r.runs === 1)).toBe(true);
    const handlers = t.app.get(FixtureHandlers);
    for (let i = 0; i < sent; i++) expect(handlers.calls.get(`switch-${i}`), `request ${i}`).toBe(1);
    await deadline(
      new Promise<void>((resolve) => {
        const check = () => (received.length >= sent ? resolve() : setImmediate(check));
        check();
      }),
      30_000,
      `all ${sent} ticks`,
    );
    expect(received).toEqual(Array.from({ length: sent }, (_, i) => i));
    expect(transports).toEqual(['websocket', 'grpc', 'websocket']);
  }, 60_000);
});
