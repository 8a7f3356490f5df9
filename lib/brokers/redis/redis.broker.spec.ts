/**
 * What only the Redis broker has to show: TTLs on every key, expiry when a node dies, catching
 * up after its subscriber connection dropped, and calls during an outage. Against the real Redis at REDIS_URL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { holder, LIMITS, message, NodeLog, record, ROOMY } from '../../../test/support/broker-fixtures.js';
import { ChaosProxy } from '../../../test/support/chaos-proxy.js';
import { REDIS_URL, redisTestBroker, testPrefix } from '../../../test/support/redis.js';
import { until } from '../../../test/support/test-app.js';
import type { DuplexBroker } from '../broker.js';
import { BrokerUnavailableError } from '../broker-unavailable.error.js';
import { RedisBroker } from './redis.broker.js';

describe('RedisBroker', () => {
  const open: DuplexBroker[] = [];
  afterEach(async () => {
    for (const broker of open.splice(0)) await broker.close?.();
  });

  it('every key it writes has a TTL', async () => {
    const keyPrefix = testPrefix();
    const broker = redisTestBroker({ keyPrefix });
    open.push(broker);
    await broker.bus.join('n1', () => undefined);
    await broker.sessions.create(record('s1'), LIMITS);
    await broker.sessions.create(record('s2'), LIMITS);
    await broker.sessions.attach('s1', holder('n1', 'l1'), null);
    await broker.rooms.join('s1', 'blue');
    await broker.outbox.append('s1', message(1), ROOMY, { origin: 'n1' });
    await broker.inbound.accept('s1', { seq: 1, id: 'r1', window: 8 });
    await broker.sessions.end('s2', 'session_expired', LIMITS.ttlMs);
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${keyPrefix}*`);
      expect(keys.length).toBeGreaterThanOrEqual(8);
      const ttls = await Promise.all(keys.map(async (key) => [key, await redis.pttl(key)] as const));
      expect(ttls.filter(([, ttl]) => ttl <= 0)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('a node that stops renewing (it died) lets its held sessions expire; another node ends them and tells every node', async () => {
    const keyPrefix = testPrefix();
    const dead = new RedisBroker({ redis: REDIS_URL, keyPrefix, holdRenewMs: 50 }); // closed without deleting the keys
    const alive = redisTestBroker({ keyPrefix, sweepIntervalMs: 25, holdRenewMs: 50 });
    open.push(alive);
    const log = new NodeLog();
    await alive.bus.join('n2', log.listener);
    await dead.sessions.create(record('s1'), { ...LIMITS, ttlMs: 100 });
    await dead.sessions.attach('s1', holder('n1', 'l1'), null);
    // Renewed while its node lives: still live after an offline witness of four TTLs has expired.
    await alive.sessions.create(record('witness'), { ...LIMITS, ttlMs: 400 });
    await log.next((e) => e.kind === 'ended' && e.sessionId === 'witness', 10_000);
    expect((await alive.sessions.lookup('s1')).state).toBe('live');
    await dead.close(); // no detach: the node is gone
    await log.next((e) => e.kind === 'ended' && e.sessionId === 's1' && e.reason === 'session_expired');
    expect(await alive.sessions.lookup('s1')).toEqual({ state: 'ended', reason: 'session_expired' });
  });

  it('after its subscriber connection comes back, a node is told what it may have missed: held sessions woken, a takeover found in the store', async () => {
    const keyPrefix = testPrefix();
    const broker = redisTestBroker({ keyPrefix, holdRenewMs: 60_000 });
    const other = new RedisBroker({ redis: REDIS_URL, keyPrefix });
    open.push(broker, other);
    const log = new NodeLog();
    await broker.bus.join('n1', log.listener);
    for (const id of ['kept', 'taken']) {
      await broker.sessions.create(record(id), LIMITS);
      await broker.sessions.attach(id, holder('n1', `l-${id}`), null);
    }
    // Another node takes a session over without a word on the bus (its takeover event was lost).
    await other.sessions.attach('taken', holder('n2', 'l2'), null);
    const admin = new Redis(REDIS_URL);
    try {
      const clients = await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub');
      const id = /id=(\d+) [^\n]*name=(\S+)/g;
      const ours = [...String(clients).matchAll(id)].filter((m) => m[2] === `${keyPrefix}subscriber`).map((m) => m[1]);
      expect(ours).toHaveLength(1);
      await admin.call('CLIENT', 'KILL', 'ID', ours[0]);
    } finally {
      admin.disconnect();
    }
    await log.next((e) => e.kind === 'takeover' && e.sessionId === 'taken' && e.link === 'l-taken');
    await log.next((e) => e.kind === 'wake' && e.sessionId === 'kept');
    // and the bus works again
    await broker.bus.send('n1', { kind: 'ended', sessionId: 'after', reason: 'r' });
    await log.next((e) => e.kind === 'ended' && e.sessionId === 'after');
  });
});

describe('RedisBroker options', () => {
  it('refuses a misspelt option or a bad value before it connects', () => {
    expect(() => new RedisBroker({ redis: REDIS_URL, keyPrefx: 'x:' } as never)).toThrow('RedisBroker: unknown option "keyPrefx"');
    expect(() => new RedisBroker({ redis: REDIS_URL, holdRenewMs: 0 })).toThrow('RedisBroker: option "holdRenewMs" is 0');
  });
});

describe('RedisBroker when Redis goes away', () => {
  let proxy: ChaosProxy | undefined;
  const open: DuplexBroker[] = [];
  afterEach(async () => {
    for (const broker of open.splice(0)) await broker.close?.();
    await proxy?.close();
  });

  it('a call whose reply was lost rejects with BrokerUnavailableError (mayHaveRun) and is never run again; calls while unreachable reject (never run); it reconnects by itself', async () => {
    proxy = await ChaosProxy.start(Number(new URL(REDIS_URL).port || 6379));
    const keyPrefix = testPrefix();
    const broker = redisTestBroker({ redis: `redis://127.0.0.1:${proxy.port}`, keyPrefix });
    open.push(broker);
    await broker.sessions.create(record('s1'), LIMITS);
    const outboxLength = async () => {
      const redis = new Redis(REDIS_URL);
      try {
        return await redis.llen(`${keyPrefix}{s1}:o`);
      } finally {
        redis.disconnect();
      }
    };
    proxy.dropReplies();
    const lost = broker.outbox.append('s1', message(1), ROOMY, { origin: 'n1' });
    const outcome = lost.then(
      () => undefined,
      (err: unknown) => err,
    );
    await until(async () => (await outboxLength()) === 1, 5000, 'Redis to run the append');
    proxy.refuse(true);
    proxy.killClientSide();
    const inFlight = await outcome;
    expect(inFlight).toBeInstanceOf(BrokerUnavailableError);
    expect(inFlight).toMatchObject({ mayHaveRun: true, message: expect.stringMatching(/^Redis is unreachable/) });
    const whileDown = await broker.outbox.append('s1', message(2), ROOMY, { origin: 'n1' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(whileDown).toMatchObject({ name: 'BrokerUnavailableError', mayHaveRun: false });
    proxy.refuse(false);
    expect(await broker.outbox.append('s1', message(3), ROOMY, { origin: 'n1' })).toEqual({ ok: true, seq: 2 });
    const read = await broker.outbox.read('s1', 0, 10);
    expect(read.ok && read.entries.map((e) => e.message.id)).toEqual(['m1', 'm3']);
  });
});
