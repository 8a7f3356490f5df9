/**
 * nest-duplex over gRPC, speaking the protocol directly as the WebSocket adapter does
 * (DuplexLoadSession), over one `duplex.v1.Duplex/Connect` call on a channel of its own per bench
 * client. Each frame is one `Envelope` message: `data` travels as JSON text in `data_json`,
 * `seq`/`ack`/`reply_to` as the optional fields (the mapping of the gRPC transport).
 */
import * as grpc from '@grpc/grpc-js';
import { newDuplexClient, type GrpcEnvelope } from '../../lib/grpc-proto.js';
import { ECHO_TEXT } from '../../lib/payload.js';
import type { ClientAdapter, LoadConnection, LoadSink } from '../adapter.js';
import { DuplexLoadSession, type DuplexFrames } from './duplex-session.js';

const stamp = (): number => Date.now() / 1000;

function grpcFrames(write: (message: GrpcEnvelope) => void, writable: () => boolean): DuplexFrames {
  let session = '';
  return {
    writable,
    welcomed(sessionId) {
      session = sessionId;
    },
    hello(id) {
      write({ id, type: 'request', action: '$hello', data_json: '{}', timestamp: stamp(), session_id: '' });
    },
    ack(id, seq) {
      write({ id, type: 'ack', action: '', data_json: `{"seq":${seq}}`, timestamp: stamp(), session_id: session });
    },
    heartbeatAnswer(id, replyTo) {
      write({ id, type: 'heartbeat', action: '', data_json: '{}', timestamp: stamp(), session_id: session, reply_to: replyTo });
    },
    echo(id, seq, ack) {
      write({ id, type: 'request', action: 'echo', data_json: ECHO_TEXT, timestamp: stamp(), session_id: session, seq, ack });
    },
    unknownAction(id, action, replyTo, seq) {
      const data_json = '{"code":"unknown_action","message":"no handler"}';
      write({ id, type: 'error', action, data_json, timestamp: stamp(), session_id: session, reply_to: replyTo, seq });
    },
    bye(id) {
      write({ id, type: 'request', action: '$bye', data_json: '{}', timestamp: stamp(), session_id: session });
    },
  };
}

export const duplexGrpcAdapter: ClientAdapter = {
  connect(port: number, sink: LoadSink): Promise<LoadConnection> {
    return new Promise((resolve, reject) => {
      const client = newDuplexClient(port);
      const call = client.Connect();
      let closing = false;
      let finished = false;
      let ended: () => void = () => undefined;
      const session = new DuplexLoadSession(
        grpcFrames(
          (message) => call.write(message),
          () => !finished,
        ),
        sink,
        () => resolve(connection),
        (why) => {
          reject(new Error(why));
          call.cancel();
        },
      );

      call.on('data', (message: GrpcEnvelope) => {
        session.receive(message, () => {
          try {
            return JSON.parse(message.data_json ?? '') as unknown;
          } catch {
            return message.data_json;
          }
        });
      });
      call.on('error', () => undefined); // the status below says the same
      call.once('status', (status: grpc.StatusObject) => {
        finished = true;
        session.stop();
        client.close();
        const why = `grpc status ${grpc.status[status.code]} ${status.details}`;
        if (!session.isWelcomed) reject(new Error(`call ended before the welcome: ${why}`));
        else if (!closing) sink.onUnexpectedClose(why);
        ended();
      });
      // grpc-js holds writes until the call is up, so the hello goes at once.
      session.hello();

      const connection: LoadConnection = {
        echo: (done) => session.echo(done),
        close() {
          closing = true;
          return new Promise((done) => {
            if (finished) return done();
            ended = done;
            // The server answers the goodbye and ends the call with OK. Should it not, half-close.
            session.bye();
            setTimeout(() => call.end(), 2000).unref();
          });
        },
        destroy() {
          closing = true;
          session.stop();
          call.cancel();
          client.close();
        },
      };
    });
  },
};
