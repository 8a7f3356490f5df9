/**
 * Raw @grpc/grpc-js on nest-duplex's proto: `Connect` is a bidi stream that writes back every
 * message it gets (decoded and encoded again, as any grpc-js service handles its messages);
 * broadcast encodes each message once and writes those bytes to every open call. No sessions,
 * no seq, no acks: the floor a gRPC transport is compared with.
 */
import * as grpc from '@grpc/grpc-js';
import { broadcastData } from '../lib/payload.js';
import { duplexServiceDefinition, encodeEnvelope, type GrpcEnvelope } from '../lib/grpc-proto.js';
import { runServer } from './harness.js';

type Call = grpc.ServerDuplexStream<GrpcEnvelope, GrpcEnvelope | Buffer>;

await runServer(async () => {
  const calls = new Set<Call>();
  const server = new grpc.Server();
  server.addService(duplexServiceDefinition(), {
    Connect(call: Call) {
      calls.add(call);
      // Response headers now, so the client knows the call is up before any message (its "open").
      call.sendMetadata(new grpc.Metadata());
      call.on('data', (message: GrpcEnvelope) => call.write(message));
      call.on('end', () => {
        calls.delete(call);
        call.end();
      });
      call.on('cancelled', () => calls.delete(call));
      call.on('error', () => calls.delete(call));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    port,
    connections: () => calls.size,
    broadcast(round, burst) {
      for (let i = 0; i < burst; i++) {
        const bytes = encodeEnvelope({ type: 'notification', action: 'tick', data_json: JSON.stringify(broadcastData(round, i)) });
        for (const call of calls) call.write(bytes);
      }
    },
  };
});
