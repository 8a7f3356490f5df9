/**
 * Clients for servers that answer one text frame with one text frame, in order: raw `ws` (the
 * frame is the payload) and Nest's platform-ws gateway (`{event, data}` frames). A FIFO of
 * callbacks matches answers; any frame with nothing pending is a broadcast.
 */
import WebSocket from 'ws';
import { Fifo } from '../../lib/fifo.js';
import type { ClientAdapter, LoadConnection, LoadSink } from '../adapter.js';

export function fifoWsAdapter(path: string, echoFrame: string): ClientAdapter {
  return {
    connect(port: number, sink: LoadSink): Promise<LoadConnection> {
      return new Promise((resolve, reject) => {
        const pending = new Fifo<() => void>();
        let closing = false;
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
        ws.on('message', () => {
          const done = pending.shift();
          if (done) done();
          else sink.onBroadcast();
        });
        ws.once('error', (err) => reject(err));
        ws.on('error', () => undefined);
        ws.once('close', (code) => {
          if (!closing) sink.onUnexpectedClose(`ws close ${code}`);
        });
        ws.once('open', () =>
          resolve({
            echo(done) {
              pending.push(done);
              ws.send(echoFrame);
            },
            close() {
              closing = true;
              return new Promise((done) => {
                if (ws.readyState === WebSocket.CLOSED) return done();
                ws.once('close', () => done());
                ws.close(1000);
              });
            },
            destroy() {
              closing = true;
              ws.terminate();
            },
          }),
        );
      });
    },
  };
}
