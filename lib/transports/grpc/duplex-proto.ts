import * as protoLoader from '@grpc/proto-loader';
import { findDuplexProto, PROTO_LOADER_OPTIONS, type ProtoEnvelope } from '../../envelope/duplex-proto.js';

export type { ProtoEnvelope } from '../../envelope/duplex-proto.js';

/** proto/duplex.proto, or a clear start-up error when the package lost it. */
export function protoPath(): string {
  const path = findDuplexProto();
  if (path === undefined) throw new Error('nest-duplex: proto/duplex.proto was not found beside the package');
  return path;
}

export interface ConnectMethod {
  requestDeserialize: (buffer: Buffer) => ProtoEnvelope;
  responseSerialize: (value: ProtoEnvelope) => Buffer;
}

/** The `duplex.v1.Duplex` service definition, loaded once. */
export function loadDuplexService(): protoLoader.ServiceDefinition {
  const definition = protoLoader.loadSync(protoPath(), PROTO_LOADER_OPTIONS);
  return definition['duplex.v1.Duplex'] as protoLoader.ServiceDefinition;
}
