/**
 * proto/duplex.proto as every gRPC system of the bench uses it (the raw grpc-js server, both gRPC
 * client adapters): loaded by nest-duplex's own loader, so all of them share its options.
 */
import * as grpc from '@grpc/grpc-js';
import { type ConnectMethod, loadDuplexService, type ProtoEnvelope } from '../../lib/transports/grpc/duplex-proto.js';

/** One `duplex.v1.Envelope` as proto-loader gives and takes it (0 and "" arrive as absent fields). */
export type GrpcEnvelope = ProtoEnvelope;

export type DuplexCall = grpc.ClientDuplexStream<GrpcEnvelope, GrpcEnvelope>;

interface DuplexGrpcClient extends grpc.Client {
  Connect(metadata?: grpc.Metadata, options?: grpc.CallOptions): DuplexCall;
}

const service = loadDuplexService();
const connect = service.Connect as unknown as ConnectMethod;

/**
 * The service definition for `server.addService`, writing a Buffer as it is: a broadcast encodes
 * its message once and writes the same bytes to every call (as raw ws sends one pre-serialised
 * string, and as nest-duplex's transport writes what its codec encoded).
 */
export const duplexServiceDefinition = (): grpc.ServiceDefinition =>
  ({
    Connect: {
      ...service.Connect,
      responseSerialize: (value: Buffer | GrpcEnvelope): Buffer => (Buffer.isBuffer(value) ? value : connect.responseSerialize(value)),
    },
  }) as unknown as grpc.ServiceDefinition;

/** One envelope's bytes, for a write through `duplexServiceDefinition`. */
export const encodeEnvelope = (message: GrpcEnvelope): Buffer => connect.responseSerialize(message);

const Client = grpc.makeGenericClientConstructor(service as unknown as grpc.ServiceDefinition, 'Duplex');

/**
 * One client with a channel of its own. grpc-js shares subchannels (so one HTTP/2 connection)
 * between channels with the same target and options unless told otherwise; a bench client stands
 * for one remote application, so each gets its own connection, as every WebSocket client does.
 */
export function newDuplexClient(port: number): DuplexGrpcClient {
  return new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  }) as unknown as DuplexGrpcClient;
}
