import { DuplexService, type DuplexModuleOptions, RedisBroker } from '../../lib/index.js';
import { FixtureHandlers } from '../fixtures/fixture.handlers.js';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { REDIS_URL, purge, testPrefix } from './redis.js';
import { startTestApp, type TestApp } from './test-app.js';

/**
 * Fixture apps in this process standing for separate nodes: each has its own RedisBroker (its own
 * connections and bus subscriptions), all on one key prefix of the test's own.
 */
export class RedisNodes {
  readonly apps: TestApp[] = [];
  readonly prefix = testPrefix();
  private readonly brokers: RedisBroker[] = [];

  static async start(count: number, options: DuplexModuleOptions = {}): Promise<RedisNodes> {
    const nodes = new RedisNodes();
    for (let i = 0; i < count; i++) {
      const broker = new RedisBroker({ redis: REDIS_URL, keyPrefix: nodes.prefix });
      nodes.brokers.push(broker);
      nodes.apps.push(await startTestApp(fixtureModule({ ...options, broker })));
    }
    return nodes;
  }

  get ports(): number[] {
    return this.apps.map((t) => t.port);
  }

  get services(): DuplexService[] {
    return this.apps.map((t) => t.app.get(DuplexService));
  }

  /** How often the fixture's `counted` handler ran for `key`, on all nodes together. */
  runs(key: string): number {
    return this.apps.reduce((sum, t) => sum + (t.app.get(FixtureHandlers).calls.get(key) ?? 0), 0);
  }

  /** Per node, the keys the fixture's `counted` handler ran for there. */
  keysRan(): string[][] {
    return this.apps.map((t) => [...t.app.get(FixtureHandlers).calls.keys()]);
  }

  /** Closes the apps, then the brokers, and deletes the prefix's keys. */
  async close(): Promise<void> {
    for (const t of this.apps) await t.app.close();
    for (const broker of this.brokers) await broker.close();
    await purge(this.prefix);
  }
}
