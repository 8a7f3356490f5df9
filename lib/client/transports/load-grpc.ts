/**
 * The gRPC transport's entry in the browser-safe part of the client. The transport itself needs
 * Node (`@grpc/grpc-js`, the file system for the .proto), so it is loaded only when a client asks
 * for gRPC, by a dynamic import whose specifier is a variable: browsers and bundlers never see it.
 */
import { DuplexError } from '../../envelope/duplex.error.js';
import { ErrorCode } from '../../envelope/error-codes.js';
import type { ResolvedGrpcOptions } from '../client-options.js';
import type { ClientTransport } from './client-transport.js';
import type { createGrpcClientTransport } from './grpc/grpc.client-transport.js';
import { isNodeRuntime } from './node-runtime.js';

const GRPC_TRANSPORT_MODULE: string = './grpc/grpc.client-transport.js';

interface GrpcTransportModule {
  createGrpcClientTransport: typeof createGrpcClientTransport;
}

/** Why gRPC cannot run here, or undefined. */
export function grpcUnavailable(options: ResolvedGrpcOptions): string | undefined {
  if (!isNodeRuntime()) return 'gRPC needs Node: browsers cannot open gRPC calls';
  if (options.address === undefined) return 'it needs a server address: option grpc.address or a grpc://host:port serverUrl';
  return undefined;
}

export async function loadGrpcTransport(options: ResolvedGrpcOptions): Promise<ClientTransport> {
  let loaded: GrpcTransportModule;
  try {
    loaded = (await import(/* @vite-ignore */ /* webpackIgnore: true */ GRPC_TRANSPORT_MODULE)) as GrpcTransportModule;
  } catch (error) {
    throw new DuplexError(ErrorCode.NOT_CONNECTED, `Cannot load the gRPC transport (is @grpc/grpc-js installed?): ${String(error)}`);
  }
  return loaded.createGrpcClientTransport(options);
}
