import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DuplexService } from '../lib/index.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { RawPeer } from './support/raw-peer.js';
import { startTestApp, until } from './support/test-app.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const SESSIONS = 1000;
const MAX_BYTES = 32 * 1024;
/** ~370 characters each: 85 of them come close to MAX_BYTES without passing it. */
const MAX_MESSAGES = 85;
/** The bound README documents: memory per offline session ≤ 2 × outbox.maxBytes + 4 KiB. */
const BOUND_PER_SESSION = 2 * MAX_BYTES + 4096;

describe('memory', () => {
  it(`${SESSIONS} offline sessions with full outboxes stay within the documented bound`, async () => {
    const t = await startTestApp(fixtureModule({ outbox: { maxMessages: MAX_MESSAGES, maxBytes: MAX_BYTES } }));
    try {
      const duplex = t.app.get(DuplexService);
      const ids: string[] = [];
      for (let batch = 0; batch < SESSIONS / 100; batch++) {
        const opened = await Promise.all(Array.from({ length: 100 }, () => RawPeer.hello(t.wsUrl)));
        for (const { peer, welcome } of opened) {
          ids.push((welcome.data as Record<string, unknown>).session_id as string);
          await peer.close();
        }
      }
      await until(async () => (await duplex.getSessions()).every((s) => !s.connected), 5000, 'sessions to go offline');
      const before = heapUsed();
      for (const id of ids) {
        // distinct messages per session (a broadcast would share one body and cost far less)
        for (let i = 0; i < MAX_MESSAGES; i++) await duplex.send(id, 'fill', { i, id, pad: 'p'.repeat(200) });
      }
      const perSession = (heapUsed() - before) / SESSIONS;
      expect(perSession).toBeLessThan(BOUND_PER_SESSION);
      // full means full: one more is refused, and that session is ended
      await expect(duplex.send(ids[0], 'fill', { one: 'more' })).rejects.toMatchObject({ code: 'outbox_overflow' });
      console.log(`memory: ${Math.round(perSession)} bytes of heap per session with a full ${MAX_BYTES}-char outbox`);
    } finally {
      await t.app.close();
    }
  }, 120_000);
});
