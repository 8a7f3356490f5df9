/**
 * nest-duplex as an application would use it, through the public API only: `DuplexModule.forRoot`
 * on the app's own HTTP server, an `@OnAction('echo')` handler, and a broadcast through
 * `DuplexService.broadcast` (which serialises once). Delivery is on as users run it: every
 * message is sequenced and kept until the client acks it.
 *
 * `--grpc` serves gRPC too, on a port of its own (the duplex-grpc system): the READY line then
 * names it (`READY <httpPort> grpc=<grpcPort>`). `--http` serves SSE and long-polling too, on the
 * app's own port under `/duplex` (the duplex-sse and duplex-lp systems). Without either the app is
 * WebSocket only, as before.
 *
 * `--redis` puts the app on the Redis broker (the duplex-ws-redis systems): `REDIS_URL` (default
 * redis://127.0.0.1:6379), key prefix `BENCH_REDIS_PREFIX`, which the runner gives every node of
 * one system and purges afterwards (bench/lib/bench-redis.ts). Started by hand without it, the node
 * uses a prefix of its own pid; its keys expire by their TTLs.
 */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { DuplexModule, DuplexService, OnAction, Payload, type DuplexModuleOptions, type EnvelopeData } from '../../lib/index.js';
// Not public API: the bound port of `grpc.url` port 0, the accessor the e2e tests use too.
import { GrpcTransport } from '../../lib/transports/grpc/grpc.transport.js';
import { broadcastData } from '../lib/payload.js';
import { runServer } from './harness.js';

@Injectable()
class BenchActions {
  constructor(private readonly duplex: DuplexService) {}

  @OnAction('echo')
  echo(@Payload() data: EnvelopeData): EnvelopeData {
    return data;
  }

  /** Also reachable as an action, so a client can trigger it; the runner calls it over IPC. */
  @OnAction('broadcast')
  async broadcast(@Payload() { round, burst }: { round: number; burst: number }): Promise<EnvelopeData> {
    for (let i = 0; i < burst; i++) await this.duplex.broadcast('tick', broadcastData(round, i));
    return {};
  }

  async connectedSessions(): Promise<number> {
    return (await this.duplex.getSessions()).filter((session) => session.connected).length;
  }
}

const withGrpc = process.argv.includes('--grpc');
const withHttp = process.argv.includes('--http');
const withRedis = process.argv.includes('--redis');
const transports: DuplexModuleOptions = withGrpc
  ? { websocket: { path: '/duplex' }, protocols: ['websocket', 'grpc'], grpc: { url: '127.0.0.1:0' } }
  : withHttp
    ? { websocket: { path: '/duplex' }, protocols: ['websocket', 'sse', 'long-polling'] }
    : { websocket: { path: '/duplex' } };
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const options: DuplexModuleOptions = withRedis
  ? {
      ...transports,
      broker: {
        // BENCH_REDIS_AUTOPIPELINE=1 (an experiment): the broker on an ioredis client of the app's
        // own with `enableAutoPipelining`, which writes the commands of one tick in one write.
        redis: process.env.BENCH_REDIS_AUTOPIPELINE === '1' ? new Redis(redisUrl, { maxRetriesPerRequest: 2, enableAutoPipelining: true }) : redisUrl,
        keyPrefix: process.env.BENCH_REDIS_PREFIX ?? `duplex-bench:pid${process.pid}:`,
      },
    }
  : transports;

@Module({
  imports: [DuplexModule.forRoot(options)],
  providers: [BenchActions],
})
class BenchModule {}

await runServer(async () => {
  const app = await NestFactory.create(BenchModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const actions = app.get(BenchActions);
  return {
    port: ((app.getHttpServer() as Server).address() as AddressInfo).port,
    ports: withGrpc ? { grpc: app.get(GrpcTransport).port! } : undefined,
    connections: () => actions.connectedSessions(),
    broadcast: async (round, burst) => {
      await actions.broadcast({ round, burst });
    },
  };
});
