/**
 * Nest's own gateway on `@nestjs/platform-ws`, written the way its docs show: `@SubscribeMessage`
 * returning `{event, data}`, and a broadcast that serialises once and loops over `server.clients`.
 */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { WebSocketServer as WsServer } from 'ws';
import { broadcastData } from '../lib/payload.js';
import { runServer } from './harness.js';

@Injectable()
@WebSocketGateway({ path: '/ws' })
class EchoGateway {
  @WebSocketServer()
  server!: WsServer;

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): { event: string; data: unknown } {
    return { event: 'echo', data };
  }

  broadcast(round: number, burst: number): void {
    for (let i = 0; i < burst; i++) {
      const text = JSON.stringify({ event: 'tick', data: broadcastData(round, i) });
      for (const client of this.server.clients) client.send(text);
    }
  }
}

@Module({ providers: [EchoGateway] })
class BenchModule {}

await runServer(async () => {
  const app = await NestFactory.create(BenchModule, { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const gateway = app.get(EchoGateway);
  return {
    port: ((app.getHttpServer() as Server).address() as AddressInfo).port,
    connections: () => gateway.server.clients.size,
    broadcast: (round, burst) => gateway.broadcast(round, burst),
  };
});
