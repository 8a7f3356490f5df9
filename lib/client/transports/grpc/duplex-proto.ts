/**
 * Finds proto/duplex.proto next to the installed package and loads its `duplex.v1.Duplex`
 * service once per process, with the loader options the wire mapping fixes (snake_case fields,
 * uint64 as numbers, absent optional fields left absent).
 */
import { loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { load } from '@grpc/proto-loader';
import { findDuplexProto, PROTO_LOADER_OPTIONS } from '../../../envelope/duplex-proto.js';
import { DuplexError } from '../../../envelope/duplex.error.js';
import { ErrorCode } from '../../../envelope/error-codes.js';

function duplexProto(): string {
  const path = findDuplexProto();
  if (path === undefined) throw new DuplexError(ErrorCode.NOT_CONNECTED, 'proto/duplex.proto was not found beside the package');
  return path;
}

interface DuplexPackage {
  duplex: { v1: { Duplex: ServiceClientConstructor } };
}

let service: Promise<ServiceClientConstructor> | undefined;

/** The generated client class of the Duplex service (its `.service` is the definition a server adds). */
export function loadDuplexService(): Promise<ServiceClientConstructor> {
  service ??= (async () => {
    const definition = await load(duplexProto(), PROTO_LOADER_OPTIONS);
    return (loadPackageDefinition(definition) as unknown as DuplexPackage).duplex.v1.Duplex;
  })();
  // A failed load is not kept: the next link tries again.
  service.catch(() => (service = undefined));
  return service;
}
