/**
 * `broker: { redis }`: each app makes (and closes) its own RedisBroker on one prefix, and the two
 * apps share sessions as separate processes would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DuplexService } from '../lib/index.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { RawPeer } from './support/raw-peer.js';
import { purge, REDIS_URL, testPrefix } from './support/redis.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('the { redis } broker option', () => {
  const apps: TestApp[] = [];
  const prefix = testPrefix();

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.app.close();
    await purge(prefix);
  });

  it('two apps with the same Redis and prefix share a session; the module closes what it opened', async () => {
    for (let i = 0; i < 2; i++) apps.push(await startTestApp(fixtureModule({ broker: { redis: REDIS_URL, keyPrefix: prefix } })));
    const [a, b] = apps;
    const { peer, welcome } = await RawPeer.hello(a.wsUrl);
    const data = welcome.data as { session_id: string; resume_token: string };
    await b.app.get(DuplexService).send(data.session_id, 'n', { from: 'b' });
    expect(await peer.next((f) => f.action === 'n')).toMatchObject({ seq: 1, data: { from: 'b' } });
    peer.ws.terminate();
    const again = await RawPeer.hello(b.wsUrl, { session_id: data.session_id, resume_token: data.resume_token, last_seq: 0 });
    expect(again.welcome.data).toMatchObject({ resumed: true });
    expect(await again.peer.next((f) => f.action === 'n')).toMatchObject({ seq: 1 });
    await again.peer.close();
  });
});
