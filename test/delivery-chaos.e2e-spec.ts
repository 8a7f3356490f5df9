import { afterEach, describe, expect, it } from 'vitest';
import { type DuplexBroker, DuplexService, MemoryBroker } from '../lib/index.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { ChaosProxy } from './support/chaos-proxy.js';
import { ClientPool, deadline, nextValue, pace } from './support/clients.js';
import { seededRandom } from './support/seeded-random.js';
import { slowBroker } from './support/slow-broker.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { closeBroker, TRANSPORT_BROKER_CASES } from './support/suite-cases.js';
import { TRANSPORTS } from './support/transport-cases.js';

const NOTIFICATIONS = 10_000;
const REQUESTS = 2_000;
const KILLS = 30;


// Every transport on every broker, and once (over the first transport) the memory broker behind a
// wrapper that answers every call a few turns late, in order, with a seeded randomness.
const CASES: Array<{ name: string; transport: (typeof TRANSPORTS)[number]; make: (random: () => number) => DuplexBroker }> = [
  ...TRANSPORT_BROKER_CASES.map(({ name, transport, makeBroker }) => ({ name, transport, make: makeBroker })),
  { name: `${TRANSPORTS[0].name}, slow async broker`, transport: TRANSPORTS[0], make: (random) => slowBroker(new MemoryBroker(), random) },
];

describe.each(CASES)('delivery under link kills over $name', ({ transport, make }) => {
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

  it(`${NOTIFICATIONS} notifications and ${REQUESTS} requests survive ${KILLS} random kills: exactly once, in order`, async () => {
    const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000_007);
    const random = seededRandom(seed);
    t = await startTestApp(
      fixtureModule({ ...transport.server, broker: (broker = make(seededRandom(seed + 1))), heartbeat: { intervalMs: 1000, timeoutMs: 1000 }, outbox: { maxMessages: 50_000 } }),
    );
    proxy = await ChaosProxy.start(transport.port(t));
    const duplex = t.app.get(DuplexService);
    const handlers = t.app.get(FixtureHandlers);
    const client = pool.create({
      ...transport.client(proxy.port),
      reconnect: { baseMs: 2, maxMs: 40 },
      requestTimeoutMs: 120_000,
      outbox: { maxMessages: REQUESTS + 100 },
    });

    const received: number[] = [];
    let reconnects = 0;
    client.on('reconnected', () => reconnects++);
    const allReceived = new Promise<void>((resolve) =>
      client.registerCallback('tick', (data) => {
        received.push(data.i as number);
        if (received.length === NOTIFICATIONS) resolve();
      }),
    );
    expect(await client.connect()).toBe(true);
    const sessionId = client.sessionId!;

    const kills = Array.from({ length: KILLS }, () => ({ at: Math.floor(random() * 3000), side: random() < 0.5 ? 'server' : 'client' }))
      .sort((a, b) => a.at - b.at);
    const log = `seed=${seed} kills=${JSON.stringify(kills)}`;

    const started = Date.now();
    let effectiveKills = 0;
    let observedKills = 0;
    let absorbedKills = 0;
    // Each kill waits for a welcomed link and then for the client to see it die: every kill hits a
    // live link however slow the machine, so the counts below do not depend on timing.
    let linkUp = true;
    client.on('disconnected', () => (linkUp = false));
    client.on('reconnected', () => (linkUp = true));
    const killer = (async () => {
      for (const kill of kills) {
        await pace(Math.max(0, kill.at - (Date.now() - started)));
        if (!linkUp) await nextValue((resolve) => client.on('reconnected', resolve), 30_000, 'a reconnect before the next kill');
        const down = nextValue((resolve) => client.on('disconnected', resolve), 30_000, 'the client to see the kill');
        const killed = kill.side === 'server' ? proxy!.killServerSide() : proxy!.killClientSide();
        if (killed > 0) effectiveKills++;
        // Long-polling between two polls has only idle keep-alive connections, which a kill closes
        // without touching the link: the client opens another. A round trip with no disconnect first
        // shows that (over the other transports every kill cuts the link, and the check below says so).
        const probe = client.request('echo', { probe: kill.at }).then(
          () => 'absorbed' as const,
          (err: unknown) => new Error(`the probe after a kill failed: ${String(err)}`),
        );
        down.catch(() => undefined);
        const outcome = await Promise.race([down.then(() => 'down' as const), probe]);
        if (outcome instanceof Error) throw outcome;
        if (outcome === 'down') observedKills++;
        else absorbedKills++;
      }
      if (!linkUp) await nextValue((resolve) => client.on('reconnected', resolve), 30_000, 'the reconnect after the last kill');
    })();
    const producer = (async () => {
      for (let i = 0; i < NOTIFICATIONS; i++) {
        await duplex.send(sessionId, 'tick', { i });
        if (i % 40 === 39) await pace(10);
      }
    })();
    const requests: Promise<Record<string, unknown>>[] = [];
    const sender = (async () => {
      for (let i = 0; i < REQUESTS; i++) {
        requests.push(client.request('counted', { key: `chaos-${seed}-${i}` }));
        if (i % 10 === 9) await pace(12);
      }
    })();

    try {
      await Promise.all([killer, producer, sender]);
      const responses = await deadline(Promise.all(requests), 30_000, 'every response');
      await deadline(allReceived, 30_000, `all ${NOTIFICATIONS} notifications (got ${received.length})`);
      expect(received).toEqual(Array.from({ length: NOTIFICATIONS }, (_, i) => i));
      expect(responses.every((r) => r.runs === 1)).toBe(true);
      for (let i = 0; i < REQUESTS; i++) {
        expect(handlers.calls.get(`chaos-${seed}-${i}`), `request ${i} ran`).toBe(1);
      }
      expect(effectiveKills).toBe(KILLS);
      if (transport.protocolType === 'long-polling') expect(observedKills).toBeGreaterThanOrEqual(KILLS / 2);
      else expect(absorbedKills).toBe(0);
      expect(reconnects).toBeGreaterThanOrEqual(observedKills);
      console.log(
        `chaos: seed ${seed}, ${effectiveKills} kills (${observedKills} cut the link, ${absorbedKills} only idle connections), ${reconnects} reconnects, ${Date.now() - started} ms`,
      );
    } catch (err) {
      (err as Error).message = `${(err as Error).message}\n  replay with CHAOS_SEED=${seed}; ${log}`;
      throw err;
    }
  }, 120_000);
});
