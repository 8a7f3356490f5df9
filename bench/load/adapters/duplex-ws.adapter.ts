/**
 * nest-duplex over WebSocket, speaking docs/protocol.md directly (DuplexClient is too heavy for
 * thousands of connections in one generator): the protocol is DuplexLoadSession's, the frames are
 * JSON text built by hand here (the payload is pre-serialised, as the real client's would be).
 */
import WebSocket from 'ws';
import { ECHO_TEXT } from '../../lib/payload.js';
import type { ClientAdapter, LoadConnection, LoadSink } from '../adapter.js';
import { DuplexLoadSession, type DuplexFrames, type InboundFrame } from './duplex-session.js';

interface Frame extends InboundFrame {
  data?: Record<string, unknown>;
}

const stamp = (): number => Date.now() / 1000;

function wsFrames(ws: WebSocket): DuplexFrames {
  let session = '""';
  return {
    writable: () => ws.readyState === WebSocket.OPEN,
    welcomed(sessionId) {
      session = JSON.stringify(sessionId);
    },
    hello(id) {
      ws.send(`{"id":"${id}","type":"request","action":"$hello","data":{},"timestamp":${stamp()},"session_id":""}`);
    },
    ack(id, seq) {
      ws.send(`{"id":"${id}","type":"ack","action":"","data":{"seq":${seq}},"timestamp":${stamp()},"session_id":${session}}`);
    },
    heartbeatAnswer(id, replyTo) {
      ws.send(
        `{"id":"${id}","type":"heartbeat","action":"","data":{},"timestamp":${stamp()},"session_id":${session},"reply_to":${JSON.stringify(replyTo)}}`,
      );
    },
    echo(id, seq, ack) {
      ws.send(
        `{"id":"${id}","type":"request","action":"echo","data":${ECHO_TEXT},"timestamp":${stamp()},"session_id":${session},"seq":${seq}${ack === undefined ? '' : `,"ack":${ack}`}}`,
      );
    },
    unknownAction(id, action, replyTo, seq) {
      ws.send(
        `{"id":"${id}","type":"error","action":${JSON.stringify(action)},"data":{"code":"unknown_action","message":"no handler"},"timestamp":${stamp()},"session_id":${session},"reply_to":${JSON.stringify(replyTo)},"seq":${seq}}`,
      );
    },
    bye(id) {
      ws.send(`{"id":"${id}","type":"request","action":"$bye","data":{},"timestamp":${stamp()},"session_id":${session}}`);
    },
  };
}

export function duplexWsAdapter(path = '/duplex'): ClientAdapter {
  return {
    connect(port: number, sink: LoadSink): Promise<LoadConnection> {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
        let closing = false;
        const session = new DuplexLoadSession(
          wsFrames(ws),
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
