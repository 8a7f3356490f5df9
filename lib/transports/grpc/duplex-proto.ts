import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The envelope as @grpc/proto-loader gives and takes it (proto/duplex.proto, keepCase, longs as numbers). */
export interface ProtoEnvelope {
  id?: string;
  type?: string;
  action?: string;
  data_json?: string;
  timestamp?: number;
  session_id?: string;
  reply_to?: string;
  seq?: number;
  ack?: number;
}

export const PROTO_LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, defaults: false, oneofs: true };

/** proto/duplex.proto, found from here whether this runs from lib/ (tests) or dist/lib/ (the package). */
export function protoPath(): string {
  for (const relative of ['../../../proto/duplex.proto', '../../../../proto/duplex.proto']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('nest-duplex: proto/duplex.proto was not found beside the package');
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
