/** Starts the sample: the duplex endpoints, the browser page, and the client (modules and bundle) the page imports. */
import 'reflect-metadata';
import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppModule } from './app.module.js';
import { readSampleConfig } from './sample.config.js';

// This file runs as dist/sample/main.js: the repository root is two levels up.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

async function bootstrap(): Promise<void> {
  const logger = new Logger('Sample');
  const config = readSampleConfig();
  for (const { name, reason } of config.ignored) {
    logger.warn(`${name} is set but ignored for now: ${reason}.`);
  }

  const app = await NestFactory.create<NestExpressApplication>(AppModule, { forceCloseConnections: true });
  app.enableShutdownHooks();
  app.useGlobalPipes(new ValidationPipe({ transform: true }));
  app.useStaticAssets(join(root, 'sample', 'public'));
  // The browser imports the client as plain ES modules from the compiled library: only the client
  // and the envelope files it imports are served, never the server's own code.
  app.useStaticAssets(join(root, 'dist', 'lib', 'client'), { prefix: '/lib/client/' });
  app.useStaticAssets(join(root, 'dist', 'lib', 'envelope'), { prefix: '/lib/envelope/' });
  // The browser build (one ES module, scripts/build-browser.mjs), which the page itself uses.
  app.useStaticAssets(join(root, 'dist', 'browser'), { prefix: '/browser/' });

  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = displayHost(config.host);
  logger.log(`Listening on ${config.host}:${port}`);
  logger.log(`HTTP          http://${host}:${port}`);
  logger.log(`WebSocket     ws://${host}:${port}/duplex?token=demo`);
  logger.log(`SSE, polling  http://${host}:${port}/duplex/negotiate`);
  logger.log(`Browser page  http://${host}:${port}/  (tokens: demo, alice, admin)`);
  if (config.redisUrl !== undefined) logger.log(`Broker        Redis at ${config.redisUrl.replace(/\/\/[^@]*@/, '//')} (sessions shared with every node on it)`);
  if (config.grpcUrl !== undefined) logger.log(`gRPC          ${config.grpcUrl}  (duplex.v1.Duplex/Connect, metadata token: demo)`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Sample').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
