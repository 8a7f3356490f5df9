import { afterEach, describe, expect, it } from 'vitest';
import { type DuplexBroker, DuplexService, type DuplexModuleOptions } from '../lib/index.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { ChaosProxy } from './support/chaos-proxy.js';
import { ClientPool, nextValue } from './support/clients.js';
import { RawPeer } from './support/raw-peer.js';
import { startTestApp, type TestApp, until } from './support/test-app.js';
import { closeBroker, TRANSPORT_BROKER_CASES } from './support/suite-cases.js';

describe.each(TRANSPORT_BROKER_CASES)('recovery over $name', ({ transport, makeBroker }) => {
  let t: TestApp | undefined;
  let proxy: ChaosProxy | undefined;
  let broker: DuplexBroker | undefined;
  const pool = new ClientPool();

  afterEach(async () => {
    await pool.closeAll();
    await proxy?.close();
    await t?.app.close();
    await closeBroker(broker);
    t = proxy = broker = undefined;
  });

  async function setUp(options: DuplexModuleOptions, client: Record<string, unknown> = {}) {
    broker = makeBroker();
    t = await startTestApp(fixtureModule({ ...transport.server, broker, ...options }));
    proxy = await ChaosProxy.start(transport.port(t));
    const c = pool.create({ ...transport.client(proxy.port), reconnect: { baseMs: 1, maxMs: 20 }, ...client });
    const received: number[] = [];
    c.registerCallback('tick', (data) => void received.push(data.i as number));
    expect(await c.connect()).toBe(true);
    return { client: c, received, duplex: t.app.get(DuplexService), sessionId: c.sessionId! };
  }

  /** Sends ticks from..to-1, then waits until the client has them all. */
  async function stream(duplex: DuplexService, sessionId: string, received: number[], from: number, to: number) {
    for (let i = from; i < to; i++) await duplex.send(sessionId, 'tick', { i });
    await until(() => received.length >= to, 10_000, `${to} ticks`);
  }

  it('a reconnect at 0 ms, before the server noticed the old link is gone, loses and repeats nothing', async () => {
    const { client, received, duplex, sessionId } = await setUp({ heartbeat: { intervalMs: 10_000, timeoutMs: 10_000 } });
    await stream(duplex, sessionId, received, 0, 100);
    for (let round = 0; round < 10; round++) {
      const back = nextValue<{ resumed: boolean }>((resolve) => client.on('reconnected', resolve), 5000, 'reconnected');
      proxy!.dropClientSide();
      // the server keeps writing into the old, silent link while the client comes back
      const sending = stream(duplex, sessionId, received, 100 + round * 100, 200 + round * 100);
      expect((await back).resumed).toBe(true);
      await sending;
      expect((await duplex.getSessions()).find((s) => s.sessionId === sessionId)?.connected).toBe(true);
    }
    expect(received).toEqual(Array.from({ length: 1100 }, (_, i) => i));
  });

  it('a silent partition: the client detects it by heartbeat, resumes and takes the session over; nothing lost or doubled', async () => {
    // An HTTP client's idle keep-alive connections went through the partition too: a hello sent on
    // one of them waits out the handshake timeout (requestTimeoutMs), then goes again on a new one.
    const { client, received, duplex, sessionId } = await setUp(
      { heartbeat: { intervalMs: 150, timeoutMs: 5000 } },
      { heartbeat: { timeoutMs: 150 }, requestTimeoutMs: 2000 },
    );
    await stream(duplex, sessionId, received, 0, 50);
    const lost = nextValue<unknown>((resolve) => client.on('disconnected', resolve), 5000, 'disconnected');
    const back = nextValue<{ resumed: boolean }>((resolve) => client.on('reconnected', resolve), 15_000, 'reconnected');
    proxy!.partition();
    // written into the dead link: the server cannot know yet
    for (let i = 50; i < 150; i++) await duplex.send(sessionId, 'tick', { i });
    await lost;
    // the server still holds the old link when the resume arrives (its own timeout is 5 s away)
    expect((await duplex.getSessions()).find((s) => s.sessionId === sessionId)?.connected).toBe(true);
    expect((await back).resumed).toBe(true);
    await stream(duplex, sessionId, received, 150, 200);
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(client.sessionId).toBe(sessionId);
  });

  it('a client away for less than the TTL gets everything sent meanwhile', async () => {
    const { client, received, duplex, sessionId } = await setUp({ session: { ttlMs: 10_000 } }, { reconnect: { baseMs: 20, maxMs: 50 } });
    proxy!.refuse(true);
    proxy!.killClientSide();
    await until(async () => (await duplex.getSessions()).find((s) => s.sessionId === sessionId)?.connected === false, 5000, 'server to notice');
    for (let i = 0; i < 500; i++) await duplex.send(sessionId, 'tick', { i });
    const back = nextValue<{ resumed: boolean }>((resolve) => client.on('reconnected', resolve), 5000, 'reconnected');
    proxy!.refuse(false);
    expect((await back).resumed).toBe(true);
    await until(() => received.length >= 500, 5000, '500 ticks');
    expect(received).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('past the TTL the resume answers session_expired and a fresh session', async () => {
    const { client, duplex, sessionId } = await setUp({ session: { ttlMs: 200 } }, { reconnect: { baseMs: 20, maxMs: 50 } });
    proxy!.refuse(true);
    proxy!.killClientSide();
    await until(async () => !(await duplex.getSessions()).some((s) => s.sessionId === sessionId), 5000, 'session to expire');
    const lostEvent = nextValue<{ code: string }>((resolve) => client.on('session_lost', resolve), 5000, 'session_lost');
    proxy!.refuse(false);
    expect((await lostEvent).code).toBe('session_expired');
    await until(() => client.connected, 5000, 'client to be connected');
    expect(client.sessionId).not.toBe(sessionId);
    expect(await client.request('echo', { fresh: true })).toEqual({ fresh: true });
  });

  it('past the outbox cap the resume answers outbox_overflow', async () => {
    const { client, duplex, sessionId } = await setUp({ outbox: { maxMessages: 20 } }, { reconnect: { baseMs: 20, maxMs: 50 } });
    proxy!.refuse(true);
    proxy!.killClientSide();
    await until(async () => (await duplex.getSessions()).find((s) => s.sessionId === sessionId)?.connected === false, 5000, 'server to notice');
    for (let i = 0; i < 20; i++) await duplex.send(sessionId, 'tick', { i });
    await expect(duplex.send(sessionId, 'tick', { i: 20 })).rejects.toMatchObject({ code: 'outbox_overflow' });
    const lostEvent = nextValue<{ code: string }>((resolve) => client.on('session_lost', resolve), 5000, 'session_lost');
    proxy!.refuse(false);
    expect((await lostEvent).code).toBe('outbox_overflow');
  });

  it('a peer that stops answering is detected within interval + timeout on both ends', async () => {
    const heartbeat = { intervalMs: 200, timeoutMs: 200 };
    // Without heartbeats nothing would ever detect these links: a generous bound still proves it was the heartbeat.
    const slack = 1000;
    const { client, duplex } = await setUp({ heartbeat });
    // client end first, on the link it was just welcomed on: the link goes silent in both directions
    await until(() => client.connected, 5000, 'client to be connected');
    const lost = nextValue<unknown>((resolve) => client.on('disconnected', resolve), 5000, 'client detection');
    proxy!.partition();
    const cutAt = Date.now();
    await lost;
    expect(Date.now() - cutAt).toBeLessThanOrEqual(heartbeat.intervalMs + heartbeat.timeoutMs + slack);
    // server end: a raw peer whose socket is paused never answers the heartbeat
    const { peer, welcome } = await RawPeer.hello(t!.wsUrl);
    const rawSession = (welcome.data as Record<string, unknown>).session_id as string;
    peer.ws.pause();
    const pausedAt = Date.now();
    await until(async () => (await duplex.getSessions()).find((s) => s.sessionId === rawSession)?.connected === false, 5000, 'server detection');
    expect(Date.now() - pausedAt).toBeLessThanOrEqual(heartbeat.intervalMs + heartbeat.timeoutMs + slack);
    peer.ws.terminate();
  });

});
