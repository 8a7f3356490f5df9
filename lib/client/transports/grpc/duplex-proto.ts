/**
 * Finds proto/duplex.proto next to the installed package and loads its `duplex.v1.Duplex`
 * service once per process, with the loader options the wire mapping fixes (snake_case fields,
 * uint64 as numbers, absent optional fields left absent).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { load, type Options } from '@grpc/proto-loader';
import { DuplexError } from '../../../envelope/duplex.error.js';
import { ErrorCode } from '../../../envelope/error-codes.js';

export const PROTO_LOADER_OPTIONS: Options = { keepCase: true, longs: Number, defaults: false, oneofs: true };

/**
 * This module sits in lib/client/transports/grpc/ under vitest and in
 * dist/lib/client/transports/grpc/ in the package; proto/ is at the package root either way.
 */
const PROTO_CANDIDATES = ['../../../../proto/duplex.proto', '../../../../../proto/duplex.proto'];

export function findDuplexProto(from: string = import.meta.url): string {
  for (const candidate of PROTO_CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, from));
    if (existsSync(path)) return path;
  }
  throw new DuplexError(ErrorCode.NOT_CONNECTED, `proto/duplex.proto not found above ${fileURLToPath(new URL('.', from))}`);
}

interface DuplexPackage {
  duplex: { v1: { Duplex: ServiceClientConstructor } };
}

let service: Promise<ServiceClientConstructor> | undefined;

/** The generated client class of the Duplex service (its `.service` is the definition a server adds). */
export function loadDuplexService(): Promise<ServiceClientConstructor> {
  service ??= (async () => {
    const definition = await load(findDuplexProto(), PROTO_LOADER_OPTIONS);
    return (loadPackageDefinition(definition) as unknown as DuplexPackage).duplex.v1.Duplex;
  })();
  // A failed load is not kept: the next link tries again.
  service.catch(() => (service = undefined));
  return service;
}
