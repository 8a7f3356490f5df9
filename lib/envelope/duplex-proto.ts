/**
 * What client and server share of proto/duplex.proto (docs/protocol.md §2b): where the file is,
 * how it is loaded, and the `Envelope` message as @grpc/proto-loader hands it over. Node only:
 * reached from the gRPC transports, never from the browser client's static imports.
 */
import type { Options } from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** An `Envelope` message: snake_case fields, uint64 as numbers, proto3 defaults left out (= absent). */
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

export const PROTO_LOADER_OPTIONS: Options = { keepCase: true, longs: Number, defaults: false, oneofs: true };

/** proto/ is at the package root: two levels above lib/envelope/ (vitest), three above dist/lib/envelope/. */
const PROTO_CANDIDATES = ['../../proto/duplex.proto', '../../../proto/duplex.proto'];

/** The path of proto/duplex.proto, or undefined when the package was installed without it. */
export function findDuplexProto(): string | undefined {
  for (const candidate of PROTO_CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}
