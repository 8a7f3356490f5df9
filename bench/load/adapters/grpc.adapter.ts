/**
 * Client for the raw grpc-js echo server: one channel (one grpc.Client) and one `Connect` call per
 * bench client. Echo answers come back in order on the stream, so a FIFO of callbacks matches
 * them; a `notification` is a broadcast.
 */
import * as grpc from '@grpc/grpc-js';
import { Fifo } from '../../lib/fifo.js';
import { newDuplexClient, type GrpcEnvelope } from '../../lib/grpc-proto.js';
import { ECHO_TEXT } from '../../lib/payload.js';
import type { ClientAdapter, LoadConnection, LoadSink } from '../adapter.js';

/** The same application payload as every other system, in `data_json`; built once, encoded per write. */
const ECHO: GrpcEnvelope = { type: 'request', action: 'echo', data_json: ECHO_TEXT };

export const grpcAdapter: ClientAdapter = {
  connect(port: number, sink: LoadSink): Promise<LoadConnection> {
    return new Promise((resolve, reject) => {
      const client = newDuplexClient(port);
      const call = client.Connect();
      const pending = new Fifo<() => void>();
      let open = false;
      let closing = false;
      let finished = false;
      let ended: () => void = () => undefined;

      call.on('data', (message: GrpcEnvelope) => {
        if (message.type === 'notification') {
          sink.onBroadcast();
          return;
        }
        const done = pending.shift();
        if (done) done();
        else sink.onError(`unexpected ${message.type ?? '(no type)'} message`);
      });
      // The server sends its headers as the call starts: the call is usable from here.
      call.once('metadata', () => {
        open = true;
        resolve(connection);
      });
      call.on('error', () => undefined); // the status below says the same
      call.once('status', (status: grpc.StatusObject) => {
        finished = true;
        client.close();
        if (!open) reject(new Error(`call ended before it opened: ${grpc.status[status.code]} ${status.details}`));
        else if (!closing) sink.onUnexpectedClose(`grpc status ${grpc.status[status.code]} ${status.details}`);
        ended();
      });

      const connection: LoadConnection = {
        echo(done) {
          pending.push(done);
          call.write(ECHO);
        },
        close() {
          closing = true;
          return new Promise((done) => {
            if (finished) return done();
            ended = done;
            // Half-close; the server ends the call with OK, which closes the channel (status above).
            call.end();
          });
        },
        destroy() {
          closing = true;
          call.cancel();
          client.close();
        },
      };
    });
  },
};
