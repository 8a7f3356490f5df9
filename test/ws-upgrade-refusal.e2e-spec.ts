import { afterEach, describe, expect, it } from 'vitest';
import type { DuplexModuleOptions } from '../lib/index.js';
import { fixtureModule, tokenAuth } from './fixtures/fixture.module.js';
import { deadline } from './support/clients.js';
import { type ConnectionCount, countConnections, rawUpgrade, writeUntilReset } from './support/raw-upgrade.js';
import { serverSockets } from './support/server-sockets.js';
import { startTestApp, type TestApp, until } from './support/test-app.js';

/**
 * Refused upgrades (issue 8, R1): the server answers and closes the TCP connection itself, so a
 * client that keeps its half open cannot hold a file descriptor. Clients here are bare TCP
 * sockets that allow half-open connections and never end their side.
 */
describe('refused upgrades', () => {
  let t: TestApp | undefined;
  let connections: ConnectionCount = { accepted: 0, open: 0 };
  afterEach(async () => {
    await t?.app.close();
    t = undefined;
  });

  async function start(options: DuplexModuleOptions): Promise<TestApp> {
    t = await startTestApp(fixtureModule(options));
    connections = countConnections(t.app.getHttpServer());
    return t;
  }

  it('after a 401 the server closes the TCP connection by itself', async () => {
    const app = await start({ authenticate: tokenAuth });
    const client = rawUpgrade(app.port, '/duplex?token=mallory');
    expect(await deadline(client.status, 5000, 'the 401')).toBe(401);
    await deadline(client.ended, 5000, 'the end of the response');
    writeUntilReset(client.socket);
    await deadline(client.closed, 5000, 'the server to close the connection');
    expect(connections.accepted).toBe(1);
    await until(() => connections.open === 0, 5000, 'no server-side socket');
  });

  it('50 refused upgrades leave no server-side socket', async () => {
    const app = await start({ authenticate: tokenAuth });
    const clients = Array.from({ length: 50 }, (_, i) => rawUpgrade(app.port, i % 2 === 0 ? '/duplex' : '/duplex?token=mallory'));
    const statuses = await deadline(Promise.all(clients.map((c) => c.status)), 10_000, '50 answers');
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(connections.accepted).toBe(50);
    await until(() => connections.open === 0, 5000, 'no server-side socket after 50 refusals');
    expect(serverSockets(app)).toHaveLength(0);
  });

  it('50 upgrades to a path nobody serves leave no server-side socket', async () => {
    const app = await start({});
    const clients = Array.from({ length: 50 }, () => rawUpgrade(app.port, '/elsewhere'));
    await deadline(Promise.all(clients.map((c) => c.ended)), 10_000, 'the server to end 50 connections');
    expect(connections.accepted).toBe(50);
    await until(() => connections.open === 0, 5000, 'no server-side socket');
  });

  it('an authenticate that never settles is cut at authTimeoutMs with 503, and its late answer is ignored', async () => {
    let grant: (principal: unknown) => void = () => undefined;
    const late = new Promise<unknown>((resolve) => (grant = resolve));
    const app = await start({ authenticate: () => late, authTimeoutMs: 150 });
    const client = rawUpgrade(app.port, '/duplex');
    expect(await deadline(client.status, 5000, 'the 503')).toBe(503);
    await deadline(client.ended, 5000, 'the end of the response');
    writeUntilReset(client.socket);
    await deadline(client.closed, 5000, 'the server to close the connection');
    await until(() => connections.open === 0, 5000, 'no server-side socket');
    grant({ id: 'too-late' });
    await late;
    await new Promise((resolve) => setImmediate(resolve)); // let the transport see the late principal
    expect(serverSockets(app)).toHaveLength(0);
  });

  it('clients that leave while authenticate is pending leave no socket behind and nothing throws', async () => {
    let entered = 0;
    const app = await start({ authenticate: () => (entered++, new Promise(() => undefined)), authTimeoutMs: 200 });
    const clients = Array.from({ length: 20 }, () => rawUpgrade(app.port, '/duplex'));
    await until(() => entered === 20, 5000, '20 pending authentications');
    expect(connections.open).toBe(20);
    for (const client of clients) client.socket.destroy();
    await until(() => connections.open === 0, 5000, 'no server-side socket');
  });
});
