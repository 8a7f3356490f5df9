import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplexService } from '../lib/index.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';
import { BrowserBundle } from './support/browser-bundle.js';
import { ChaosProxy } from './support/chaos-proxy.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Locally the suite needs Debian's chromium; in CI (.ci/run installs it) a missing browser fails. */
const runnable = existsSync(CHROMIUM) || process.env.CI === 'true';

const PAGE = `<!doctype html><meta charset="utf-8"><title>duplex</title>
<script type="module">
  import { DuplexClient } from '/lib/client/index.js';
  window.DuplexClient = DuplexClient;
  window.ready = true;
</script>`;

/** The real DuplexClient in a real browser (native WebSocket, no bundler) against a real server. */
describe.skipIf(!runnable)('DuplexClient in Chromium', () => {
  let t: TestApp;
  let proxy: ChaosProxy;
  let bundle: BrowserBundle;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp(fixtureModule({ authenticate: tokenAuth, heartbeat: { intervalMs: 500, timeoutMs: 500 } }));
    proxy = await ChaosProxy.start(t.port);
    bundle = await BrowserBundle.start(PAGE);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(bundle.url);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await page?.evaluate(() => (window as unknown as { client?: { disconnect(): Promise<void> } }).client?.disconnect()).catch(() => undefined);
    await browser?.close();
    await bundle?.close();
    await proxy?.close();
    await t?.app.close();
  });

  it('connects with a token, requests, gets typed errors, answers a server request, and resumes after a dropped link', async () => {
    const server = `http://127.0.0.1:${proxy.port}`;
    const opened = await page.evaluate(async (serverUrl) => {
      type Client = InstanceType<typeof import('../lib/client/index.js').DuplexClient>;
      const w = window as unknown as { DuplexClient: new (o: object) => Client; client: Client; ticks: number[]; reconnects: unknown[] };
      w.ticks = [];
      w.reconnects = [];
      w.client = new w.DuplexClient({ serverUrl, query: { token: 'bob' }, reconnect: { baseMs: 10, maxMs: 50 } });
      w.client.registerCallback('tick', (data) => void w.ticks.push(data.i as number));
      w.client.registerCallback('confirm', (data) => ({ ok: true, seen: data.question }));
      w.client.on('reconnected', (info) => void w.reconnects.push(info));
      const connected = await w.client.connect();
      const echo = await w.client.request('echo', { text: 'from the browser' });
      const denied = await w.client.request('admin', {}).catch((e: { code: string }) => e.code);
      const invalid = await w.client.request('sum', { a: -1, b: 2 }).catch((e: { code: string; details: { fields: string[] } }) => [e.code, e.details.fields]);
      // A browser cannot see the HTTP 401 of a refused upgrade: only that the link never opened.
      const stranger = new w.DuplexClient({ serverUrl, query: { token: 'nobody' } });
      const failures: unknown[] = [];
      stranger.on('transport_failed', ({ transport, failure }) => void failures.push([transport, failure]));
      const strangerConnected = await stranger.connect();
      return { connected, transport: w.client.transport, sessionId: w.client.sessionId, echo, denied, invalid, strangerConnected, failures, userAgent: navigator.userAgent };
    }, server);
    expect(opened).toMatchObject({
      connected: true,
      transport: 'websocket',
      echo: { text: 'from the browser' },
      denied: 'forbidden',
      invalid: ['validation_failed', ['a']],
      strangerConnected: false,
      failures: [['websocket', 'unreachable']],
    });
    expect(opened.userAgent).toContain('Chrome');

    const duplex = t.app.get(DuplexService);
    expect(await duplex.request(opened.sessionId!, 'confirm', { question: 'sure?' }, { timeoutMs: 5000 })).toEqual({ ok: true, seen: 'sure?' });

    for (let i = 0; i < 100; i++) await duplex.send(opened.sessionId!, 'tick', { i });
    proxy.killServerSide();
    for (let i = 100; i < 200; i++) await duplex.send(opened.sessionId!, 'tick', { i });
    await page.waitForFunction(() => (window as unknown as { ticks: number[] }).ticks.length >= 200, undefined, { timeout: 15_000 });
    const state = await page.evaluate(() => {
      const w = window as unknown as { ticks: number[]; reconnects: unknown[] };
      return { ticks: w.ticks, reconnects: w.reconnects };
    });
    expect(state.ticks).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(state.reconnects).toEqual([{ resumed: true }]);
  }, 60_000);
});
