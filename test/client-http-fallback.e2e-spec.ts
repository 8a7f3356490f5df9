/**
 * `auto` against real servers: it asks negotiate and lands on what the server serves, and when a
 * proxy strips or black-holes WebSocket upgrades it falls back by itself — each within 3 s (the
 * deadline is on the connect() promise and its events, never a sleep). And one session resumed
 * across transports, WebSocket → long-polling → SSE → WebSocket: every message once, in order,
 * both directions.
 */
import { WebSocket as WsWebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchLike } from '../lib/client/index.js';
import { DuplexService, type DuplexModuleOptions, type ProtocolType } from '../lib/index.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';
import { ChaosProxy } from './support/chaos-proxy.js';
import { ClientPool, deadline, nextValue } from './support/clients.js';
import { startTestApp, type TestApp, until } from './support/test-app.js';
import { type UpgradeMode, UpgradeProxy } from './support/upgrade-proxy.js';

const FALLBACK_MS = 3000;

let t: TestApp | undefined;
const proxies: Array<{ close(): Promise<void> }> = [];
const pool = new ClientPool();

afterEach(async () => {
  await pool.closeAll();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await t?.app.close();
  t = undefined;
});

describe('auto', () => {
  async function start(options: DuplexModuleOptions): Promise<TestApp> {
    t = await startTestApp(fixtureModule({ authenticate: tokenAuth, ...options }));
    return t;
  }

  /** connect() with `auto` (unless `transports` is given), within FALLBACK_MS; the transports that failed on the way. */
  async function landOn(serverUrl: string, transports?: ProtocolType[]) {
    const client = pool.create({ serverUrl, query: { token: 'bob' }, ...(transports ? { transports } : { protocolType: 'auto' as const }) });
    const failed: Array<[ProtocolType, string]> = [];
    client.on('transport_failed', ({ transport, failure }) => failed.push([transport, failure]));
    const connected = await deadline(client.connect(), FALLBACK_MS, `a connection within ${FALLBACK_MS} ms`);
    expect(connected).toBe(true);
    expect(await client.request('echo', { ok: 1 })).toEqual({ ok: 1 });
    return { transport: client.transport, failed };
  }

  it('lands on WebSocket when the server serves it, on SSE without it, on long-polling with neither', async () => {
    let app = await start({ protocols: ['websocket', 'sse', 'long-polling'] });
    expect(await landOn(app.httpUrl)).toEqual({ transport: 'websocket', failed: [] });
    await t!.app.close();
    app = await start({ protocols: ['sse', 'long-polling'] });
    expect(await landOn(app.httpUrl)).toEqual({ transport: 'sse', failed: [] });
    await pool.closeAll();
    await t!.app.close();
    app = await start({ protocols: ['long-polling'] });
    expect(await landOn(app.httpUrl)).toEqual({ transport: 'long-polling', failed: [] });
  });

  it.each<[UpgradeMode, string]>([
    ['strip', 'blocked'],
    ['hang', 'unreachable'],
  ])('falls back to SSE when a proxy does this to WebSocket upgrades: %s', async (mode, failure) => {
    const app = await start({ protocols: ['websocket', 'sse', 'long-polling'] });
    const proxy = await UpgradeProxy.start(app.port, mode);
    proxies.push(proxy);
    // Negotiate says WebSocket is served: only trying it shows the proxy in the way.
    expect(await landOn(`http://127.0.0.1:${proxy.port}`)).toEqual({ transport: 'sse', failed: [['websocket', failure]] });
  });

  it('falls back to long-polling when the proxy also buffers or blocks the event stream', async () => {
    const app = await start({ protocols: ['websocket', 'sse', 'long-polling'] });
    const proxy = await UpgradeProxy.start(app.port, 'strip');
    proxies.push(proxy);
    const client = pool.create({
      serverUrl: `http://127.0.0.1:${proxy.port}`,
      protocolType: 'auto',
      query: { token: 'bob' },
      // A proxy that answers the stream with an error page.
      http: { fetch: (url, init) => (new URL(url).pathname.endsWith('/sse') ? Promise.resolve(new Response('no', { status: 502 })) : fetch(url, init)) },
    });
    const failed: Array<[ProtocolType, string]> = [];
    client.on('transport_failed', ({ transport, failure }) => failed.push([transport, failure]));
    expect(await deadline(client.connect(), FALLBACK_MS, 'a connection')).toBe(true);
    expect(client.transport).toBe('long-polling');
    expect(failed).toEqual([
      ['websocket', 'blocked'],
      ['sse', 'blocked'],
    ]);
  });
});

describe('resume across transports', () => {
  it('WebSocket → long-polling → SSE → WebSocket: every message once, in order, both directions', async () => {
    t = await startTestApp(fixtureModule({ protocols: ['websocket', 'sse', 'long-polling'] }));
    // One refusable way per transport: WebSocket, the SSE stream, the polls; the POSTs of both HTTP transports and negotiate go through `api`.
    const [api, ws, sse, poll] = await Promise.all([0, 1, 2, 3].map(() => ChaosProxy.start(t!.port)));
    proxies.push(api!, ws!, sse!, poll!);
    const route = (url: string, proxy: ChaosProxy): string => url.replace(`:${api!.port}/`, `:${proxy.port}/`);
    const routedFetch: FetchLike = (url, init) => {
      const path = new URL(url).pathname;
      return fetch(path.endsWith('/sse') ? route(url, sse!) : path.endsWith('/poll') ? route(url, poll!) : url, init);
    };
    class RoutedWebSocket extends WsWebSocket {
      constructor(url: string) {
        super(route(url, ws!));
      }
    }
    const client = pool.create({
      serverUrl: `http://127.0.0.1:${api!.port}`,
      protocolType: 'auto',
      websocket: { WebSocket: RoutedWebSocket },
      http: { fetch: routedFetch },
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
        answers.push(client.request('counted', { key: `across-${sent}` }));
      }
    };
    /** Refuses `blocked`, lets the others through, kills the links of `kill`, and waits for the switch to `next` while traffic flows. */
    const switchTo = async (next: ProtocolType, blocked: ChaosProxy[], kill: ChaosProxy) => {
      for (const proxy of [ws!, sse!, poll!]) proxy.refuse(blocked.includes(proxy));
      const changed = nextValue<ProtocolType>((resolve) => client.on('transport_changed', ({ transport }) => resolve(transport)), 10_000, `the switch to ${next}`);
      kill.killClientSide();
      const during = traffic(50);
      expect(await changed).toBe(next);
      await during;
      expect(client.transport).toBe(next);
      await traffic(50);
    };

    await traffic(100);
    await switchTo('long-polling', [ws!, sse!], ws!);
    await switchTo('sse', [ws!, poll!], poll!);
    await switchTo('websocket', [sse!], sse!);

    const results = await deadline(Promise.all(answers), 30_000, 'every answer');
    expect(results.every((r) => r.runs === 1)).toBe(true);
    const handlers = t.app.get(FixtureHandlers);
    for (let i = 0; i < sent; i++) expect(handlers.calls.get(`across-${i}`), `request ${i}`).toBe(1);
    await until(() => received.length >= sent, 30_000, `all ${sent} ticks`);
    expect(received).toEqual(Array.from({ length: sent }, (_, i) => i));
    expect(transports).toEqual(['websocket', 'long-polling', 'sse', 'websocket']);
  }, 60_000);
});
