/**
 * A rolling restart: a node shut down while a handler runs lets it finish and keeps its answer in
 * the broker before it leaves (and before a Redis broker it made itself is closed), so the client
 * gets the answer on its resume at another node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InboundProcessor } from '../lib/sessions/inbound.processor.js';
import { FixtureHandlers } from './fixtures/fixture.handlers.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { type Frame, RawPeer } from './support/raw-peer.js';
import { purge, REDIS_URL, testPrefix } from './support/redis.js';
import { startTestApp, type TestApp, until } from './support/test-app.js';

const apps: TestApp[] = [];
const peers: RawPeer[] = [];
let prefix = '';

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
  await Promise.all(apps.splice(0).map((t) => t.app.close()));
  await purge(prefix);
});

async function node(): Promise<TestApp> {
  const t = await startTestApp(fixtureModule({ broker: { redis: REDIS_URL, keyPrefix: prefix } }));
  apps.push(t);
  return t;
}

async function hello(url: string, data: Record<string, unknown> = {}): Promise<{ peer: RawPeer; welcome: Frame }> {
  const opened = await RawPeer.hello(url, data);
  peers.push(opened.peer);
  return opened;
}

describe('shutdown with a handler running (module-owned Redis broker)', () => {
  it('the handler finishes, its answer waits in the outbox, and the resume on another node gets it once', async () => {
    prefix = testPrefix();
    const first = await node();
    const handlers = first.app.get(FixtureHandlers);
    handlers.closeGate();
    const { peer, welcome } = await hello(first.wsUrl);
    const { session_id, resume_token } = welcome.data as { session_id: string; resume_token: string };
    peer.request('r1', 'hold', { i: 7 }, { seq: 1 });
    await until(() => handlers.held === 1, 5000, 'the handler to start');

    // The handler ends only once shutdown is past closing the links and deciding what to wait for:
    // a shutdown that did not wait would have closed the broker with the handler still running.
    const processor = first.app.get(InboundProcessor);
    const drain = processor.drain.bind(processor);
    processor.drain = (timeoutMs: number) => {
      handlers.release();
      return drain(timeoutMs);
    };
    const closing = first.app.close();
    apps.splice(apps.indexOf(first), 1);
    // The transports closed the links first: the client saw its link go before the handler ends.
    expect((await peer.closed).code).toBe(1001);
    await closing;

    const second = await node();
    const resumed = await hello(second.wsUrl, { session_id, resume_token, last_seq: 0 });
    expect((resumed.welcome.data as { resumed: boolean }).resumed).toBe(true);
    const answer = await resumed.peer.reply('r1');
    expect(answer).toMatchObject({ type: 'response', data: { i: 7 }, seq: 1 });
    expect(handlers.held).toBe(1);
  });
});
