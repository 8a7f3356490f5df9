import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsAdapter } from '@nestjs/platform-ws';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DuplexModule, DuplexService } from '../lib/index.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { RawPeer } from './support/raw-peer.js';
import { startTestApp, type TestApp } from './support/test-app.js';

@Injectable()
class DuplexSettings {
  readonly path = '/realtime';
  readonly intervalMs = 7000;
}

@Module({ providers: [DuplexSettings], exports: [DuplexSettings] })
class SettingsModule {}

/** The app's own gateway, on Nest's WsAdapter, sharing the HTTP port with nest-duplex. */
@WebSocketGateway({ path: '/events' })
class AppEventsGateway {
  @SubscribeMessage('ping')
  ping(@MessageBody() data: unknown): { event: string; data: unknown } {
    return { event: 'pong', data };
  }
}

describe('DuplexModule', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.app.close();
    t = undefined;
  });

  it('forRootAsync takes its options from a factory with injected providers', async () => {
    t = await startTestApp(
      {
        imports: [
          DuplexModule.forRootAsync({
            imports: [SettingsModule],
            inject: [DuplexSettings],
            useFactory: (settings: DuplexSettings) => ({
              websocket: { path: settings.path },
              heartbeat: { intervalMs: settings.intervalMs },
            }),
          }),
        ],
        providers: [FixtureHandlers],
      },
      undefined,
      '/realtime',
    );
    const { peer, welcome } = await RawPeer.hello(t.wsUrl);
    expect(welcome.data).toMatchObject({ heartbeat: { interval_ms: 7000 } });
    peer.request('e', 'echo', { async: true });
    expect((await peer.reply('e')).data).toEqual({ async: true });
    await peer.close();
    expect(t.app.get(DuplexService)).toBeInstanceOf(DuplexService);
  });

  it('refuses to start with an invalid option, naming it', async () => {
    const compiling = Test.createTestingModule({
      imports: [DuplexModule.forRoot({ outbox: { maxMessages: 0 } })],
    }).compile();
    await expect(compiling).rejects.toThrow('option "outbox.maxMessages" is 0; expected a positive integer');
  });

  it('lives beside the app\'s own WsAdapter gateway on the same port', async () => {
    t = await startTestApp(
      { imports: [DuplexModule.forRoot({})], providers: [FixtureHandlers, AppEventsGateway] },
      (app) => app.useWebSocketAdapter(new WsAdapter(app)),
    );
    const gateway = new WebSocket(`ws://127.0.0.1:${t.port}/events`);
    await new Promise((resolve, reject) => gateway.once('open', resolve).once('error', reject));
    const pong = new Promise<unknown>((resolve) => gateway.once('message', (d) => resolve(JSON.parse(d.toString()))));
    gateway.send(JSON.stringify({ event: 'ping', data: 42 }));
    expect(await pong).toEqual({ event: 'pong', data: 42 });

    const { peer } = await RawPeer.hello(t.wsUrl);
    peer.request('d', 'echo', { beside: 'gateway' });
    expect((await peer.reply('d')).data).toEqual({ beside: 'gateway' });

    // a path neither serves is refused, as before
    const stray = new WebSocket(`ws://127.0.0.1:${t.port}/nowhere`);
    await new Promise<void>((resolve) => stray.once('error', () => resolve()));
    gateway.close();
    await peer.close();
  });
});
