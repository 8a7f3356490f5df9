/**
 * nest-duplex over WebSocket, speaking docs/protocol.md directly (DuplexClient is too heavy for
 * thousands of connections in one generator): the protocol is DuplexLoadSession's, the frames are
 * duplex-text-frames.ts's JSON text.
 */
import WebSocket from 'ws';
import type { ClientAdapter, LoadConnection, LoadSink } from '../adapter.js';
import { DuplexLoadSession, type InboundFrame } from './duplex-session.js';
import { textFrames } from './duplex-text-frames.js';

interface Frame extends InboundFrame {
  data?: Record<string, unknown>;
}

export function duplexWsAdapter(path = '/duplex'): ClientAdapter {
  return {
    connect(port: number, sink: LoadSink): Promise<LoadConnection> {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
        let closing = false;
        const session = new DuplexLoadSession(
          textFrames(
            (text) => ws.send(text),
            () => ws.readyState === WebSocket.OPEN,
          ),
          sink,
          () => resolve(connection),
          (why) => {
            reject(new Error(why));
            ws.terminate();
          },
        );

        ws.on('message', (raw: Buffer) => {
          let frame: Frame;
          try {
            frame = JSON.parse(raw.toString()) as Frame;
          } catch {
            sink.onError('frame is not JSON');
            return;
          }
          session.receive(frame, () => frame.data);
        });
        ws.once('error', (err) => reject(err));
        ws.on('error', () => undefined);
        ws.once('close', (code) => {
          session.stop();
          if (!session.isWelcomed) reject(new Error(`closed (${code}) before the welcome`));
          else if (!closing) sink.onUnexpectedClose(`ws close ${code}`);
        });
        ws.once('open', () => session.hello());

        const connection: LoadConnection = {
          echo: (done) => session.echo(done),
          close() {
            closing = true;
            return new Promise((done) => {
              if (ws.readyState === WebSocket.CLOSED) return done();
              ws.once('close', () => done());
              // The server answers the goodbye and closes with 1000, as for DuplexClient.disconnect().
              session.bye();
              setTimeout(() => ws.close(1000), 2000).unref();
            });
          },
          destroy() {
            closing = true;
            session.stop();
            ws.terminate();
          },
        };
      });
    },
  };
}
