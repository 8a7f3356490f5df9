import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisBroker, type RedisBrokerOptions } from '../../lib/index.js';

/** The Redis the tests use. Unreachable, the tests that need it fail (they are never skipped). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of one test's own. */
export function testPrefix(): string {
  return `duplex-test:${randomBytes(6).toString('base64url')}:`;
}

/** Deletes every key under a prefix. */
export async function purge(prefix: string): Promise<void> {
  if (!prefix.startsWith('duplex-test:')) return; // never a pattern that matches someone else's keys
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // the command that needed it rejects, and fails the test
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A RedisBroker on a prefix of its own, whose keys are deleted when it is closed. */
export function redisTestBroker(options: Partial<RedisBrokerOptions> = {}): RedisBroker {
  const keyPrefix = options.keyPrefix ?? testPrefix();
  const broker = new RedisBroker({ redis: REDIS_URL, ...options, keyPrefix });
  const close = broker.close.bind(broker);
  broker.close = async () => {
    await close();
    await purge(keyPrefix);
  };
  return broker;
}
