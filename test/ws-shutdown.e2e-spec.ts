import { describe, expect, it } from 'vitest';
import { RawPeer } from './support/raw-peer.js';
import { startTestApp, until } from './support/test-app.js';
import { fixtureModule } from './fixtures/fixture.module.js';

describe('shutdown', () => {
  it('app.close() with 50 connected clients sends each a 1001 close frame and finishes promptly', async () => {
    const handles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).sort();
    const before = handles();
    const t = await startTestApp(fixtureModule({ heartbeat: { intervalMs: 50, timeoutMs: 50 } }));
    const peers = await Promise.all(Array.from({ length: 50 }, () => RawPeer.hello(t.wsUrl).then((r) => r.peer)));
    const started = Date.now();
    await t.app.close();
    const elapsed = Date.now() - started;
    const closes = await Promise.all(peers.map((p) => p.closed));
    expect(closes.every((c) => c.code === 1001)).toBe(true);
    // Clients answer the close frame at once; the 1 s grace is only for dead peers.
    expect(elapsed).toBeLessThan(1000);
    // Nothing of ours is left: no server, no socket, no timer (heartbeats ran every 50 ms).
    // (libuv releases a closed handle a loop turn or two after its close event.)
    await until(() => handles().length === before.length, 2000, 'server and sockets to be released').catch(() => undefined);
    expect(handles()).toEqual(before);
  });
});
