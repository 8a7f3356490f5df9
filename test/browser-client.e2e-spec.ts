import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplexService } from '../lib/index.js';
import { AppModule } from '../sample/app.module.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';
import { BrowserBundle } from './support/browser-bundle.js';
import { ChaosProxy } from './support/chaos-proxy.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { UpgradeProxy } from './support/upgrade-proxy.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Locally the suite needs Debian's chromium; in CI (.ci/run installs it) a missing browser fails. */
const runnable = existsSync(CHROMIUM) || process.env.CI === 'true';

const PAGE = `<!doctype html><meta charset="utf-8"><title>duplex</title>
<script type="module">
  import { DuplexClient } from '/lib/client/index.js';
  window.DuplexClient = DuplexClient;
  window.ready = true;
</script>`;

type Client = InstanceType<typeof import('../lib/client/index.js').DuplexClient>;
type ClientClass = new (o: object) => Client;

const ROOT = join(import.meta.dirname, '..');
const BROWSER_TRANSPORTS = ['websocket', 'sse', 'long-polling'] as const;

let bundle: BrowserBundle;
let browser: Browser;

beforeAll(async () => {
  if (!runnable) return;
  bundle = await BrowserBundle.start(PAGE);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bundle?.close();
});

/** The real DuplexClient in a real browser (native WebSocket, EventSource and fetch) against a real server. */
describe.skipIf(!runnable)('DuplexClient in Chromium', () => {
  let t: TestApp;
  let proxy: ChaosProxy;
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp(
      fixtureModule({
        authenticate: tokenAuth,
        heartbeat: { intervalMs: 500, timeoutMs: 500 },
        protocols: [...BROWSER_TRANSPORTS],
        // The page and the CDN are other origins than the server.
        http: { cors: true },
      }),
    );
    proxy = await ChaosProxy.start(t.port);
    page = await browser.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(bundle.url);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await page?.evaluate(() => (window as unknown as { client?: { disconnect(): Promise<void> } }).client?.disconnect()).catch(() => undefined);
    await page?.close();
    await proxy?.close();
    await t?.app.close();
  });

  it('connects with a token, requests, gets typed errors, answers a server request, and resumes after a dropped link', async () => {
    const server = `http://127.0.0.1:${proxy.port}`;
    const opened = await page.evaluate(async (serverUrl) => {
      const w = window as unknown as { DuplexClient: ClientClass; client: Client; ticks: number[]; reconnects: unknown[] };
      w.ticks = [];
      w.reconnects = [];
      w.client = new w.DuplexClient({ serverUrl, protocolType: 'websocket', query: { token: 'bob' }, reconnect: { baseMs: 10, maxMs: 50 } });
      w.client.registerCallback('tick', (data) => void w.ticks.push(data.i as number));
      w.client.registerCallback('confirm', (data) => ({ ok: true, seen: data.question }));
      w.client.on('reconnected', (info) => void w.reconnects.push(info));
      const connected = await w.client.connect();
      const echo = await w.client.request('echo', { text: 'from the browser' });
      const denied = await w.client.request('admin', {}).catch((e: { code: string }) => e.code);
      const invalid = await w.client.request('sum', { a: -1, b: 2 }).catch((e: { code: string; details: { fields: string[] } }) => [e.code, e.details.fields]);
      // A browser cannot see the HTTP 401 of a refused upgrade: only that the link never opened.
      const stranger = new w.DuplexClient({ serverUrl, protocolType: 'websocket', query: { token: 'nobody' } });
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

  it('imports the bundle from a CDN-style URL; auto is its default in a page and gets past a proxy that strips upgrades; SSE and long-polling across origins', async () => {
    const stripping = await UpgradeProxy.start(t.port, 'strip');
    try {
      const outcome = await page.evaluate(
        async ({ cdnUrl, direct, stripped }) => {
          // Written as a string: the test runner would rewrite an import() in this function's source.
          const load = new Function('url', 'return import(url)') as (url: string) => Promise<{ DuplexClient: ClientClass }>;
          const { DuplexClient } = await load(cdnUrl);
          const over = async (serverUrl: string, protocolType?: string) => {
            const client = new DuplexClient({ serverUrl, query: { token: 'bob' }, ...(protocolType ? { protocolType } : {}) });
            const failed: unknown[] = [];
            client.on('transport_failed', ({ transport }) => void failed.push(transport));
            const connected = await client.connect();
            const echo = connected ? await client.request('echo', { via: protocolType ?? 'default' }) : undefined;
            const whoami = connected ? await client.request('whoami') : undefined;
            const transport = client.transport;
            await client.disconnect();
            return { connected, transport, echo, handshake: (whoami as { transport?: string } | undefined)?.transport, failed };
          };
          return {
            byDefault: await over(stripped),
            sse: await over(direct, 'sse'),
            longPolling: await over(direct, 'long-polling'),
          };
        },
        { cdnUrl: bundle.cdnUrl, direct: t.httpUrl, stripped: `http://127.0.0.1:${stripping.port}` },
      );
      expect(outcome).toEqual({
        byDefault: { connected: true, transport: 'sse', echo: { via: 'default' }, handshake: 'sse', failed: ['websocket'] },
        sse: { connected: true, transport: 'sse', echo: { via: 'sse' }, handshake: 'sse', failed: [] },
        longPolling: { connected: true, transport: 'long-polling', echo: { via: 'long-polling' }, handshake: 'long-polling', failed: [] },
      });
    } finally {
      await stripping.close();
    }
  }, 60_000);
});

/** The sample page (sample/public, on the browser bundle) in Chromium, over each transport it offers. */
describe.skipIf(!runnable)('the sample page in Chromium', () => {
  let sample: TestApp;
  let stripping: UpgradeProxy;

  beforeAll(async () => {
    // As sample/main.ts serves it: the page, and the bundle at /browser/.
    sample = await startTestApp({ imports: [AppModule] }, (app) => {
      const express = app as NestExpressApplication;
      express.useStaticAssets(join(ROOT, 'sample', 'public'));
      express.useStaticAssets(bundle.bundleDir, { prefix: '/browser/' });
    });
    stripping = await UpgradeProxy.start(sample.port, 'strip');
  });

  afterAll(async () => {
    await stripping?.close();
    await sample?.app.close();
  });

  /** Opens the page with `?token=demo&transport=…` (it connects at once) and waits until it is connected. */
  async function open(origin: string, transport: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(`${origin}/?token=demo&transport=${transport}`);
    await page.waitForSelector('#state[data-state="connected"]', { timeout: 10_000 });
    return page;
  }

  it.each(BROWSER_TRANSPORTS)('echoes and chats over %s, and shows the transport in use', async (transport) => {
    const page = await open(sample.httpUrl, transport);
    try {
      expect(await page.textContent('#transport')).toBe(transport);
      await page.fill('#echo-text', `hello over ${transport}`);
      await page.click('#echo-form button');
      await page.waitForSelector('#echo-result.good', { timeout: 10_000 });
      expect(JSON.parse((await page.textContent('#echo-result'))!)).toEqual({ text: `hello over ${transport}` });
      await page.fill('#chat-text', `chat over ${transport}`);
      await page.click('#chat-form button');
      await page.waitForFunction((text) => document.querySelector('#chat')!.textContent!.includes(text), `chat over ${transport}`, { timeout: 10_000 });
    } finally {
      await page.close();
    }
  }, 60_000);

  it('falls back from WebSocket to SSE by itself (auto) when a proxy strips the upgrade', async () => {
    const page = await open(`http://127.0.0.1:${stripping.port}`, 'auto');
    try {
      expect(await page.textContent('#transport')).toBe('sse');
      expect(await page.textContent('#events')).toContain('websocket failed');
      await page.fill('#echo-text', 'past the proxy');
      await page.click('#echo-form button');
      await page.waitForSelector('#echo-result.good', { timeout: 10_000 });
    } finally {
      await page.close();
    }
  }, 60_000);
});
