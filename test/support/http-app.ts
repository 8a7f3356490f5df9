import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import type { TestApp } from './test-app.js';

/** The platforms the HTTP suites run on. */
export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Starts a real Nest app on a free loopback port, on Express (Nest's default) or Fastify. */
export async function startHttpApp(
  platform: Platform,
  metadata: ModuleMetadata,
  configure?: (app: INestApplication) => void,
  forceCloseConnections = true,
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const options = { forceCloseConnections, logger: ['error', 'warn'] as ('error' | 'warn')[] };
  const app = platform === 'fastify' ? moduleRef.createNestApplication(new FastifyAdapter(), options) : moduleRef.createNestApplication(options);
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, port, wsUrl: `ws://127.0.0.1:${port}/duplex`, httpUrl: `http://127.0.0.1:${port}` };
}
