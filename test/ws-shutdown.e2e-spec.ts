import { describe, expect, it, vi } from 'vitest';
import { deadline } from './support/clients.js';
import { RawPeer } from './support/raw-peer.js';
import { startTestApp, until } from './support/test-app.js';
import { fixtureModule } from './fixtures/fixture.module.js';

const PEERS = 50;

/**
 * Runs `work` with setTimeout frozen, so it can only finish on I/O events, never on a timer firing.
 * The deadline that reports a hang runs on a real timer, armed before the clock is frozen.
 */
async function withTimersFrozen<T>(work: () => Promise<T>, ms: number, what: string): Promise<T> {
  let start!: () => void;
  const started = new Promise<void>((resolve) => (start = resolve));
  const done = deadline(started.then(work), ms, what);
  // shouldClearNativeTimers: the app clears timers it armed before the freeze (heartbeats).
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldClearNativeTimers: true });
  start();
  try {
    return await done;
  } finally {
    vi.useRealTimers();
  }
}

describe('shutdown', () => {
  it('app.close() with 50 connected clients sends each a 1001 close frame and finishes without waiting for the close grace', async () => {
    const handles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).sort();
    const before = handles();
    // The peers never answer heartbeats: pings every 50 ms keep the heartbeat timers running, and a
    // timeout far beyond the test's life means no peer is declared dead, however slow the machine.
    const t = await startTestApp(fixtureModule({ heartbeat: { intervalMs: 50, timeoutMs: 3_600_000 } }));
    const peers = await Promise.all(Array.from({ length: PEERS }, () => RawPeer.hello(t.wsUrl).then((r) => r.peer)));
    // Every link's heartbeat has fired at least once: shutdown meets live heartbeat timers.
    await Promise.all(peers.map((p) => p.next((f) => f.type === 'heartbeat')));

    // Clients answer the close frame at once; the 1 s grace (a timer) is only for dead peers. With
    // timers frozen the grace cannot fire: close() must finish on the peers' answers alone.
    await withTimersFrozen(() => t.app.close(), 20_000, 'app.close() to finish on the close handshakes alone');
    const closes = await Promise.all(peers.map((p) => p.closed));
    expect(closes.map((c) => c.code)).toEqual(Array<number>(PEERS).fill(1001));
    // Nothing of ours is left: no server, no socket.
    // (libuv releases a closed handle a loop turn or two after its close event.)
    await until(() => handles().length === before.length, 2000, 'server and sockets to be released').catch(() => undefined);
    expect(handles()).toEqual(before);
  });
});
