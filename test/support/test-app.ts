import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';

export interface TestApp {
  app: INestApplication;
  port: number;
  /** `ws://127.0.0.1:<port>/duplex` */
  wsUrl: string;
  /** `http://127.0.0.1:<port>` */
  httpUrl: string;
}

/** Starts a real Nest app on a free loopback port, as the README's main.ts does. */
export async function startTestApp(
  metadata: ModuleMetadata,
  configure?: (app: INestApplication) => void,
  path = '/duplex',
  appOptions: { forceCloseConnections?: boolean } = {},
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ forceCloseConnections: appOptions.forceCloseConnections ?? true, logger: ['error', 'warn'] });
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, port, wsUrl: `ws://127.0.0.1:${port}${path}`, httpUrl: `http://127.0.0.1:${port}` };
}

/** Resolves when `predicate` holds, polling on the event loop (never a blind sleep); rejects at the deadline. */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
