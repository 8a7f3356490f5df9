/**
 * The runner's side of the Redis systems: check that `REDIS_URL` answers before a Redis system
 * starts (unreachable is a failure of the run, never a skip), read Redis's own CPU time around
 * the measured windows (`INFO cpu`), and delete the keys of the prefix its nodes used.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { withTimeout } from './clock.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Every prefix the bench gives its nodes starts with this, so a purge never matches anyone else's keys. */
const PREFIX_ROOT = 'duplex-bench:';

export class BenchRedis {
  /** The key prefix of this (system, run): its nodes share it (BENCH_REDIS_PREFIX). */
  readonly prefix = `${PREFIX_ROOT}${randomBytes(6).toString('base64url')}:`;

  private constructor(private readonly client: Redis) {}

  /** Connects and pings; rejects with the URL and the reason when Redis does not answer within 5 s. */
  static async open(url = REDIS_URL): Promise<BenchRedis> {
    const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 3000, lazyConnect: true, retryStrategy: () => null });
    let lastError = '';
    client.on('error', (err: Error) => (lastError = err.message));
    try {
      await withTimeout(
        client.connect().then(() => client.ping()),
        5000,
        `Redis at ${url}`,
      );
    } catch (err) {
      client.disconnect();
      const why = lastError || (err instanceof Error ? err.message : String(err));
      throw new Error(`Redis at ${url} is unreachable (${why}): the Redis systems need it (set REDIS_URL, or leave them out with --skip)`);
    }
    return new BenchRedis(client);
  }

  /** Redis's own CPU time so far (`used_cpu_sys + used_cpu_user` of `INFO cpu`), microseconds. */
  async cpuUs(): Promise<number> {
    const info = await this.client.info('cpu');
    const field = (name: string): number => {
      const value = new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1];
      if (value === undefined) throw new Error(`INFO cpu has no ${name}`);
      return Number(value);
    };
    return Math.round((field('used_cpu_sys') + field('used_cpu_user')) * 1e6);
  }

  /** Deletes every key under this prefix, then disconnects. */
  async purgeAndClose(): Promise<number> {
    let deleted = 0;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await this.client.unlink(...keys);
      } while (cursor !== '0');
    } finally {
      this.client.disconnect();
    }
    return deleted;
  }
}
