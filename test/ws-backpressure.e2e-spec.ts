import { describe, expect, it } from 'vitest';
import { DuplexService } from '../lib/index.js';
import { fixtureModule } from './fixtures/fixture.module.js';
import { RawPeer } from './support/raw-peer.js';
import { serverSockets } from './support/server-sockets.js';
import { startTestApp, until } from './support/test-app.js';

describe('a slow reader', () => {
  it('fills the outbox, not the socket buffer, and gets everything in order once it reads again', async () => {
    const highWaterMark = 64 * 1024;
    const t = await startTestApp(
      fixtureModule({ websocket: { highWaterMark }, outbox: { maxMessages: 100_000, maxBytes: 256 * 1024 * 1024 } }),
    );
    try {
      const { peer, welcome } = await RawPeer.hello(t.wsUrl);
      const sessionId = (welcome.data as Record<string, unknown>).session_id as string;
      peer.ws.pause();
      const duplex = t.app.get(DuplexService);
      const [socket] = serverSockets(t);
      const pad = 'x'.repeat(1000);
      let maxBuffered = 0;
      const total = 30_000; // ~30 MB: far more than loopback's kernel buffers hold
      for (let i = 0; i < total; i++) {
        await duplex.send(sessionId, 'bulk', { i, pad });
        maxBuffered = Math.max(maxBuffered, socket.bufferedAmount);
      }
      // the socket never held much more than the mark; the rest waited in the outbox
      expect(maxBuffered).toBeGreaterThan(0);
      expect(maxBuffered).toBeLessThan(highWaterMark + 4 * 1100);
      let next = 0;
      let acked = 0;
      peer.ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { seq?: number; data?: { i?: number } };
        if (frame.seq === undefined) return;
        expect(frame.data?.i).toBe(next);
        next++;
        if (frame.seq - acked >= 500) {
          acked = frame.seq;
          peer.send({ id: `ack-${acked}`, type: 'ack', action: '', data: { seq: acked }, timestamp: 1 });
        }
      });
      peer.ws.resume();
      await until(() => next === total, 30_000, `${total} messages`);
      await peer.close();
    } finally {
      await t.app.close();
    }
  }, 60_000);
});
