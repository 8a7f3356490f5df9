/**
 * Two nodes, each with its own RedisBroker on one Redis, behind one address that sends every new
 * connection to the other node (no sticky sessions). Links die at random while both nodes stream
 * to the client and it sends requests: every message arrives once, in order, and every request
 * runs once, whichever node it reached.
 */
import { afterEach, expect, it } from 'vitest';
import { ChaosProxy } from './support/chaos-proxy.js';
import { ClientPool, deadline, nextValue, pace } from './support/clients.js';
import { RedisNodes } from './support/redis-nodes.js';
import { seededRandom } from './support/seeded-random.js';

const NOTIFICATIONS = 10_000;
const REQUESTS = 2_000;
const KILLS = 30;


let cluster: RedisNodes | undefined;
let proxy: ChaosProxy | undefined;
const pool = new ClientPool();

afterEach(async () => {
  await pool.closeAll();
  await proxy?.close();
  await cluster?.close();
  cluster = undefined;
  proxy = undefined;
});

it(`two nodes on Redis, every reconnect to the other node: ${NOTIFICATIONS} notifications and ${REQUESTS} requests survive ${KILLS} link kills, once and in order`, async () => {
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000_007);
  const random = seededRandom(seed);
  cluster = await RedisNodes.start(2, { heartbeat: { intervalMs: 1000, timeoutMs: 1000 }, outbox: { maxMessages: 50_000 } });
  const ports = cluster.ports;
  let connections = 0;
  proxy = await ChaosProxy.start(() => ports[connections++ % ports.length]);
  const nodes = cluster.services;
  const client = pool.create({
    serverUrl: `http://127.0.0.1:${proxy.port}`,
    protocolType: 'websocket',
    reconnect: { baseMs: 2, maxMs: 40 },
    requestTimeoutMs: 120_000,
    outbox: { maxMessages: REQUESTS + 100 },
  });
  const received: number[] = [];
  const allReceived = new Promise<void>((resolve) =>
    client.registerCallback('tick', (data) => {
      received.push(data.i as number);
      if (received.length === NOTIFICATIONS) resolve();
    }),
  );
  let linkUp = true;
  let reconnects = 0;
  client.on('disconnected', () => (linkUp = false));
  client.on('reconnected', () => {
    linkUp = true;
    reconnects++;
  });
  expect(await client.connect()).toBe(true);
  const sessionId = client.sessionId!;
  const kills = Array.from({ length: KILLS }, () => ({ at: Math.floor(random() * 3000), side: random() < 0.5 ? 'server' : 'client' })).sort((x, y) => x.at - y.at);
  const started = Date.now();

  // Each kill waits for a welcomed link, then for the client to see it die.
  const killer = (async () => {
    for (const kill of kills) {
      await pace(Math.max(0, kill.at - (Date.now() - started)));
      if (!linkUp) await nextValue((resolve) => client.on('reconnected', resolve), 30_000, 'a reconnect before the next kill');
      const down = nextValue((resolve) => client.on('disconnected', resolve), 30_000, 'the client to see the kill');
      if (kill.side === 'server') proxy!.killServerSide();
      else proxy!.killClientSide();
      await down;
    }
    if (!linkUp) await nextValue((resolve) => client.on('reconnected', resolve), 30_000, 'the reconnect after the last kill');
  })();
  // Both nodes stream, in turn: the order of the appends is the order of i.
  const producer = (async () => {
    for (let i = 0; i < NOTIFICATIONS; i++) {
      await nodes[i % 2].send(sessionId, 'tick', { i });
      if (i % 40 === 39) await pace(10);
    }
  })();
  const requests: Promise<Record<string, unknown>>[] = [];
  const sender = (async () => {
    for (let i = 0; i < REQUESTS; i++) {
      requests.push(client.request('counted', { key: `redis-chaos-${seed}-${i}` }));
      if (i % 10 === 9) await pace(12);
    }
  })();

  try {
    await Promise.all([killer, producer, sender]);
    await deadline(Promise.all(requests), 30_000, 'every response');
    await deadline(allReceived, 30_000, `all ${NOTIFICATIONS} notifications (got ${received.length})`);
    expect(received).toEqual(Array.from({ length: NOTIFICATIONS }, (_, i) => i));
    for (let i = 0; i < REQUESTS; i++) expect(cluster.runs(`redis-chaos-${seed}-${i}`), `request ${i} ran`).toBe(1);
    const ranOn = cluster.keysRan().map((keys) => keys.filter((k) => k.startsWith('redis-chaos')).length);
    expect(ranOn.every((n) => n > 0), `requests ran on both nodes: ${ranOn}`).toBe(true);
    expect(reconnects).toBeGreaterThanOrEqual(KILLS);
    console.log(`redis chaos: seed ${seed}, ${reconnects} reconnects, requests per node ${ranOn}, ${Date.now() - started} ms`);
  } catch (err) {
    (err as Error).message = `${(err as Error).message}\n  replay with CHAOS_SEED=${seed}; kills=${JSON.stringify(kills)}`;
    throw err;
  }
}, 120_000);
