import { afterEach, describe, expect, it } from 'vitest';
import { DuplexService } from '../lib/index.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { RawPeer } from './support/raw-peer.js';
import { serverSockets } from './support/server-sockets.js';
import { startTestApp, type TestApp, until } from './support/test-app.js';

/** Limits and hostile peers: nothing crashes, nothing grows without bound, nothing stalls. */
describe('limits', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.app.close();
    t = undefined;
  });

  it('delivers a stream of messages each larger than the high-water mark without stalling', async () => {
    t = await startTestApp(fixtureModule({ websocket: { highWaterMark: 16 * 1024 }, outbox: { maxBytes: 64 * 1024 * 1024 } }));
    const { peer, welcome } = await RawPeer.hello(t.wsUrl);
    const sessionId = (welcome.data as Record<string, unknown>).session_id as string;
    const duplex = t.app.get(DuplexService);
    const pad = 'y'.repeat(20 * 1024);
    for (let i = 0; i < 300; i++) await duplex.send(sessionId, 'big', { i, pad });
    for (let i = 1; i <= 300; i++) expect((await peer.next((f) => f.seq === i)).data?.i).toBe(i - 1);
    await peer.close();
  });

  it('a handler result that is not JSON answers internal, and the server keeps serving', async () => {
    t = await startTestApp(fixtureModule());
    const { peer } = await RawPeer.hello(t.wsUrl);
    peer.request('b1', 'bigint');
    expect(await peer.reply('b1')).toMatchObject({ type: 'error', data: { code: 'internal' } });
    peer.request('b2', 'echo', { ok: 1 });
    expect((await peer.reply('b2')).data).toEqual({ ok: 1 });
    await peer.close();
  });

  it('a peer that never reads cannot grow the server buffer with error answers', async () => {
    const highWaterMark = 64 * 1024;
    t = await startTestApp(fixtureModule({ websocket: { highWaterMark } }));
    const { peer } = await RawPeer.hello(t.wsUrl);
    peer.ws.pause();
    const [socket] = serverSockets(t);
    let max = 0;
    const sent = new Promise<void>((resolve) => {
      let n = 0;
      const burst = () => {
        for (let i = 0; i < 1000; i++) peer.ws.send(Buffer.alloc(0));
        max = Math.max(max, socket.bufferedAmount);
        if (++n < 40) setImmediate(burst);
        else resolve();
      };
      burst();
    });
    await sent;
    // 40,000 bad frames were answered while the peer read nothing; the buffer stayed bounded
    expect(max).toBeGreaterThan(highWaterMark);
    expect(max).toBeLessThan(2 * highWaterMark + 1024);
    peer.ws.terminate();
  });

  it('stops reading a session past maxInflight handlers and resumes when they finish; nothing is lost', async () => {
    t = await startTestApp(fixtureModule({ maxInflight: 32 }));
    const handlers = t.app.get(FixtureHandlers);
    handlers.closeGate();
    handlers.held = 0;
    const { peer } = await RawPeer.hello(t.wsUrl);
    const pad = 'z'.repeat(2048);
    for (let i = 0; i < 400; i++) peer.request(`h${i}`, 'hold', { i, pad }, { seq: i + 1 });
    await until(() => handlers.held >= 32, 5000, '32 handlers running');
    // the frames of TCP chunks already read still run after the pause, but far from all 400
    expect(handlers.held).toBeLessThan(150);
    handlers.release();
    for (let i = 0; i < 400; i++) expect((await peer.reply(`h${i}`)).data).toEqual({ i });
    expect(handlers.held).toBe(400);
    await peer.close();
  });

  it('a connection whose authentication finishes while the app closes is refused or closed, and close() does not hang', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const authStarted = new Promise<void>((resolve) => (entered = resolve));
    const app = await startTestApp(
      fixtureModule({
        authenticate: async () => {
          entered();
          await gate;
          return { id: 'late' };
        },
      }),
      undefined,
      '/duplex',
      { forceCloseConnections: false },
    );
    const late = RawPeer.open(app.wsUrl).then(
      async (peer) => (await peer.closed).code,
      (err: { status?: number }) => err.status,
    );
    await authStarted;
    const closing = app.app.close();
    release();
    await closing;
    // refused (503) if it finished authenticating after shutdown began, else closed with 1001
    expect([503, 1001]).toContain(await late);
  });
});
